"""What the benchmark scripts share: the benchmark's own database, created on first use, and how a
request or a captured set of queries is timed."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from urllib.parse import urlparse


def ensure_database(url: str) -> None:
    """`CREATE DATABASE IF NOT EXISTS` for a MariaDB/MySQL `url` (SQLite creates its file itself)."""
    if not url.startswith("mysql"):
        return
    import MySQLdb

    parts = urlparse(url)
    connection = MySQLdb.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=parts.username or "root",
        passwd=parts.password or "",
    )
    connection.cursor().execute(f"CREATE DATABASE IF NOT EXISTS `{parts.path.lstrip('/')}` CHARACTER SET utf8mb4")
    connection.close()


def configure(database_url: str) -> None:
    """Point Django at `database_url` (created if missing) and set it up."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "school_support.settings")
    os.environ.setdefault("DEBUG", "1")
    ensure_database(database_url)
    import django

    django.setup()


def database_options(parser, name: str) -> None:
    """`--mysql URL` or `--sqlite FILE` (default bench/bench_<name>.sqlite3): the benchmark's database."""
    parser.add_argument("--mysql", metavar="URL", help=f"mysql://user:pass@host:port/ss_bench_{name}")
    parser.add_argument(
        "--sqlite", metavar="FILE", default=str(Path(__file__).resolve().parent / f"bench_{name}.sqlite3")
    )


def open_database(args) -> str:
    """Configure Django for the database of `database_options` and migrate it; its URL."""
    database_url = args.mysql or f"sqlite:///{args.sqlite}"
    configure(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return database_url


def bench_school(model, wanted: int, what: str, *, code: str = "bench", name: str = "Bench School"):
    """The benchmark's school, and whether its `wanted` rows of `model` are still to load (a load is kept
    between runs); says what it loads."""
    from core.models import School

    school, _ = School.objects.get_or_create(code=code, defaults={"name": name})
    if model.objects.filter(school=school).count() >= wanted:
        return school, False
    print(f"loading {what}…", flush=True)
    return school, True


def percentile(samples, fraction: float) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, int(round(fraction * len(samples))) - 1)]


def measure(call, runs: int, *, warm_up: int = 1) -> tuple[float, float, int, object]:
    """Median and p95 in ms of `runs` calls of `call`, after `warm_up` calls; the number of queries of
    one call and what it returned."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(warm_up):
        call()
    # The test client resets the query log when a request starts: start the capture from an empty log.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        result = call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), percentile(samples, 0.95), len(queries), result


def timed_get(client, path: str, runs: int, **headers) -> tuple[float, float, int, int]:
    """`measure` of a GET of `path` by the test `client`, after three warm-up requests; with its status."""
    median, p95, queries, response = measure(lambda: client.get(path, **headers), runs, warm_up=3)
    return median, p95, queries, response.status_code


def captured_selects(run, *, reading: str = "") -> list[tuple[str, list]]:
    """The SELECTs (with their parameters) that `run()` sends, those naming `reading` only when given."""
    from django.db import connection

    captured = []

    def wrapper(execute, sql, params, many, context):
        if reading in sql and sql.lstrip().upper().startswith("SELECT"):
            captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        run()
    return captured


def statements_seconds(statements) -> float:
    """Seconds to run captured `(sql, params)` statements directly and fetch their rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()
        return time.perf_counter() - started
