"""Benchmark of the early-warning scan on MariaDB/MySQL: a district of N schools × students × school days.

    .venv/bin/python bench/bench_scan.py --schools 2          # quick
    .venv/bin/python bench/bench_scan.py                      # 20 schools × 1,500 students × 180 days

Uses its own database (default mysql://root:@127.0.0.1:3306/ss_bench_scan, override with BENCH_DATABASE_URL),
migrates it, generates the district with multi-row INSERTs (skipped when the data is already there;
--regenerate to start again), then runs the scan school by school and prints its wall time and peak memory
next to the time of the bare SQL aggregate queries the rules need, run directly, and a second (idempotent)
run. Memory should stay flat as the district grows: schools are scanned one at a time.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import captured_selects, ensure_database, statements_seconds  # noqa: E402

os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "mysql://root:@127.0.0.1:3306/ss_bench_scan")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "school_support.settings")
# DEBUG off: Django would otherwise keep every query (and its SQL text) in memory.
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")

YEAR_START = datetime.date(2025, 9, 1)
HOLIDAYS = [datetime.date(2025, 10, 27 + i) for i in range(5)] + [datetime.date(2025, 12, 22 + i) for i in range(5)]
FORM_SIZE = 30
INSERT_BATCH = 20_000


def school_days(count: int) -> list[datetime.date]:
    days, current = [], YEAR_START
    holidays = set(HOLIDAYS)
    while len(days) < count:
        if current.weekday() < 5 and current not in holidays:
            days.append(current)
        current += datetime.timedelta(days=1)
    return days


def student_statuses(rng: random.Random, days: int) -> list[str]:
    """One student's year: most attend well, some drift, a few have a run of absences at the end."""
    profile = rng.random()
    p_absent = 0.02 if profile < 0.7 else 0.07 if profile < 0.92 else 0.18
    statuses = []
    for _ in range(days):
        r = rng.random()
        statuses.append(
            "absent"
            if r < p_absent
            else "excused"
            if r < p_absent + 0.015
            else "late"
            if r < p_absent + 0.045
            else "present"
        )
    if rng.random() < 0.04:
        run = rng.randint(3, 7)
        statuses[-run:] = ["absent"] * run
    if rng.random() < 0.03:
        # Absent every other Monday-ish: the same weekday in the last weeks.
        for back in (0, 5, 10, 15):
            if len(statuses) > back + 2:
                statuses[-(back + 2)] = "absent"
    return statuses


def generate(n_schools: int, students_per_school: int, n_days: int, log) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from core.models import School, User
    from students.models import AcademicYear, ClassGroup, Student

    days = school_days(n_days)
    marked_at = timezone.now().strftime("%Y-%m-%d %H:%M:%S")
    for index in range(n_schools):
        rng = random.Random(2026 + index)
        code = f"bench-{index + 1:02d}"
        if School.objects.filter(code=code).exists():
            continue
        started = time.perf_counter()
        with transaction.atomic():
            school = School.objects.create(code=code, name=f"Bench School {index + 1}")
            year = AcademicYear.objects.create(
                school=school,
                name="2025/26",
                start_date=YEAR_START,
                end_date=datetime.date(2026, 7, 17),
                is_current=True,
            )
            n_forms = -(-students_per_school // FORM_SIZE)
            masters = User.objects.bulk_create(
                [User(username=f"{code}-fm{f}", role=User.Role.FORM_MASTER, school=school) for f in range(n_forms)]
            )
            forms = ClassGroup.objects.bulk_create(
                [
                    ClassGroup(
                        school=school, academic_year=year, name=f"Form {f}", grade_level=1 + f % 5, form_master=m
                    )
                    for f, m in enumerate(masters)
                ]
            )
            students = Student.objects.bulk_create(
                [
                    Student(
                        school=school,
                        student_id=f"{code}-{s:05d}",
                        first_name="Student",
                        last_name=f"{s:05d}",
                        class_group=forms[s // FORM_SIZE],
                    )
                    for s in range(students_per_school)
                ],
                batch_size=2000,
            )
            from attendance.models import Holiday

            Holiday.objects.bulk_create([Holiday(school=school, date=d, name="Break") for d in HOLIDAYS])
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION unique_checks = 0, foreign_key_checks = 0")
            sql = (
                "INSERT INTO attendance_attendancerecord "
                "(school_id, student_id, date, status, reason, marked_at) VALUES (%s, %s, %s, %s, %s, %s)"
            )
            batch = []
            for student in students:
                for date, status in zip(days, student_statuses(rng, n_days), strict=False):
                    batch.append((school.pk, student.pk, date, status, "", marked_at))
                if len(batch) >= INSERT_BATCH:
                    # mysqlclient turns this into multi-row INSERTs (only when every value is a %s).
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
            cursor.execute("SET SESSION unique_checks = 1, foreign_key_checks = 1")
        log(f"  generated {code}: {len(students)} students × {n_days} days in {time.perf_counter() - started:.1f} s")


def capture_rule_sql(school, as_of):
    """The SQL (with parameters) that the rules send for one school, to be timed on its own."""
    from interventions.alerts import detection

    return captured_selects(lambda: detection.evaluate(school, as_of), reading="attendance_attendancerecord")


def district_options(parser) -> None:
    """The size of the generated district (also bench_risk.py's)."""
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--students", type=int, default=1500)
    parser.add_argument("--days", type=int, default=180)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    district_options(parser)
    parser.add_argument("--regenerate", action="store_true", help="drop the benchmark's data first")
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from core.models import AuditLog, School
    from interventions.alerts.services import scan_school
    from interventions.models import Alert

    log = print
    call_command("migrate", verbosity=0)
    if args.regenerate:
        with connection.cursor() as cursor:
            cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
            for table in (
                "interventions_alert",
                "core_auditlog",
                "attendance_attendancerecord",
                "attendance_holiday",
                "students_student",
                "students_classgroup",
                "students_academicyear",
                "interventions_alertsettings",
            ):
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("DELETE FROM core_user WHERE username LIKE 'bench-%%'")
            cursor.execute("DELETE FROM core_school WHERE code LIKE 'bench-%%'")
            cursor.execute("SET FOREIGN_KEY_CHECKS = 1")

    started = time.perf_counter()
    generate(args.schools, args.students, args.days, log)
    log(f"generation: {time.perf_counter() - started:.1f} s")

    schools = list(School.objects.filter(code__startswith="bench-").order_by("code")[: args.schools])
    as_of = school_days(args.days)[-1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM attendance_attendancerecord WHERE school_id IN ({})".format(
                ",".join(str(s.pk) for s in schools)
            )
        )
        rows = cursor.fetchone()[0]
    # Start from no alerts so that the first run raises them all.
    Alert.objects.filter(school__in=schools).delete()
    log(f"district: {len(schools)} schools, {rows:,} attendance rows, scan date {as_of}")

    from django.utils import timezone

    run_started_at = timezone.now()
    tracemalloc.start()
    per_school = []
    total = time.perf_counter()
    raised = 0
    for school in schools:
        tracemalloc.reset_peak()
        t = time.perf_counter()
        summary = scan_school(school=school, as_of=as_of)
        per_school.append((school.code, time.perf_counter() - t, tracemalloc.get_traced_memory()[1], summary.raised))
        raised += summary.raised
    scan_wall = time.perf_counter() - total
    peak = max(p[2] for p in per_school)
    tracemalloc.stop()

    t = time.perf_counter()
    second = [scan_school(school=school, as_of=as_of) for school in schools]
    second_wall = time.perf_counter() - t

    bare = sum(statements_seconds(capture_rule_sql(school, as_of)) for school in schools)

    for code, seconds, peak_bytes, n in per_school:
        log(f"  {code}: {seconds:6.2f} s, peak {peak_bytes / 1e6:6.1f} MB (Python heap), {n} alerts raised")
    audit_rows = AuditLog.objects.filter(
        school__in=schools, entity_type="interventions.alert", created_at__gte=run_started_at
    ).count()
    log(f"scan (first run, raises {raised:,} alerts, {audit_rows:,} audit rows): {scan_wall:.2f} s wall")
    log(
        f"scan (second run: raised {sum(s.raised for s in second)}, resolved {sum(s.resolved for s in second)}): {second_wall:.2f} s"
    )
    log(f"bare SQL aggregates of the rules, run directly: {bare:.2f} s")
    log(
        f"peak Python heap of one school's scan: {peak / 1e6:.1f} MB; max RSS of the process: "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
