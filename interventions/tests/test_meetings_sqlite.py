"""Races between two real connections on SQLite, the default database: one winner, and a 400, never a 500.

The test database pytest-django builds for SQLite lives in memory with a shared cache, where SQLite locks
tables, not the database, and never waits for a lock (busy timeout does not apply). Two threads there
would not show how the configured database behaves. So these tests build the schema in a file of their
own (a copy of the test database), connect every thread to it with the project's real OPTIONS, and put
the in-memory database back afterwards.
"""

import contextlib
import sqlite3
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections

from core.tests.factories import SchoolFactory, UserFactory
from interventions.meetings import services
from interventions.models import InterventionMeeting
from interventions.tests.meetings_helpers import client_of, make_meeting, meeting_payload, race
from students.tests.factories import ClassGroupFactory, StudentFactory

URL = "/api/interventions/meetings/"
# How long a request that has read waits for the other to have read too, before it writes.
BOTH_READ_TIMEOUT = 1.0
pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def _default_database_in(path):
    """The default alias pointed at the SQLite file `path` (this thread and any new one), with the project's
    real OPTIONS; the in-memory database put back afterwards."""
    in_memory = connections["default"]
    in_memory_settings = connections.settings["default"]
    file_settings = {
        **in_memory_settings,
        "NAME": str(path),
        "OPTIONS": dict(in_memory_settings.get("OPTIONS", {})),
    }
    connections.settings["default"] = file_settings
    file_connection = connections.create_connection("default")
    connections["default"] = file_connection
    # Content types are cached with the ids of the database they were read from.
    ContentType.objects.clear_cache()
    try:
        yield file_settings
    finally:
        file_connection.close()
        connections["default"] = in_memory
        connections.settings["default"] = in_memory_settings
        ContentType.objects.clear_cache()


@pytest.fixture
def sqlite_file_database(transactional_db, tmp_path):
    """Point the default alias at a SQLite file holding a copy of the test database (its schema, as the
    migrations built it), made with SQLite's backup API: a migration of the file took seconds a test."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's locking; the MariaDB races are in test_meetings_mysql.py")
    path = tmp_path / "race.sqlite3"
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
    with _default_database_in(path) as file_settings:
        yield file_settings


@pytest.fixture
def people(sqlite_file_database):
    school = SchoolFactory(name="North High", code="north")
    form_master = UserFactory(role="form_master", school=school, username="north-fm1")
    admin = UserFactory(role="admin", school=school, username="north-admin")
    form = ClassGroupFactory(school=school, form_master=form_master, name="Form 2B")
    student = StudentFactory(school=school, class_group=form, first_name="Sam", last_name="Lee")
    return form_master, admin, student


def test_the_file_database_uses_the_configured_options(sqlite_file_database):
    """Every connection begins its transactions IMMEDIATE, waits for locks and writes ahead to a log."""
    assert sqlite_file_database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert connection.settings_dict["NAME"] == sqlite_file_database["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000


def test_two_racing_creates_of_the_same_active_case(people, monkeypatch):
    """Both requests check for a duplicate before either inserts: one 201, one 400 naming the first.

    Each request, having checked, waits (a second at most) for the other to have checked too, so the two
    reads overlap whenever the database lets them. A deferred transaction then cannot upgrade its read lock
    to a write lock and fails at once with "database is locked"; begun IMMEDIATE, the second request waits
    for the first to commit and then reads its row.
    """
    form_master, admin, student = people
    both_read = threading.Barrier(2)
    check = services._has_active_duplicate

    def check_then_wait_for_the_other(**kwargs):
        found = check(**kwargs)
        # The other request may be waiting for the lock this one holds.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=BOTH_READ_TIMEOUT)
        return found

    monkeypatch.setattr(services, "_has_active_duplicate", check_then_wait_for_the_other)
    payload = meeting_payload(student)
    responses = race(
        [
            lambda: client_of(form_master).post(URL, payload, format="json"),
            lambda: client_of(admin).post(URL, payload, format="json"),
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 400], [r.content for r in responses]
    winner = next(r for r in responses if r.status_code == 201).json()
    loser = next(r for r in responses if r.status_code == 400).json()
    assert loser["root_cause"] == [
        f"Sam Lee already has an active intervention for Family (#{winner['id']}, status open). "
        "Add a progress update to it or close it first."
    ]
    assert InterventionMeeting.objects.filter(student=student, root_cause="family").count() == 1


def test_two_racing_patches_with_the_same_version(people):
    """Same version read by both: one 200, one 409 with the version the winner left."""
    form_master, admin, student = people
    meeting = make_meeting(student=student, created_by=form_master, action_plan="original")
    url = f"{URL}{meeting.pk}/"
    plans = {"fm": "plan of the form master", "admin": "plan of the admin"}
    responses = race(
        [
            lambda: client_of(form_master).patch(url, {"action_plan": plans["fm"], "version": 1}, format="json"),
            lambda: client_of(admin).patch(url, {"action_plan": plans["admin"], "version": 1}, format="json"),
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409], [r.content for r in responses]
    winner = next(r for r in responses if r.status_code == 200).json()
    assert next(r for r in responses if r.status_code == 409).json()["current_version"] == 2
    meeting.refresh_from_db()
    assert (meeting.version, meeting.action_plan) == (2, winner["action_plan"])
