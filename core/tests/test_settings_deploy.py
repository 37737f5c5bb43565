"""Production settings from the environment pass Django's deployment checks without a warning."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k3J9-prod-only-7Qz!vX2mR8pL4wN6tY1uB5cE0hG3jF9sD2aK7xZq",
    "ALLOWED_HOSTS": "support.example.org",
    "DJANGO_SETTINGS_MODULE": "school_support.settings",
}


def run_manage(*args, **env_overrides):
    # A clean production environment: none of the test run's own variables (the async switch for
    # Playwright, the test database) leak into it.
    dropped = {"DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(PRODUCTION_ENV, **env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_security_deploy_checks_pass():
    """Django's own deployment checks (HTTPS, cookies, HSTS, secret key, DEBUG, hosts)."""
    assert len(PRODUCTION_ENV["SECRET_KEY"]) >= 50
    result = run_manage("check", "--deploy", "--tag", "security", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_has_no_issues():
    """Every deployment check, including drf-spectacular's check that the API schema builds cleanly."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_missing_secret_key_is_refused_in_production():
    result = run_manage("check", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_production_turns_on_https_and_off_debug():
    names = ["DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS"]
    code = "from django.conf import settings; print(" + ", ".join(f"settings.{n}" for n in names) + ")"
    result = run_manage("shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "31536000"]


def test_a_worker_loads_the_urls_and_freezes_them_before_its_first_request():
    """The WSGI module (what each gunicorn worker imports) loads every view module and freezes the
    objects loaded so far, so a worker's first request does not import and full collections skip them."""
    dropped = {"DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(PRODUCTION_ENV)
    loaded = ("interventions.alerts.views", "interventions.programs.sections")
    code = (
        "import gc, sys; import school_support.wsgi; "
        f"print(gc.get_freeze_count() > 10000, *(name in sys.modules for name in {loaded!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True"]
