"""Benchmark of the register and the students/attendance reads: one school of 1,500 students with 180 school
days of attendance (270,000 records).

    .venv/bin/python bench/bench_attendance.py                                   # SQLite: bench/bench_attendance.sqlite3
    DATABASE_URL=mysql://root:@127.0.0.1:3306/x .venv/bin/python bench/bench_attendance.py   # MariaDB: database ss_bench

Uses its own database (the SQLite file above, or `ss_bench` on the server that DATABASE_URL names; override
with BENCH_DATABASE_URL), migrates it, generates the school once (--regenerate to start again) and prints the
median and p95 wall time of: saving a form's register (40 students, every record changed), a page of the
students API, a student's profile page, a page of the attendance API, and a roster import of 1,500 rows.
Requests go through Django's test client (middleware, session auth, templates), not over HTTP.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import ensure_database  # noqa: E402


def bench_database_url() -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith("mysql"):
        parts = urlparse(given)
        return parts._replace(path="/ss_bench").geturl()
    return f"sqlite:///{ROOT / 'bench' / 'bench_attendance.sqlite3'}"


os.environ["DATABASE_URL"] = bench_database_url()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "school_support.settings")

SCHOOL_CODE = "bench-attendance"
STUDENTS = 1500
FORM_SIZE = 40
SCHOOL_DAYS = 180


def last_school_days(today: datetime.date, count: int) -> list[datetime.date]:
    """`count` weekdays ending today (or the last weekday before it)."""
    days, day = [], today
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= datetime.timedelta(days=1)
    return sorted(days)


def generate(today: datetime.date, log) -> None:
    from django.db import transaction
    from django.utils import timezone

    from attendance.models import AttendanceRecord, Register
    from core.models import School, User
    from students.models import AcademicYear, ClassGroup, Student

    rng = random.Random(2026)
    days = last_school_days(today, SCHOOL_DAYS)
    started = time.perf_counter()
    with transaction.atomic():
        school = School.objects.create(code=SCHOOL_CODE, name="Benchmark Academy")
        User.objects.create_user("bench-admin", password="bench-pass", role="admin", school=school, first_name="Bench")
        teacher = User.objects.create_user("bench-teacher", password="bench-pass", role="teacher", school=school)
        year = AcademicYear.objects.create(
            school=school,
            name="Bench year",
            start_date=days[0],
            end_date=today + datetime.timedelta(days=60),
            is_current=True,
        )
        forms = ClassGroup.objects.bulk_create(
            [
                ClassGroup(
                    school=school,
                    academic_year=year,
                    name=f"Form {n // 8 + 1}{chr(65 + n % 8)}",
                    grade_level=n // 8 + 1,
                )
                for n in range((STUDENTS + FORM_SIZE - 1) // FORM_SIZE)
            ]
        )
        forms = list(ClassGroup.objects.filter(academic_year=year).order_by("pk"))
        now = timezone.now()
        Student.objects.bulk_create(
            [
                Student(
                    school=school,
                    student_id=f"B{n:05d}",
                    first_name=f"First{n}",
                    last_name=f"Last{n % 500}",
                    class_group=forms[n // FORM_SIZE],
                    created_at=now,
                    updated_at=now,
                )
                for n in range(STUDENTS)
            ],
            batch_size=1000,
        )
        students = list(Student.objects.filter(school=school).values_list("pk", "class_group_id"))
        Register.objects.bulk_create(
            [
                Register(school=school, class_group=f, date=d, taken_by=teacher, taken_at=now)
                for f in forms
                for d in days
            ],
            batch_size=2000,
        )
        statuses = ["present"] * 90 + ["absent"] * 5 + ["late"] * 4 + ["excused"]
        batch = []
        for pk, _ in students:
            for day in days:
                status = rng.choice(statuses)
                batch.append(
                    AttendanceRecord(
                        school=school,
                        student_id=pk,
                        date=day,
                        status=status,
                        reason="" if status == "present" else "Bench",
                        marked_by=teacher,
                        marked_at=now,
                    )
                )
                if len(batch) >= 20_000:
                    AttendanceRecord.objects.bulk_create(batch, batch_size=5000)
                    batch.clear()
        AttendanceRecord.objects.bulk_create(batch, batch_size=5000)
    log(
        f"generated {len(students)} students, {len(forms)} forms, {len(days)} days, "
        f"{AttendanceRecord.objects.filter(school=school).count()} records in {time.perf_counter() - started:.1f}s"
    )


def timed(label: str, runs: int, action) -> tuple[str, float, float, int]:
    action()  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return label, statistics.median(samples), p95, runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="timed runs per operation (roster import: a fifth)")
    parser.add_argument("--regenerate", action="store_true", help="drop the benchmark school and generate it again")
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone
    from rest_framework.test import APIClient

    from attendance import services as attendance_services
    from core.models import AuditLog, School, User
    from students import roster
    from students.models import ClassGroup, Student

    settings.ALLOWED_HOSTS = ["*"]
    log = lambda line: print(f"  {line}", flush=True)  # noqa: E731
    call_command("migrate", verbosity=0)
    db = settings.DATABASES["default"]
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")

    today = timezone.localdate()
    existing = School.objects.filter(code=SCHOOL_CODE).first()
    if existing and args.regenerate:
        from django.db import connection

        log("dropping the previous benchmark school …")
        with connection.cursor() as cursor:
            for table in (
                "attendance_attendancerecord",
                "attendance_register",
                "students_student",
                "students_classgroup",
                "students_academicyear",
                "core_auditlog",
            ):
                cursor.execute(f"DELETE FROM {table} WHERE school_id = %s", [existing.pk])
        User.objects.filter(school=existing).delete()
        existing.delete()
        existing = None
    if existing is None:
        generate(today, log)
    school = School.objects.get(code=SCHOOL_CODE)
    admin = User.objects.get(username="bench-admin")
    teacher = User.objects.get(username="bench-teacher")
    form = ClassGroup.objects.filter(school=school).order_by("pk").first()
    day = last_school_days(today, 1)[0]
    pupils = list(Student.objects.filter(class_group=form).values_list("pk", flat=True))
    student_ids = list(Student.objects.filter(school=school).values_list("pk", flat=True))
    rng = random.Random(7)

    flip = {"value": 0}
    refresh_alerts = attendance_services._refresh_alerts

    def save_register_alone():
        attendance_services._refresh_alerts = lambda **kwargs: None
        try:
            save_register()
        finally:
            attendance_services._refresh_alerts = refresh_alerts

    def save_register():
        flip["value"] ^= 1
        status = "absent" if flip["value"] else "late"
        attendance_services.register_save(
            actor=teacher,
            class_group_id=form.pk,
            date=day,
            records=[{"student": pk, "status": status, "reason": "Bench"} for pk in pupils],
        )

    api = APIClient()
    api.force_authenticate(admin)
    pages = Client()
    pages.force_login(admin)

    def students_page():
        response = api.get("/api/students/", {"page": rng.randint(1, STUDENTS // 50)})
        assert response.status_code == 200, response.status_code

    def attendance_page():
        response = api.get("/api/attendance/", {"page": rng.randint(1, 140), "class_group": form.pk})
        assert response.status_code == 200, response.status_code

    def profile_page():
        response = pages.get(f"/students/{rng.choice(student_ids)}/")
        assert response.status_code == 200, response.status_code

    header = ",".join(roster.ROSTER_COLUMNS)
    form_names = dict(ClassGroup.objects.filter(school=school).values_list("pk", "name"))
    roster_students = list(
        Student.objects.filter(school=school).values_list("student_id", "first_name", "last_name", "class_group_id")
    )
    generation = {"value": 0}

    def import_roster():
        generation["value"] += 1
        lines = [header] + [
            f"{sid},{first},{last},2011-03-04,F,{form_names[fid]},,Guardian {generation['value']},+44 7700 {generation['value']:06d},"
            for sid, first, last, fid in roster_students
        ]
        result = roster.roster_import(actor=admin, school=school, text="\n".join(lines) + "\n")
        assert result.updated == STUDENTS, result

    print(f"school: {len(student_ids)} students, {len(form_names)} forms, register of {len(pupils)} students on {day}")
    rows = [
        timed("register save (40 students, all changed)", args.runs, save_register_alone),
        timed("  … + alerts refresh of the form on commit", max(3, args.runs // 3), save_register),
        timed("GET /api/students/ page (50)", args.runs, students_page),
        timed("GET /students/<id>/ profile page", args.runs, profile_page),
        timed("GET /api/attendance/ page (50, one form)", args.runs, attendance_page),
        timed("roster import, 1,500 rows (all updated)", max(3, args.runs // 5), import_roster),
    ]
    print(f"\n{'operation':<45} {'median ms':>10} {'p95 ms':>10} {'runs':>6}")
    for label, median, p95, runs in rows:
        print(f"{label:<45} {median:>10.1f} {p95:>10.1f} {runs:>6}")
    log(f"audit rows of the benchmark school: {AuditLog.objects.filter(school=school).count()}")


if __name__ == "__main__":
    main()
