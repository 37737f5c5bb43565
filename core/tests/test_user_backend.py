"""The signed-in user is read with their school (core.auth.UserBackend), and sessions signed in through
Django's ModelBackend before it keep working once the migration has pointed them at it."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import connection

from core.testing.queries import assert_query_count

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("core.migrations.0003_sessions_signed_in_through_user_backend")
EDITOR = SimpleNamespace(connection=connection)


def backend_of(client) -> str:
    return Session.objects.get(pk=client.session.session_key).get_decoded()["_auth_user_backend"]


def test_a_page_reads_the_user_and_their_school_in_one_query(client, admin_user):
    client.force_login(admin_user)
    assert backend_of(client) == "core.auth.UserBackend"
    with assert_query_count(2):  # the session, the user with their school
        response = client.get("/accounts/password/")
    assert response.status_code == 200 and admin_user.school.name in response.content.decode()


def test_a_session_of_the_old_backend_is_signed_out_until_the_migration_points_it_at_the_new(
    client, admin_user, teacher
):
    client.force_login(admin_user, backend=MIGRATION.OLD)
    assert client.get("/").status_code == 302  # Django no longer knows that backend: signed out
    other = client.__class__()
    other.force_login(teacher)  # a session of the new backend is left as it is

    MIGRATION.forwards(apps, EDITOR)
    assert backend_of(client) == MIGRATION.NEW and backend_of(other) == MIGRATION.NEW
    response = client.get("/")
    assert response.status_code == 200 and admin_user.school.name in response.content.decode()
    assert other.get("/").status_code == 200

    MIGRATION.backwards(apps, EDITOR)
    assert backend_of(client) == MIGRATION.OLD
