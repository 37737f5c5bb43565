"""Benchmark of admissions at 10,000 inquiries: the funnel, the inquiry list, the board and the page.

    .venv/bin/python bench/bench_admissions.py                       # SQLite file bench/bench_admissions.sqlite3
    .venv/bin/python bench/bench_admissions.py --mysql mysql://root:@127.0.0.1:3306/ss_bench_admissions

Creates the database (MariaDB: `CREATE DATABASE` if missing), migrates it, loads one school with 10,000
inquiries across every status and source over a year once (kept between runs), then times each request
`--runs` times and prints median / p95 and the query count. The funnel itself is two aggregate queries.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import bench_school, database_options, measure, open_database, timed_get  # noqa: E402


def seed(wanted: int) -> None:
    import datetime

    from django.utils import timezone

    from core.models import User
    from students.admissions import scoring
    from students.admissions.models import Inquiry

    school, to_load = bench_school(Inquiry, wanted, f"{wanted} inquiries")
    if not to_load:
        return
    rng = random.Random(2026)
    today = timezone.localdate()
    User.objects.get_or_create(username="bench-admin", defaults={"role": "admin", "school": school})
    counselors = [
        User.objects.get_or_create(username=f"bench-counselor{i}", defaults={"role": "counselor", "school": school})[0]
        for i in range(8)
    ]
    statuses = Inquiry.Status.values
    rows = []
    for index in range(wanted):
        status = rng.choice(statuses)
        received = today - datetime.timedelta(days=rng.randint(0, 365))
        source, priority = rng.choice(Inquiry.Source.values), rng.choice(Inquiry.Priority.values)
        contacted = None if status == "new" else received + datetime.timedelta(days=rng.randint(0, 20))
        contacted = min(contacted, today) if contacted else None
        parts = scoring.lead_score_parts(
            source=source,
            priority=priority,
            received_on=received,
            last_contacted_on=contacted,
            completed_follow_ups=0 if status == "new" else rng.randint(1, 4),
            subject_count=rng.randint(0, 3),
            today=today,
        )
        rows.append(
            Inquiry(
                school=school,
                counselor=counselors[index % len(counselors)],
                student_name=f"Applicant {index}",
                phone=f"+44 7700 {index:06d}",
                email=f"family{index}@example.org",
                source=source,
                status=status,
                priority=priority,
                received_on=received,
                last_contacted_on=contacted,
                next_follow_up_date=(today + datetime.timedelta(days=rng.randint(-10, 20)))
                if status in Inquiry.OPEN_STATUSES
                else None,
                lost_at_stage=rng.choice(["new", "contacted", "follow_up_scheduled"]) if status == "lost" else "",
                lead_score=scoring.score_of(parts),
                lead_score_parts=[p.as_dict() for p in parts],
                scored_on=today,
            )
        )
    Inquiry.objects.filter(school=school).delete()
    Inquiry.objects.bulk_create(rows, batch_size=1000)


def time_funnel(runs: int) -> tuple[float, float, int]:
    """The selector alone: the two aggregate queries and the Python that shapes them."""
    from core.models import User
    from students.admissions.selectors import funnel

    admin = User.objects.get(username="bench-admin")
    median, p95, queries, _ = measure(lambda: funnel(actor=admin), runs, warm_up=0)
    return median, p95, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    database_options(parser, "admissions")
    parser.add_argument("--inquiries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    database_url = open_database(args)

    from django.test import Client
    from django.test.utils import setup_test_environment

    from core.models import User

    seed(args.inquiries)
    setup_test_environment()
    admin = User.objects.get(username="bench-admin")
    client = Client()
    client.force_login(admin)
    print(f"database: {database_url.split('@')[-1]}  inquiries: {args.inquiries}  runs: {args.runs}")
    print(f"{'request':<62} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    median, p95, queries = time_funnel(args.runs)
    print(f"{'selectors.funnel() (whole school, a year)':<62} {median:>10.1f} {p95:>8.1f} {queries:>8}")
    cases = [
        ("GET /api/admissions/funnel/", "/api/admissions/funnel/", {}),
        ("GET /api/admissions/inquiries/ (page 1, 50)", "/api/admissions/inquiries/", {}),
        (
            "GET /api/admissions/inquiries/?due=true&priority=high",
            "/api/admissions/inquiries/?due=true&priority=high",
            {},
        ),
        ("GET /admissions/ (board, due, funnel chart)", "/admissions/", {}),
        ("GET /admissions/?q=applicant 12 (htmx board)", "/admissions/?q=applicant+12", {"HTTP_HX_REQUEST": "true"}),
    ]
    for label, path, headers in cases:
        median, p95, queries, status = timed_get(client, path, args.runs, **headers)
        flag = "" if status == 200 else f"  (HTTP {status})"
        print(f"{label:<62} {median:>10.1f} {p95:>8.1f} {queries:>8}{flag}")


if __name__ == "__main__":
    main()
