"""Benchmark of exit-criteria evaluation: one school of P programs × S students each.

    .venv/bin/python bench/bench_exit_criteria.py                       # SQLite file bench/bench_exit_criteria.sqlite3
    .venv/bin/python bench/bench_exit_criteria.py --mysql mysql://root:@127.0.0.1:3306/ss_bench_exit_criteria

Each program has two criteria (mean rating of the last 3 notes ≥ 3, school attendance over the last 20
marked days ≥ 90 %); each student 6 rated notes and 30 marked days. Builds the data with bulk inserts
(fresh database each run), then times `evaluate_school` twice — the first run writes the recommendations,
the second (idempotent) writes nothing — and prints the wall time and the number of queries of each.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import ensure_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--programs", type=int, default=200)
    parser.add_argument("--students", type=int, default=8, help="students per program")
    parser.add_argument("--sqlite", default=str(ROOT / "bench" / "bench_exit_criteria.sqlite3"))
    parser.add_argument("--mysql", help="mysql://… (the database is created if missing, emptied each run)")
    args = parser.parse_args()
    if args.mysql:
        os.environ["DATABASE_URL"] = args.mysql
        ensure_database(args.mysql)
    else:
        Path(args.sqlite).unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{args.sqlite}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "school_support.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0) if args.mysql else None
    call_command("migrate", verbosity=0)
    school = build(programs=args.programs, students=args.students)
    run(school, label="first run (writes the recommendations)")
    run(school, label="second run (idempotent: writes nothing)")


def build(*, programs: int, students: int):
    from django.utils import timezone

    from attendance.models import AttendanceRecord
    from core.models import School, User
    from interventions.models import Enrollment, ExitCriteria, Intervention, ProgressNote
    from students.models import Student

    rng = random.Random(11)
    started = time.perf_counter()
    school = School.objects.create(name="Bench High", code="bench")
    owner = User.objects.create(username="bench-counselor", role="counselor", school=school)
    today = timezone.localdate()
    now = timezone.now()
    people = Student.objects.bulk_create(
        Student(
            school=school,
            student_id=f"B{n:05d}",
            first_name="S",
            last_name=str(n),
            date_of_birth=datetime.date(2012, 1, 1),
        )
        for n in range(programs * students)
    )
    days = []
    day = today - datetime.timedelta(days=1)
    while len(days) < 30:
        if day.weekday() < 5:
            days.append(day)
        day -= datetime.timedelta(days=1)
    AttendanceRecord.objects.bulk_create(
        (
            AttendanceRecord(
                school=school,
                student=student,
                date=d,
                marked_at=now,
                status="present" if rng.random() < 0.93 else "absent",
            )
            for student in people
            for d in days
        ),
        batch_size=5000,
    )
    made = Intervention.objects.bulk_create(
        Intervention(
            school=school,
            name=f"Program {n}",
            owner=owner,
            start_date=today - datetime.timedelta(days=40),
            end_date=today + datetime.timedelta(days=40),
            status="active",
        )
        for n in range(programs)
    )
    ExitCriteria.objects.bulk_create(
        item
        for program in made
        for item in (
            ExitCriteria(school=school, intervention=program, threshold_type="progress", target_value=3, window=3),
            ExitCriteria(school=school, intervention=program, threshold_type="attendance", target_value=90, window=20),
        )
    )
    enrolled = Enrollment.objects.bulk_create(
        Enrollment(school=school, intervention=program, student=people[p * students + s])
        for p, program in enumerate(made)
        for s in range(students)
    )
    ProgressNote.objects.bulk_create(
        (
            ProgressNote(
                school=school,
                intervention_id=e.intervention_id,
                student_id=e.student_id,
                note="n",
                rating=rng.choice([2, 3, 3, 4, 4, 5]),
                entered_by=owner,
                entered_at=now - datetime.timedelta(days=7 * k),
            )
            for e in enrolled
            for k in range(6)
        ),
        batch_size=5000,
    )
    print(
        f"built {programs} programs × {students} students ({len(enrolled)} enrollments, "
        f"{len(enrolled) * 6} notes, {len(people) * 30} attendance rows) in {time.perf_counter() - started:.1f} s"
    )
    return school


def run(school, *, label: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from interventions.outcomes.services import evaluate_school

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        created = evaluate_school(school=school)
        elapsed = time.perf_counter() - started
    print(f"{label}: {len(created)} recommendations, {elapsed * 1000:.0f} ms, {len(queries.captured_queries)} queries")


if __name__ == "__main__":
    main()
