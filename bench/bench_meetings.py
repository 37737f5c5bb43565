"""Benchmark of the intervention meetings: list API page, stats, and the interventions page, at 10,000 meetings.

    .venv/bin/python bench/bench_meetings.py                       # SQLite file bench/bench_meetings.sqlite3
    .venv/bin/python bench/bench_meetings.py --mysql mysql://root:@127.0.0.1:3306/ss_bench_meetings

Creates the database (MariaDB: `CREATE DATABASE` if missing), migrates it, loads one school with 10,000 meetings
once (kept between runs), then times each request `--runs` times and prints median / p95 and the query count.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import bench_school, database_options, open_database, timed_get  # noqa: E402


def seed(meetings_wanted: int) -> None:
    import datetime

    from django.utils import timezone

    from core.models import User
    from interventions.models import InterventionMeeting as Meeting
    from interventions.models import ProgressUpdate
    from students.models import AcademicYear, ClassGroup, Student

    school, to_load = bench_school(Meeting, meetings_wanted, f"{meetings_wanted} meetings")
    if not to_load:
        return
    rng = random.Random(2026)
    today = timezone.localdate()
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": "admin", "school": school})
    masters = [
        User.objects.get_or_create(username=f"bench-fm{i}", defaults={"role": "form_master", "school": school})[0]
        for i in range(20)
    ]
    year, _ = AcademicYear.objects.get_or_create(
        school=school,
        name="2026/27",
        defaults={"start_date": datetime.date(2026, 9, 1), "end_date": datetime.date(2027, 7, 16), "is_current": True},
    )
    forms = [
        ClassGroup.objects.get_or_create(
            school=school, academic_year=year, name=f"Form {i}", defaults={"grade_level": 1 + i % 5, "form_master": fm}
        )[0]
        for i, fm in enumerate(masters)
    ]
    students_per_form = 100
    if not Student.objects.filter(school=school).exists():
        Student.objects.bulk_create(
            [
                Student(
                    school=school,
                    student_id=f"B{f:02d}{n:04d}",
                    first_name=f"First{n}",
                    last_name=f"Last{f}-{n}",
                    class_group=form,
                )
                for f, form in enumerate(forms)
                for n in range(students_per_form)
            ],
            batch_size=1000,
        )
    students = list(Student.objects.filter(school=school).select_related("class_group"))
    causes = Meeting.RootCause.values
    statuses = Meeting.Status.values
    rows = []
    # Up to five meetings per student, one per cause, so the one-active-per-cause rule always holds.
    for index in range(meetings_wanted):
        student = students[index % len(students)]
        cause = causes[(index // len(students)) % len(causes)]
        status = rng.choice(statuses)
        meeting_date = today - datetime.timedelta(days=rng.randint(1, 200))
        rows.append(
            Meeting(
                school=school,
                student=student,
                meeting_date=meeting_date,
                absence_reason="Absent.",
                root_cause=cause,
                intervention_notes="Notes.",
                action_plan="Plan.",
                follow_up_date=meeting_date + datetime.timedelta(days=rng.randint(3, 60)),
                urgency_level=rng.choice(Meeting.Urgency.values),
                status=status,
                created_by=student.class_group.form_master,
            )
        )
    Meeting.objects.filter(school=school).delete()
    Meeting.objects.bulk_create(rows, batch_size=1000)
    meetings = list(Meeting.objects.filter(school=school).values_list("id", "created_by_id")[: meetings_wanted // 2])
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(school=school, meeting_id=pk, update_text="Update.", created_by_id=owner)
            for pk, owner in meetings
        ],
        batch_size=1000,
    )
    del admin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    database_options(parser, "meetings")
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    database_url = open_database(args)

    from django.test import Client
    from django.test.utils import setup_test_environment

    from core.models import User

    seed(args.meetings)
    setup_test_environment()
    admin = User.objects.get(username="bench-admin")
    form_master = User.objects.get(username="bench-fm0")
    client = Client()
    print(f"database: {database_url.split('@')[-1]}  meetings: {args.meetings}  runs: {args.runs}")
    print(f"{'request':<66} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    cases = [
        (admin, "admin  GET /api/interventions/meetings/ (page 1, 50)", "/api/interventions/meetings/", {}),
        (admin, "admin  GET /api/interventions/meetings/?page=100", "/api/interventions/meetings/?page=100", {}),
        (
            admin,
            "admin  GET /api/interventions/meetings/?status=open&overdue=true",
            "/api/interventions/meetings/?status=open&overdue=true",
            {},
        ),
        (admin, "admin  GET /api/interventions/meetings/stats/", "/api/interventions/meetings/stats/", {}),
        (admin, "admin  GET /api/interventions/meetings/recurring/", "/api/interventions/meetings/recurring/", {}),
        (admin, "admin  GET /form-master/interventions/ (page)", "/form-master/interventions/", {}),
        (
            admin,
            "admin  GET /form-master/interventions/?urgency=high (htmx)",
            "/form-master/interventions/?urgency=high",
            {"HTTP_HX_REQUEST": "true"},
        ),
        (form_master, "fm     GET /form-master/interventions/ (page)", "/form-master/interventions/", {}),
    ]
    for user, label, path, headers in cases:
        client.force_login(user)
        median, p95, queries, status = timed_get(client, path, args.runs, **headers)
        flag = "" if status == 200 else f"  (HTTP {status})"
        print(f"{label:<66} {median:>10.1f} {p95:>8.1f} {queries:>8}{flag}")


if __name__ == "__main__":
    main()
