"""Load benchmark over HTTP: gunicorn as in production, on MariaDB, with the 1,500-student bench school.

    .venv/bin/python bench/bench_load.py [--requests 30] [--clients 20] [--workers 3] [--threads 1] [--repeat 3]

1. Builds (once) the school of bench_attendance.py (1,500 students, 180 days of attendance) in its own
   database (`ss_bench_load` on the server of DATABASE_URL; override with BENCH_DATABASE_URL), raises its
   alerts with the scan and records meetings for some of them.
2. Runs `collectstatic` and starts gunicorn with the README's production command line (its workers; DEBUG=0,
   SECRET_KEY, whitenoise's manifest), on a free loopback port instead of the README's, talking to it as the
   TLS proxy would (`X-Forwarded-Proto: https`). `--workers` / `--threads` try another shape.
3. `--clients` concurrent clients (threads, one keep-alive connection each) send `--requests` requests
   each to every list and page below, one endpoint at a time; then the 8:45 register rush: every form of
   the school saves its register at once, five times.
4. The floor: the SQL statements each request ran (captured once in-process through the same views) are
   replayed over `--clients` concurrent database connections, `--requests` times each, in the same run;
   the rush's writes are replayed inside transactions that are rolled back.

The last row, `GET /api/auth/me/`, is no list: it shows what the stack itself costs a request (the token
decoded, the user read, a four-field answer), against which the lists' CPU can be read.

`--repeat N` measures each row N times (the HTTP run, then its floor, in turn) and prints the medians
with the lowest and highest ratio: on a 2-core machine one run's ratio moves by a third from run to run.

Prints p50 / p95 of the HTTP time and of its SQL floor, the ratio of the p95s and the errors (non-2xx),
and the CPU time each request cost gunicorn's workers and the database server (read from /proc while the
clients ran; the database's only when it runs on this machine). Once the clients outnumber the cores,
a request's HTTP time is mostly its wait for a core: about clients × CPU per request ÷ cores.
Everything stays on 127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import random
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def bench_database_url() -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    given = os.environ.get("DATABASE_URL") or "mysql://root:@127.0.0.1:3306/"
    if not given.startswith("mysql"):
        given = "mysql://root:@127.0.0.1:3306/"
    return urlparse(given)._replace(path="/ss_bench_load").geturl()


SERVER_ENV = {
    "DATABASE_URL": bench_database_url(),
    "DEBUG": "0",
    "SECRET_KEY": "bench-load-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    # Long enough for the whole run: tokens are minted once, before the load.
    "JWT_ACCESS_MINUTES": "240",
}
DATABASE_URL = SERVER_ENV["DATABASE_URL"]
os.environ.update(SERVER_ENV)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "school_support.settings")

HTTPS = {"X-Forwarded-Proto": "https"}
RUSH_ROUNDS = 5
MEETINGS = 300


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def processes(match) -> list[int]:
    """The pids whose /proc/<pid>/stat fields (after the name) and name satisfy `match(name, fields)`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                head, tail = (entry / "stat").read_text().rsplit(")", 1)
            except OSError:
                continue
            if match(head.split("(", 1)[1], tail.split()):
                found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU time used, per request, by gunicorn's workers and by the database server (when it runs on
    this machine) while the clients run: where a request's time goes once every core is busy."""

    def __init__(self, server: subprocess.Popen):
        self.server = server
        local = urlparse(DATABASE_URL).hostname in ("127.0.0.1", "localhost")
        self.database = processes(lambda name, _: name in ("mariadbd", "mysqld")) if local else []

    def workers(self) -> list[int]:
        return processes(lambda _, fields: fields[1] == str(self.server.pid))

    def measure(self, run):
        """(run's result, (worker ms, database ms) per sample, or None for the database elsewhere)."""
        workers = self.workers()
        before = [cpu_seconds(pid) for pid in workers + self.database]
        samples, errors = run()
        after = [cpu_seconds(pid) for pid in workers + self.database]
        # A worker that exited during the run reads 0 afterwards: it counts nothing, not less than nothing.
        used = [max(0.0, b - a) for a, b in zip(before, after, strict=True)]
        count = max(1, len(samples))
        app = 1000 * sum(used[: len(workers)]) / count
        database = 1000 * sum(used[len(workers) :]) / count if self.database else None
        return (samples, errors), (app, database)


def run_clients(count: int, rounds: int, work) -> tuple[list[float], int]:
    """`count` threads each calling `work(client_index, round)` `rounds` times; (milliseconds, errors)."""
    samples: list[float] = []
    errors = [0]
    kinds: dict[str, int] = {}
    lock = threading.Lock()
    start = threading.Barrier(count)

    def client(index: int):
        state = {}
        start.wait()
        for round_ in range(rounds):
            began = time.perf_counter()
            try:
                ok = work(index, round_, state)
            except Exception as exc:  # noqa: BLE001 - a failed request is counted, not fatal
                ok = f"{type(exc).__name__}: {str(exc)[:80]}"
                state.clear()
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                samples.append(elapsed)
                if ok is not True:
                    errors[0] += 1
                    kinds[str(ok)] = kinds.get(str(ok), 0) + 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    if kinds:
        print(f"    errors: {kinds}", flush=True)
    return samples, errors[0]


# Data --------------------------------------------------------------------------------------------------


def prepare(log) -> dict:
    import bench_attendance
    from benchdb import ensure_database
    from django.core.management import call_command
    from django.utils import timezone

    from core.models import School, User
    from interventions.alerts.services import scan_school
    from interventions.meetings import services as meeting_services
    from interventions.models import Alert, InterventionMeeting
    from students.models import ClassGroup, Student

    # bench_attendance points DATABASE_URL at its own database when imported: this run's is ours.
    os.environ["DATABASE_URL"] = DATABASE_URL
    ensure_database(DATABASE_URL)
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    if not School.objects.filter(code=bench_attendance.SCHOOL_CODE).exists():
        bench_attendance.generate(today, log)
    school = School.objects.get(code=bench_attendance.SCHOOL_CODE)
    admin = User.objects.get(username="bench-admin")
    teacher = User.objects.get(username="bench-teacher")
    day = bench_attendance.last_school_days(today, 1)[0]
    if not Alert.objects.filter(school=school).exists():
        log(f"scan: {scan_school(school=school, as_of=day)}")
    if not InterventionMeeting.objects.filter(school=school).exists():
        causes = list(InterventionMeeting.RootCause.values)
        alerts = Alert.objects.filter(school=school).select_related("student__class_group").order_by("pk")
        for n, alert in enumerate(alerts[:MEETINGS]):
            meeting_services.meeting_create(
                actor=admin,
                student=alert.student,
                alert=None,
                meeting_date=day,
                absence_reason="Bench",
                root_cause=causes[n % len(causes)],
                intervention_notes="Bench notes",
                action_plan="Bench plan",
                follow_up_date=day + datetime.timedelta(days=7 + n % 14),
                urgency_level=InterventionMeeting.Urgency.MEDIUM,
            )
        log(f"meetings: {InterventionMeeting.objects.filter(school=school).count()}")
    forms = list(ClassGroup.objects.filter(school=school).order_by("pk").values_list("pk", flat=True))
    pupils = {}
    for pk, form_id in Student.objects.filter(school=school, status="active").values_list("pk", "class_group_id"):
        pupils.setdefault(form_id, []).append(pk)
    return {"school": school, "admin": admin, "teacher": teacher, "day": day, "forms": forms, "pupils": pupils}


def credentials(data: dict) -> dict:
    from django.test import Client
    from rest_framework_simplejwt.tokens import RefreshToken

    pages = Client()
    pages.force_login(data["admin"])
    return {
        "admin": f"Bearer {RefreshToken.for_user(data['admin']).access_token}",
        "teacher": f"Bearer {RefreshToken.for_user(data['teacher']).access_token}",
        "session": pages.cookies["sessionid"].value,
    }


def rush_body(data: dict, form_id: int, round_: int) -> dict:
    rng = random.Random(form_id * 10 + round_)
    statuses = ["present"] * 90 + ["absent"] * 5 + ["late"] * 4 + ["excused"]
    records = []
    for pk in data["pupils"].get(form_id, []):
        status = rng.choice(statuses)
        records.append({"student": pk, "status": status, "reason": "" if status == "present" else "Rush"})
    return {"class_group": form_id, "date": data["day"].isoformat(), "records": records}


# The floor ----------------------------------------------------------------------------------------------


def capture_statements(method: str, path: str, headers: dict, body: dict | None = None) -> list[str]:
    """The SQL that one request runs, through the same views in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(enforce_csrf_checks=False)
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    with CaptureQueriesContext(connection) as captured:
        if method == "GET":
            response = client.get(path, secure=True, **extra)
        else:
            response = client.post(path, json.dumps(body), content_type="application/json", secure=True, **extra)
    assert response.status_code < 400, (path, response.status_code, response.content[:300])
    return [query["sql"] for query in captured.captured_queries]


def replay(statements_for, clients: int, rounds: int, *, rollback: bool) -> tuple[list[float], int]:
    import MySQLdb

    parts = urlparse(DATABASE_URL)

    def work(index, round_, state):
        if "db" not in state:
            state["db"] = MySQLdb.connect(
                host=parts.hostname,
                port=parts.port or 3306,
                user=parts.username or "root",
                passwd=parts.password or "",
                db=parts.path.lstrip("/"),
                charset="utf8mb4",
                autocommit=not rollback,
            )
        cursor = state["db"].cursor()
        for sql in statements_for(index, round_):
            try:
                cursor.execute(sql)
            except MySQLdb.IntegrityError:
                # A replayed INSERT of a row the captured request created (an alert raised after the
                # register's commit): the statement did its work up to the unique index; go on.
                continue
            cursor.fetchall()
        if rollback:
            state["db"].rollback()
        return True

    return run_clients(clients, rounds, work)


# HTTP ---------------------------------------------------------------------------------------------------


def http_work(port: int, method: str, path_for, headers: dict, body_for=None, ok=range(200, 300)):
    def work(index, round_, state):
        if "conn" not in state:
            state["conn"] = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        payload = json.dumps(body_for(index, round_)).encode() if body_for else None
        send = {**HTTPS, **headers, **({"Content-Type": "application/json"} if payload else {})}
        state["conn"].request(method, path_for(index, round_), body=payload, headers=send)
        response = state["conn"].getresponse()
        content = response.read()
        return True if response.status in ok else f"HTTP {response.status} {content[:120]!r}"

    return work


def server_command(port: int, args) -> list[str]:
    """The README's production gunicorn line, on `port`; `--workers` / `--threads` given here override it."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from prod_smoke import readme_production_commands

    line = next(command for command in readme_production_commands(ROOT / "README.md") if "gunicorn" in command)
    words = shlex.split(line)
    words[0] = str(ROOT / words[0])
    words[words.index("--bind") + 1] = f"127.0.0.1:{port}"
    for option in ("workers", "threads"):
        if getattr(args, option) is not None:
            words += [f"--{option}", str(getattr(args, option))]
    return [*words, "--log-level", "warning"]


def start_server(port: int, command: list[str]) -> subprocess.Popen:
    env = {**os.environ, **SERVER_ENV}  # DATABASE_URL: this run's database
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def collect_static(log) -> None:
    from django.core.management import call_command

    vendor_map = ROOT / "static" / "vendor" / "chart.umd.js.map"
    source_map = ROOT / "node_modules" / "chart.js" / "dist" / "chart.umd.js.map"
    if not vendor_map.exists() and source_map.exists():
        # chart.umd.js names its source map; the manifest storage refuses a file whose map is missing.
        shutil.copy(source_map, vendor_map)
        log("copied chart.umd.js.map into static/vendor for collectstatic")
    call_command("collectstatic", interactive=False, verbosity=0)


def read_endpoints(*, api: dict, page: dict) -> list[tuple[str, object, dict]]:
    """The lists and pages measured, as (label, path of client i's request r, headers): `api` and `page`
    are the admin's headers for the API (a token) and for the pages (a session). bench_cost.py reads the
    same list."""
    student_pages = max(1, 1500 // 50)
    return [
        (
            "GET /api/students/?page_size=50",
            lambda i, r: f"/api/students/?page_size=50&page={(i * 7 + r) % student_pages + 1}",
            api,
        ),
        ("GET /api/interventions/meetings/", lambda i, r: "/api/interventions/meetings/", api),
        ("GET /api/interventions/alerts/", lambda i, r: "/api/interventions/alerts/", api),
        ("GET /api/interventions/meetings/stats/", lambda i, r: "/api/interventions/meetings/stats/", api),
        (
            "GET /api/attendance/?page_size=50",
            lambda i, r: f"/api/attendance/?page_size=50&page={(i * 13 + r) % 100 + 1}",
            api,
        ),
        ("page /", lambda i, r: "/", page),
        ("page /students/", lambda i, r: "/students/", page),
        ("page /alerts/", lambda i, r: "/alerts/", page),
        ("page /form-master/interventions/", lambda i, r: "/form-master/interventions/", page),
        # The stack's own cost, for scale: token, user, a four-field answer (no list, no page).
        ("GET /api/auth/me/ (reference)", lambda i, r: "/api/auth/me/", api),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30, help="requests per client and endpoint")
    parser.add_argument("--workers", type=int, default=None, help="default: the README's production line")
    parser.add_argument("--threads", type=int, default=None, help="default: the README's production line")
    parser.add_argument("--only", default="", help="comma-separated labels to run (default: all)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="measure each row so many times, HTTP and its floor in turn: the medians and the ratios' range",
    )
    args = parser.parse_args()

    import django

    django.setup()
    log = lambda line: print(f"  {line}", flush=True)  # noqa: E731
    data = prepare(log)
    collect_static(log)
    tokens = credentials(data)
    api_admin = {"Authorization": tokens["admin"]}
    api_teacher = {"Authorization": tokens["teacher"]}
    page_admin = {"Cookie": f"sessionid={tokens['session']}"}
    endpoints = read_endpoints(api=api_admin, page=page_admin)
    wanted = {label.strip() for label in args.only.split(",") if label.strip()}
    endpoints = [e for e in endpoints if not wanted or any(w in e[0] for w in wanted)]

    # A stopped run still stops its server (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    port = free_port()
    command = server_command(port, args)
    server = start_server(port, command)
    meter = CpuMeter(server)
    rows = []
    try:
        print(
            f"{' '.join(command[1:])}; "
            f"{args.clients} clients x {args.requests} requests per endpoint; database {DATABASE_URL}"
        )
        for label, path_for, headers in endpoints:
            statements = {}

            def statements_for(index, round_, path_for=path_for, headers=headers, statements=statements):
                path = path_for(index, round_)
                if path not in statements:
                    statements[path] = capture_statements("GET", path, headers)
                return statements[path]

            # One client alone first: what a request costs when it waits for nobody.
            alone, _ = run_clients(1, args.requests, http_work(port, "GET", path_for, headers))
            # Capture every path first (in this thread), so the replay times only the statements.
            for index in range(args.clients):
                for round_ in range(args.requests):
                    statements_for(index, round_)
            runs = []
            for _ in range(args.repeat):
                (http_samples, http_errors), cpu = meter.measure(
                    lambda path_for=path_for, headers=headers: run_clients(
                        args.clients, args.requests, http_work(port, "GET", path_for, headers)
                    )
                )
                sql_samples, sql_errors = replay(statements_for, args.clients, args.requests, rollback=False)
                runs.append(Run(http_samples, http_errors, sql_samples, sql_errors, cpu))
            count = len(next(iter(statements.values())))
            rows.append((label, alone, runs, count))
            print_row(rows[-1])

        if not wanted or any("rush" in w for w in wanted):
            forms = data["forms"]
            rush_statements = {}
            for form_id in forms:
                rush_statements[form_id] = capture_statements(
                    "POST", "/api/attendance/bulk/", api_teacher, rush_body(data, form_id, 99)
                )
            # Client i saves the register of form i; alone, client 0 saves the first form's.
            rush = http_work(
                port,
                "POST",
                lambda i, r: "/api/attendance/bulk/",
                api_teacher,
                body_for=lambda i, r: rush_body(data, forms[i], r),
            )
            alone, _ = run_clients(1, RUSH_ROUNDS, rush)
            runs = []
            for _ in range(args.repeat):
                (http_samples, http_errors), cpu = meter.measure(lambda: run_clients(len(forms), RUSH_ROUNDS, rush))
                sql_samples, sql_errors = replay(
                    lambda i, r: rush_statements[forms[i]], len(forms), RUSH_ROUNDS, rollback=True
                )
                runs.append(Run(http_samples, http_errors, sql_samples, sql_errors, cpu))
            label = f"register rush ({len(forms)} forms at once) x{RUSH_ROUNDS}"
            count = len(rush_statements[forms[0]])
            rows.append((label, alone, runs, count))
            print_row(rows[-1])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)

    print()
    print(
        f"{'request':<44} {'alone p50':>9} {'HTTP p50':>9} {'HTTP p95':>9} {'SQL p50':>8} {'SQL p95':>8} "
        f"{'ratio':>6} {'errors':>7} {'queries':>8} {'app CPU':>8} {'DB CPU':>7}"
        + (f" {'ratio range':>12}" if args.repeat > 1 else "")
    )
    for row in rows:
        print_row(row)
    print(
        "alone: one client, nobody else; HTTP: --clients at once; SQL: the same statements over as many "
        "connections; ratio: HTTP p95 / SQL p95;\napp CPU / DB CPU: CPU time used per request by gunicorn's "
        f"workers / the database server during the HTTP run ({os.cpu_count()} cores here)"
        + (
            f";\nwith --repeat {args.repeat}: each figure is the median of the runs' own, the ratio range their "
            "lowest and highest ratio"
            if args.repeat > 1
            else ""
        )
    )


@dataclass
class Run:
    """One concurrent HTTP run of a row and the replay of its floor that followed it."""

    http_samples: list[float]
    http_errors: int
    sql_samples: list[float]
    sql_errors: int
    cpu: tuple[float, float | None]

    def ratio(self) -> float:
        sql95 = percentile(self.sql_samples, 0.95)
        return percentile(self.http_samples, 0.95) / sql95 if sql95 else float("nan")


def print_row(row) -> None:
    label, alone, runs, count = row

    def median_of(figure) -> float:
        return statistics.median(figure(run) for run in runs)

    http50, http95 = (
        median_of(lambda r: percentile(r.http_samples, 0.5)),
        median_of(lambda r: percentile(r.http_samples, 0.95)),
    )
    sql50, sql95 = (
        median_of(lambda r: percentile(r.sql_samples, 0.5)),
        median_of(lambda r: percentile(r.sql_samples, 0.95)),
    )
    app_cpu = median_of(lambda r: r.cpu[0])
    db_cpu = median_of(lambda r: r.cpu[1]) if all(r.cpu[1] is not None for r in runs) else None
    http_errors, sql_errors = sum(r.http_errors for r in runs), sum(r.sql_errors for r in runs)
    ratios = [run.ratio() for run in runs]
    db_cpu = f"{db_cpu:>6.2f}m" if db_cpu is not None else f"{'-':>7}"
    spread = f" {min(ratios):>5.1f}–{max(ratios):.1f}x" if len(runs) > 1 else ""
    print(
        f"{label:<44} {percentile(alone, 0.5):>8.1f}m {http50:>8.1f}m {http95:>8.1f}m "
        f"{sql50:>7.1f}m {sql95:>7.1f}m {statistics.median(ratios):>5.1f}x "
        f"{http_errors:>7} {count:>8} {app_cpu:>7.2f}m {db_cpu}{spread}"
        + (f"  (floor replay errors: {sql_errors})" if sql_errors else ""),
        flush=True,
    )


if __name__ == "__main__":
    main()
