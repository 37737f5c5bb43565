"""What one request costs the app, counted in instructions, beside what the stack itself costs.

    .venv/bin/python bench/bench_cost.py [--requests 10] [--jobs 2] [--only alerts,students]

CPU time on a small shared machine moves by a third from one run to the next (bench_load.py's figures
do); an instruction count does not: two identical runs agree to about 0.01 %. This script counts them
with valgrind (`--tool=cachegrind --cache-sim=no`; only the Python process, not the database server).

For each list and page of bench_load.py (the same school, database and paths; the school is built first if
it is missing), two child processes run under valgrind, with DEBUG=0 and the production settings, and
Django's test client in place of gunicorn: one makes the request 3 times (the warm-up: imports, the
template and URL caches), the other 3 + `--requests` times. The difference ÷ `--requests` is one
request's cost. Printed beside it: that cost ÷ the cost of `GET /api/auth/me/` (the token decoded, the
user read, a four-field answer: the stack and nothing else) and the queries the request runs.

`--jobs`: children at once (default 2, one per core). About 15 s a child here; valgrind must be installed
(Debian's `valgrind`).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import bench_load  # noqa: E402  (sets the bench database and the production settings in the environment)

WARM_UP = 3
REFERENCE = "GET /api/auth/me/ (reference)"


def endpoints(user) -> list:
    """bench_load's lists and pages, with the admin's token for the API; pages use the client's session."""
    from rest_framework_simplejwt.tokens import RefreshToken

    token = {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}
    return bench_load.read_endpoints(api=token, page={})


def child(label: str, count: int) -> None:
    """Make the request of `label` WARM_UP + `count` times (run under valgrind by the parent)."""
    import django

    django.setup()
    from django.test import Client

    from core.models import User

    admin = User.objects.filter(username="bench-admin").get()
    _, path_for, headers = next(e for e in endpoints(admin) if e[0] == label)
    client = Client()
    if not headers:  # a page: the admin's session (the API's requests carry only the token)
        client.force_login(admin)
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    for index in range(WARM_UP + count):
        response = client.get(path_for(index, 0), secure=True, **extra)
        if response.status_code != 200:
            sys.exit(f"{label}: {response.status_code}")


def instructions(label: str, count: int) -> int:
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        label,
        str(count),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or not found:
        raise SystemExit(f"{label}: the child failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10, help="measured requests per endpoint")
    parser.add_argument("--jobs", type=int, default=2, help="children under valgrind at once")
    parser.add_argument("--only", default="", help="comma-separated parts of labels (default: all)")
    parser.add_argument("--child", nargs=2, metavar=("LABEL", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind).")

    import django

    django.setup()

    def log(line: str) -> None:
        print(f"  {line}", flush=True)

    data = bench_load.prepare(log)
    bench_load.collect_static(log)  # the pages name the manifest's hashed files, as in production
    rows = endpoints(data["admin"])
    wanted = [part.strip() for part in args.only.split(",") if part.strip()]
    labels = [label for label, _, _ in rows if not wanted or label == REFERENCE or any(w in label for w in wanted)]
    queries = {}
    client_headers = bench_load.credentials(data)
    page_cookie = {"Cookie": f"sessionid={client_headers['session']}"}
    for label, path_for, headers in rows:
        if label in labels:
            queries[label] = len(bench_load.capture_statements("GET", path_for(0, 0), headers or page_cookie))

    jobs = [(label, count) for label in labels for count in (0, args.requests)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        counted = dict(zip(jobs, pool.map(lambda job: instructions(*job), jobs), strict=True))
    cost = {label: (counted[label, args.requests] - counted[label, 0]) / args.requests for label in labels}
    reference = cost[REFERENCE]

    print(f"\n{'request':<44} {'instructions':>13} {'× auth/me':>10} {'queries':>8}")
    for label in labels:
        print(f"{label:<44} {cost[label] / 1e6:>12.1f}M {cost[label] / reference:>9.1f}× {queries[label]:>8}")
    print(
        f"instructions: one request's, in the app's process (Django's test client, DEBUG=0), the mean of "
        f"{args.requests} after {WARM_UP} to warm up; × auth/me: ÷ the cost of {REFERENCE.split(' (')[0]}"
    )


if __name__ == "__main__":
    main()
