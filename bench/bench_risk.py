"""Benchmark of compute_risk_levels on MariaDB/MySQL: the district of bench_scan.py (N schools × students ×
school days of attendance) plus, per student, 6 subjects × 8 graded assessments and a spread of
behaviour records.

    .venv/bin/python bench/bench_risk.py --schools 2          # quick
    .venv/bin/python bench/bench_risk.py                      # 20 schools × 1,500 students × 180 days

Uses its own database (default mysql://root:@127.0.0.1:3306/ss_bench_risk, override with
BENCH_DATABASE_URL); the data is generated once (--regenerate to start again). Prints, in the same run:
the first computation (every row new: inserts and their audit rows), a second, idempotent one (nothing
changed: nothing written), the bare SQL aggregates the computation needs run directly, the ratio of the
second run to them (target ≤ 2×), and the peak Python heap of one school (flat: one school at a time).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ["BENCH_DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "mysql://root:@127.0.0.1:3306/ss_bench_risk")

import bench_scan  # noqa: E402 (sets DATABASE_URL from BENCH_DATABASE_URL)
from benchdb import captured_selects, ensure_database, statements_seconds  # noqa: E402

SUBJECTS = ["Mathematics", "English", "Science", "History", "Geography", "Art"]
ASSESSMENTS_PER_SUBJECT = 8
INSERT_BATCH = 20_000


def generate_academics_and_behaviour(schools, days, log) -> None:
    from django.db import connection

    from core.models import User
    from students.academics.models import Subject
    from students.behaviour.models import BehaviourRecord
    from students.models import Student

    for index, school in enumerate(schools):
        if Subject.objects.filter(school=school).exists():
            continue
        started = time.perf_counter()
        rng = random.Random(4242 + index)
        subjects = Subject.objects.bulk_create(
            [Subject(school=school, name=name, code=name[:4].upper()) for name in SUBJECTS]
        )
        teacher = User.objects.filter(school=school).order_by("pk").first()
        student_ids = list(Student.objects.filter(school=school).order_by("pk").values_list("pk", flat=True))
        dates = [days[int(len(days) * (n + 0.5) / ASSESSMENTS_PER_SUBJECT)] for n in range(ASSESSMENTS_PER_SUBJECT)]
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION unique_checks = 0, foreign_key_checks = 0")
            sql = (
                "INSERT INTO students_assessment (school_id, student_id, subject_id, assessment_type, title,"
                " total_marks, marks_obtained, percentage, grade, assessment_date, teacher_id, feedback, status,"
                " version, created_at, updated_at) VALUES"
                " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            )
            now = "2026-01-01 00:00:00"
            batch = []
            for student_id in student_ids:
                ability = rng.gauss(68, 14)
                for subject in subjects:
                    bias = rng.gauss(0, 8)
                    for n, date in enumerate(dates):
                        pct = max(0, min(100, round(ability + bias + rng.gauss(0, 10))))
                        grade = next((g for g, low in (("A", 80), ("B", 70), ("C", 60), ("D", 50)) if pct >= low), "F")
                        batch.append(
                            (
                                school.pk,
                                student_id,
                                subject.pk,
                                "quiz",
                                f"Quiz {n + 1}",
                                Decimal(100),
                                Decimal(pct),
                                Decimal(pct),
                                grade,
                                date,
                                teacher.pk,
                                "",
                                "graded",
                                1,
                                now,
                                now,
                            )
                        )
                if len(batch) >= INSERT_BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
            behaviour = []
            for student_id in student_ids:
                profile = rng.random()
                penalties = 0 if profile < 0.6 else rng.randint(1, 3) if profile < 0.9 else rng.randint(4, 10)
                rewards = rng.randint(0, 4)
                for kind, count in (("penalty", penalties), ("reward", rewards)):
                    for _ in range(count):
                        behaviour.append(
                            (
                                school.pk,
                                student_id,
                                kind,
                                "behavior",
                                "Bench",
                                1,
                                rng.choice(days[-90:]),
                                teacher.pk,
                                "active",
                                1,
                                "",
                                "",
                                1,
                                now,
                                now,
                            )
                        )
            cursor.executemany(
                "INSERT INTO students_behaviourrecord (school_id, student_id, type, category, reason, points, date,"
                " created_by_id, status, upheld, appeal_reason, resolution_note, version, created_at, updated_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                behaviour,
            )
            cursor.execute("SET SESSION unique_checks = 1, foreign_key_checks = 1")
        log(
            f"  academics and behaviour for {school.code}: {len(student_ids) * len(SUBJECTS) * len(dates):,}"
            f" assessments, {len(behaviour):,} behaviour records in {time.perf_counter() - started:.1f} s"
        )
    del BehaviourRecord


def capture_read_sql(school, as_of):
    """The SELECTs the computation sends for one school (no row changes: only reads), to time on their own."""
    from interventions.risk.services import compute_for_school

    return captured_selects(lambda: compute_for_school(school=school, as_of=as_of))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bench_scan.district_options(parser)
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from core.models import AuditLog, School
    from interventions.risk.models import StudentRisk
    from interventions.risk.services import compute_for_school

    log = print
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    bench_scan.generate(args.schools, args.students, args.days, log)
    schools = list(School.objects.filter(code__startswith="bench-").order_by("code")[: args.schools])
    days = bench_scan.school_days(args.days)
    generate_academics_and_behaviour(schools, days, log)
    log(f"generation: {time.perf_counter() - started:.1f} s")
    as_of = days[-1]
    ids = ",".join(str(s.pk) for s in schools)
    with connection.cursor() as cursor:
        counts = {}
        for table in ("attendance_attendancerecord", "students_assessment", "students_behaviourrecord"):
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE school_id IN ({ids})")
            counts[table] = cursor.fetchone()[0]
    StudentRisk.objects.filter(school__in=schools).delete()
    log(
        f"district: {len(schools)} schools, {counts['attendance_attendancerecord']:,} attendance rows, "
        f"{counts['students_assessment']:,} assessments, {counts['students_behaviourrecord']:,} behaviour records; "
        f"as of {as_of}"
    )

    from django.utils import timezone

    run_started_at = timezone.now()
    tracemalloc.start()
    per_school, created = [], 0
    t = time.perf_counter()
    for school in schools:
        tracemalloc.reset_peak()
        s = time.perf_counter()
        summary = compute_for_school(school=school, as_of=as_of)
        per_school.append((school.code, time.perf_counter() - s, tracemalloc.get_traced_memory()[1]))
        created += summary.created
    first_wall = time.perf_counter() - t
    tracemalloc.stop()

    t = time.perf_counter()
    second = [compute_for_school(school=school, as_of=as_of) for school in schools]
    second_wall = time.perf_counter() - t

    bare = sum(statements_seconds(capture_read_sql(school, as_of)) for school in schools)

    for code, seconds, peak_bytes in per_school:
        log(f"  {code}: {seconds:6.2f} s, peak {peak_bytes / 1e6:6.1f} MB (Python heap)")
    audit_rows = AuditLog.objects.filter(
        school__in=schools, entity_type="interventions.studentrisk", created_at__gte=run_started_at
    ).count()
    peaks = [p[2] for p in per_school]
    log(f"compute_risk_levels, first run ({created:,} rows and {audit_rows:,} audit rows written): {first_wall:.2f} s")
    log(
        f"compute_risk_levels, second run (idempotent: {sum(s.changed + s.created for s in second)} rows written): "
        f"{second_wall:.2f} s"
    )
    log(f"bare SQL aggregates it needs, run directly: {bare:.2f} s")
    log(
        f"ratio second run / bare SQL: {second_wall / bare:.2f}× (target ≤ 2×); first run / bare: {first_wall / bare:.2f}×"
    )
    log(
        f"peak Python heap of one school: first school {peaks[0] / 1e6:.1f} MB, last {peaks[-1] / 1e6:.1f} MB, "
        f"max {max(peaks) / 1e6:.1f} MB; max RSS of the process: "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
