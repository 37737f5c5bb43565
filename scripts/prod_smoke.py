"""Production smoke test: the README's production steps, run as written, then pages fetched from gunicorn.

In a temporary copy of the project (the working tree's files; `.venv` and `node_modules` linked, so set-up
finds them installed) it runs each command of the README's "Production" block in order: set-up, the
`export` (placeholders filled in: a generated SECRET_KEY, a temporary SQLite DATABASE_URL unless
--database-url is given), migrate, collectstatic, check --deploy, and gunicorn on a free port instead of
the README's. It seeds the demo users, logs in through the login page as a proxy would send it (the
README's host in `Host`, `X-Forwarded-Proto: https`), fetches the main pages and every stylesheet, script
and image they reference (and what the stylesheets reference in turn), and fails unless every answer is
200. Then it stops the server and removes the copy.

    .venv/bin/python scripts/prod_smoke.py [--database-url URL] [--keep]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "/",
    "/attendance/",
    "/students/",
    "/alerts/",
    "/form-master/interventions/",
    "/api/docs/",
    "/admin/",
]
USERNAME = "north-admin"
PASSWORD = "smoke-" + secrets.token_urlsafe(12)
PLACEHOLDER = "…"


class SmokeFailure(Exception):
    pass


def readme_production_commands(readme: Path) -> list[str]:
    """The indented command block that opens the README's "## Production" section, one command a line."""
    text = readme.read_text()
    match = re.search(r"^## Production\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not match:
        raise SmokeFailure("README.md has no '## Production' section.")
    commands, started = [], False
    for line in match.group(1).splitlines():
        if line.startswith("    ") and line.strip():
            commands.append(line.strip())
            started = True
        elif started and line.strip():
            break
    if not commands:
        raise SmokeFailure("README.md's Production section has no command block.")
    return commands


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    if port == 8000:
        return free_port()
    return port


def copy_project(target: Path) -> None:
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if not source.is_file():  # deleted in the working tree
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    for installed in (".venv", "node_modules"):
        if (ROOT / installed).exists():
            (target / installed).symlink_to(ROOT / installed)


def production_env(export_line: str, *, database_url: str) -> tuple[dict[str, str], dict[str, str]]:
    """The variables of the README's `export` line; placeholders get working values."""
    values = {}
    for word in shlex.split(export_line)[1:]:
        name, _, value = word.partition("=")
        if PLACEHOLDER in value:
            value = {"SECRET_KEY": secrets.token_urlsafe(50), "DATABASE_URL": database_url}.get(name, "")
            if not value:
                raise SmokeFailure(f"No value to put in for the README's placeholder {name}=…")
        values[name] = value
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "TEST_TODAY"}}
    env.update(values)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env, values


def run(command: str, *, cwd: Path, env: dict[str, str]) -> str:
    print(f"$ {command}", flush=True)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise SmokeFailure(f"`{command}` exited {result.returncode}:\n{result.stdout[-4000:]}{result.stderr[-4000:]}")
    return result.stdout


class References(HTMLParser):
    """The stylesheets, scripts and images a page loads."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "link" and attrs.get("href"):
            rel = (attrs.get("rel") or "").lower().split()
            if {"stylesheet", "icon", "preload", "modulepreload"} & set(rel):
                self.urls.append(attrs["href"])
        elif tag == "img" and attrs.get("src"):
            self.urls.append(attrs["src"])


class Client:
    """HTTP as the TLS-terminating proxy forwards it: the public host, X-Forwarded-Proto: https."""

    def __init__(self, port: int, host: str):
        self.port, self.host = port, host
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, *, form: dict | None = None, referer: str | None = None):
        path = self.local_path(url)
        headers = {"Host": self.host, "X-Forwarded-Proto": "https", "User-Agent": "school-support-prod-smoke"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.host}"
        if referer:
            headers["Referer"] = referer
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie, _, attributes = value.partition(";")
                key, _, cookie_value = cookie.strip().partition("=")
                if "max-age=0" in attributes.lower().replace(" ", "") or not cookie_value:
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = cookie_value
        return response, content

    def local_path(self, url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        if parts.netloc and parts.netloc != self.host:
            raise SmokeFailure(f"{url} is not on this site: pages may load only their own files.")
        return urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))

    def absolute(self, url: str, base: str = "/") -> str:
        return urllib.parse.urljoin(f"https://{self.host}{self.local_path(base)}", url)


def wait_for_server(port: int, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SmokeFailure(f"gunicorn exited {server.returncode} before answering.")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SmokeFailure(f"gunicorn did not answer on port {port} within {seconds:.0f} s.")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def log_in(client: Client) -> None:
    response, content = client.request("GET", "/accounts/login/")
    if response.status != 200:
        raise SmokeFailure(f"GET /accounts/login/ answered {response.status}.")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
    if not token:
        raise SmokeFailure("The login page has no CSRF token.")
    response, _ = client.request(
        "POST",
        "/accounts/login/",
        form={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1).decode()},
        referer=client.absolute("/accounts/login/"),
    )
    location = response.getheader("Location") or ""
    if response.status != 302 or client.local_path(location) != "/" or "sessionid" not in client.cookies:
        raise SmokeFailure(f"Logging in as {USERNAME} answered {response.status} (Location {location!r}).")
    print(f"logged in as {USERNAME} through the login page")


def fetch_everything(client: Client) -> tuple[int, int]:
    failures, fetched = [], set()
    assets: list[tuple[str, str]] = []
    for page in PAGES:
        response, content = client.request("GET", page)
        print(f"{response.status} {page}")
        if response.status != 200:
            failures.append(f"{page}: {response.status} {response.getheader('Location') or ''}".strip())
            continue
        if "script-src 'self'" not in (response.getheader("Content-Security-Policy") or ""):
            failures.append(f"{page}: no Content-Security-Policy with script-src 'self'")
        parser = References()
        parser.feed(content.decode("utf-8", "replace"))
        assets.extend((client.absolute(url, page), page) for url in parser.urls)
    while assets:
        url, referrer = assets.pop(0)
        if url in fetched:
            continue
        fetched.add(url)
        path = client.local_path(url)
        response, content = client.request("GET", url)
        print(f"{response.status} {path}  (from {client.local_path(referrer)})")
        if response.status != 200 or not content:
            failures.append(f"{path} (from {client.local_path(referrer)}): {response.status}")
            continue
        if path.startswith("/static/") and not re.search(r"\.[0-9a-f]{12}\.", path):
            failures.append(f"{path}: not a file of the collected manifest (no content hash in its name)")
        if path.split("?")[0].endswith(".css"):
            for reference in re.findall(rb"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", content):
                reference = reference.decode()
                if not reference.startswith(("data:", "#")):
                    assets.append((client.absolute(reference, path), path))
    if failures:
        raise SmokeFailure("Not 200:\n  " + "\n  ".join(failures))
    return len(PAGES), len(fetched)


def smoke(*, database_url: str | None, keep: bool) -> None:
    commands = readme_production_commands(ROOT / "README.md")
    workdir = Path(tempfile.mkdtemp(prefix="school-support-prod-smoke-"))
    server = None
    try:
        copy_project(workdir)
        print(f"project copied to {workdir}")
        env, host = dict(os.environ), None
        server_command = None
        for command in commands:
            if command.startswith("export "):
                env, values = production_env(command, database_url=database_url or f"sqlite:///{workdir}/db.sqlite3")
                host = (values.get("ALLOWED_HOSTS") or "").split(",")[0].strip()
                print(f"$ export {' '.join(f'{k}=…' if k == 'SECRET_KEY' else f'{k}={v}' for k, v in values.items())}")
            elif "gunicorn" in command:
                server_command = command
            elif server_command is not None:
                raise SmokeFailure(f"README: `{command}` comes after the gunicorn command.")
            else:
                run(command, cwd=workdir, env=env)
        if server_command is None or not host:
            raise SmokeFailure("README's Production block needs an `export … ALLOWED_HOSTS=…` and a gunicorn command.")
        if env.get("DEBUG") != "0":
            raise SmokeFailure("README's production steps must run with DEBUG=0.")
        run(
            f".venv/bin/python manage.py seed_demo --password {shlex.quote(PASSWORD)} > /dev/null", cwd=workdir, env=env
        )

        port = free_port()
        command, bound = re.subn(r"--bind\s+([\w.\[\]:-]+):\d+", rf"--bind \g<1>:{port}", server_command)
        if not bound:
            raise SmokeFailure(f"README's gunicorn command has no `--bind HOST:PORT`: {server_command}")
        print(f"$ {command}   (the README's port {port} instead)", flush=True)
        log_file = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 - kept open for the server's life
        server = subprocess.Popen(
            ["bash", "-c", f"exec {command}"], cwd=workdir, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        wait_for_server(port, server)
        client = Client(port, host)
        log_in(client)
        pages, assets = fetch_everything(client)
        print(f"prod smoke: {pages} pages and {assets} files they load, all 200 from gunicorn with DEBUG=0")
    except SmokeFailure:
        if server is not None and (workdir / "gunicorn.log").exists():
            print(
                "--- gunicorn log (last lines) ---\n" + (workdir / "gunicorn.log").read_text()[-4000:], file=sys.stderr
            )
        raise
    finally:
        if server is not None:
            stop(server)
        if keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a database of the smoke test's own (default: a temporary SQLite)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy")
    args = parser.parse_args()
    try:
        smoke(database_url=args.database_url, keep=args.keep)
    except SmokeFailure as failure:
        print(f"FAILED: production smoke: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
