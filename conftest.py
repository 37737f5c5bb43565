"""Fixtures shared by every app's tests: two schools, a user of every role in each, API clients."""

import os

import pytest
from django.db import connection
from rest_framework.test import APIClient

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# TEST_TODAY=YYYY-MM-DD runs the whole suite on that day (see core/testing/pinned_today.py).
pytest_plugins = ["core.testing.pinned_today"]

from core.tests.factories import SchoolFactory, UserFactory  # noqa: E402

PLAYWRIGHT_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session", autouse=True)
def _patient_browser_assertions():
    """Playwright's assertions wait 5 s by default; a busy 2-core CI machine can take longer to swap a
    fragment. Waiting longer only slows a failing test, never a passing one."""
    try:
        from playwright.sync_api import expect
    except ImportError:  # pragma: no cover - playwright is in requirements.txt
        return
    expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": PLAYWRIGHT_ARGS}


def pytest_collection_modifyitems(config, items):
    on_mysql = os.environ.get("DATABASE_URL", "").startswith("mysql")
    skip_mysql = pytest.mark.skip(reason="needs a real MariaDB/MySQL server (run with DATABASE_URL=mysql://…)")
    for item in items:
        if "mysql_only" in item.keywords and not on_mysql:
            item.add_marker(skip_mysql)


@pytest.fixture
def is_mysql():
    return connection.vendor == "mysql"


@pytest.fixture
def school(db):
    return SchoolFactory(name="North High", code="north")


@pytest.fixture
def other_school(db):
    return SchoolFactory(name="South High", code="south")


@pytest.fixture
def make_user(db):
    def make(role="teacher", school=None, **kwargs):
        return UserFactory(role=role, school=school, **kwargs)

    return make


@pytest.fixture
def admin_user(make_user, school):
    return make_user("admin", school, username="north-admin")


@pytest.fixture
def form_master(make_user, school):
    return make_user("form_master", school, username="north-fm1")


@pytest.fixture
def other_form_master(make_user, school):
    return make_user("form_master", school, username="north-fm2")


@pytest.fixture
def teacher(make_user, school):
    return make_user("teacher", school, username="north-teacher")


@pytest.fixture
def counselor(make_user, school):
    return make_user("counselor", school, username="north-counselor")


@pytest.fixture
def other_admin(make_user, other_school):
    return make_user("admin", other_school, username="south-admin")


@pytest.fixture
def school_admin_client(client, admin_user):
    """The page client, logged in as the school's admin (pages and Django admin)."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def api_client():
    """An API client; `api_client.force_authenticate(user)` signs in."""
    return APIClient()


@pytest.fixture
def client_for():
    """`client_for(user)`: an API client authenticated as that user."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make
