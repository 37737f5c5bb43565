"""Benchmark of intervention programs: 200 programs × 8 students × 40 sessions in one school.

    .venv/bin/python bench/bench_programs.py                    # SQLite file bench/bench_programs.sqlite3
    .venv/bin/python bench/bench_programs.py --mysql mysql://root:@127.0.0.1:3306/ss_bench_programs

Creates the database (MariaDB: `CREATE DATABASE` if missing), migrates it, loads the school once (kept
between runs), then times with Django's test client as the signed-in counsellor: the programs list API,
a program's page, generating a term of sessions (24, one request) and saving a session's attendance.
Prints median / p95 in ms and the query count of one request.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import bench_school, database_options, measure, open_database  # noqa: E402

PROGRAMS, STUDENTS_EACH, SESSIONS_EACH = 200, 8, 40


def seed() -> None:
    from django.utils import timezone

    from core.models import User
    from interventions.models import Enrollment, Intervention, InterventionSession, SessionAttendance
    from students.models import Student

    school, to_load = bench_school(
        Intervention,
        PROGRAMS,
        f"{PROGRAMS} programs × {STUDENTS_EACH} students × {SESSIONS_EACH} sessions",
        code="bench-programs",
        name="Bench Programs School",
    )
    if not to_load:
        return
    counselor, _ = User.objects.get_or_create(
        username="bench-counselor", defaults={"role": "counselor", "school": school}
    )
    facilitators = [
        User.objects.get_or_create(username=f"bench-facilitator{i}", defaults={"role": "teacher", "school": school})[0]
        for i in range(PROGRAMS)
    ]
    Student.objects.bulk_create(
        [
            Student(school=school, student_id=f"P{n:05d}", first_name=f"First{n}", last_name=f"Last{n}")
            for n in range(PROGRAMS * STUDENTS_EACH + 200)
        ],
        batch_size=1000,
    )
    students = list(Student.objects.filter(school=school).order_by("pk").values_list("pk", flat=True))
    today = timezone.localdate()
    start = today - datetime.timedelta(weeks=10)
    start -= datetime.timedelta(days=start.weekday())  # a Monday
    programs = Intervention.objects.bulk_create(
        [
            Intervention(
                school=school,
                name=f"Program {i:03d}",
                owner=counselor,
                start_date=start,
                end_date=start + datetime.timedelta(weeks=40),
                status="active",
                duration_minutes=45,
            )
            for i in range(PROGRAMS)
        ]
    )
    programs = list(Intervention.objects.filter(school=school).order_by("pk"))
    enrolled_at = timezone.make_aware(datetime.datetime.combine(start, datetime.time(6)))
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                school=school,
                intervention=program,
                student_id=students[i * STUDENTS_EACH + k],
                enrolled_at=enrolled_at,
            )
            for i, program in enumerate(programs)
            for k in range(STUDENTS_EACH)
        ],
        batch_size=1000,
    )
    sessions = []
    for i, program in enumerate(programs):
        for n in range(SESSIONS_EACH):
            day = start + datetime.timedelta(weeks=n // 4, days=n % 4)
            begin = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8 + i % 8, 0)))
            sessions.append(
                InterventionSession(
                    school=school,
                    intervention=program,
                    start_time=begin,
                    end_time=begin + datetime.timedelta(minutes=45),
                    location=f"Room {i}",
                    facilitator=facilitators[i],
                    status="completed" if day < today else "scheduled",
                    attendance_taken_by=facilitators[i] if day < today else None,
                )
            )
    InterventionSession.objects.bulk_create(sessions, batch_size=1000)
    held = InterventionSession.objects.filter(school=school, status="completed").values_list("pk", "intervention_id")
    by_program = {}
    for i, program in enumerate(programs):
        by_program[program.pk] = students[i * STUDENTS_EACH : (i + 1) * STUDENTS_EACH]
    SessionAttendance.objects.bulk_create(
        [
            SessionAttendance(school=school, session_id=pk, student_id=sid, status="present", taken_by=counselor)
            for pk, program_id in held
            for sid in by_program[program_id]
        ],
        batch_size=2000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    database_options(parser, "programs")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    database_url = open_database(args)

    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from core.models import User
    from interventions.models import Intervention, InterventionSession
    from interventions.programs import services

    seed()
    setup_test_environment()
    counselor = User.objects.get(username="bench-counselor")
    client = Client()
    client.force_login(counselor)
    program = Intervention.objects.filter(school=counselor.school, name="Program 000").first()
    today = timezone.localdate()
    held = InterventionSession.objects.filter(intervention=program, status="completed").order_by("-start_time").first()
    students = list(program.enrollments.values_list("student_id", flat=True))
    counter = {"n": 0}

    def generate():
        counter["n"] += 1
        facilitator = User.objects.create(
            username=f"bench-series-{counter['n']}-{time.time_ns()}", role="teacher", school=counselor.school
        )
        fresh = services.program_create(
            actor=counselor,
            name=f"Term series {counter['n']}",
            start_date=today,
            end_date=today + datetime.timedelta(weeks=12),
            status="active",
        )
        return client.post(
            f"/api/interventions/programs/{fresh.pk}/sessions/generate/",
            {
                "from": str(today),
                "to": str(today + datetime.timedelta(weeks=12, days=-1)),
                "weekdays": [1, 3],
                "start": "16:00",
                "location": facilitator.username,
                "facilitator": facilitator.pk,
            },
            content_type="application/json",
        )

    def save_attendance():
        counter["n"] += 1
        status = "absent" if counter["n"] % 2 else "present"
        return client.post(
            f"/api/interventions/sessions/{held.pk}/attendance/",
            {"records": [{"student": pk, "status": status, "notes": ""} for pk in students]},
            content_type="application/json",
        )

    cases = [
        ("GET /api/interventions/programs/ (page 1 of 50)", lambda: client.get("/api/interventions/programs/")),
        (
            "GET /api/interventions/programs/?page_size=200",
            lambda: client.get("/api/interventions/programs/?page_size=200"),
        ),
        (f"GET /programs/{program.pk}/ (8 enrolled, 40 sessions)", lambda: client.get(f"/programs/{program.pk}/")),
        ("POST …/sessions/generate/ (a 12-week term, 24 sessions)", generate),
        ("POST /api/interventions/sessions/{id}/attendance/ (8 students)", save_attendance),
    ]
    print(f"database: {database_url.split('@')[-1]}  programs: {PROGRAMS}  runs: {args.runs}")
    print(f"{'request':<66} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, call in cases:
        median, p95, queries, response = measure(call, args.runs)
        status = response.status_code
        flag = "" if status in (200, 201) else f"  (HTTP {status})"
        print(f"{label:<66} {median:>10.1f} {p95:>8.1f} {queries:>8}{flag}")


if __name__ == "__main__":
    main()
