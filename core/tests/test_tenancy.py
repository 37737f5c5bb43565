"""Two schools: nothing of one is visible or changeable from the other, in the API and in the admin."""

import pytest

from core import audit
from core.errors import NotFoundError
from core.models import AuditLog
from core.tenancy import get_scoped, scoped
from students.models import Student
from students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def south_staff(make_user, other_school, other_admin):
    return {
        "admin": other_admin,
        "teacher": make_user("teacher", other_school, username="south-teacher", first_name="Sigrid"),
    }


class TestForActor:
    def test_rows_of_the_actors_school_only(self, school, other_school, teacher, other_admin):
        mine = StudentFactory(school=school)
        StudentFactory(school=other_school)

        assert list(Student.objects.for_actor(teacher)) == [mine]
        assert list(scoped(Student, teacher)) == [mine]
        assert Student.objects.for_actor(other_admin).count() == 1

    def test_another_schools_row_and_a_missing_row_are_the_same_not_found(self, school, other_school, teacher):
        theirs = StudentFactory(school=other_school)
        with pytest.raises(NotFoundError):
            get_scoped(Student, teacher, pk=theirs.pk)
        with pytest.raises(NotFoundError):
            get_scoped(Student, teacher, pk=999_999)
        with pytest.raises(NotFoundError):
            get_scoped(Student, teacher, pk="not-a-number")

    def test_anonymous_and_schoolless_users_see_nothing(self, school, make_user):
        from django.contrib.auth.models import AnonymousUser

        StudentFactory(school=school)
        assert Student.objects.for_actor(AnonymousUser()).count() == 0
        assert Student.objects.for_actor(None).count() == 0
        assert Student.objects.for_actor(make_user("admin", None, username="lost")).count() == 0

    def test_platform_superuser_without_school_sees_every_school(self, school, other_school, make_user):
        StudentFactory(school=school)
        StudentFactory(school=other_school)
        root = make_user("admin", None, username="root", is_superuser=True, is_staff=True)
        assert Student.objects.for_actor(root).count() == 2


class TestApiIsolation:
    def test_me_is_the_signed_in_user_of_their_school(self, client_for, admin_user, other_admin):
        north = client_for(admin_user).get("/api/auth/me/").json()
        south = client_for(other_admin).get("/api/auth/me/").json()
        assert (north["username"], north["school_code"]) == ("north-admin", "north")
        assert (south["username"], south["school_code"]) == ("south-admin", "south")

    def test_audit_api_never_shows_the_other_school(self, client_for, admin_user, other_admin, south_staff):
        audit.record(actor=south_staff["teacher"], action="client.printed_report", entity_type="client_event")
        audit.record(actor=admin_user, action="client.printed_report", entity_type="client_event")

        north = client_for(admin_user).get("/api/audit/").json()
        assert north["count"] == 1
        assert north["results"][0]["actor_username"] == "north-admin"
        by_south_actor = client_for(admin_user).get("/api/audit/", {"actor": south_staff["teacher"].pk}).json()
        assert by_south_actor["count"] == 0

        south = client_for(other_admin).get("/api/audit/").json()
        assert [r["actor_username"] for r in south["results"]] == ["south-teacher"]

    def test_client_events_are_filed_under_the_actors_school(self, client_for, teacher, other_school, south_staff):
        client_for(south_staff["teacher"]).post("/api/audit/", {"action": "viewed_report"}, format="json")
        assert AuditLog.objects.get().school == other_school


class TestAdminIsolation:
    def test_user_changelist_lists_own_school_only(self, client, admin_user, teacher, south_staff):
        client.force_login(admin_user)
        response = client.get("/admin/core/user/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "north-teacher" in html
        assert "south-teacher" not in html and "south-admin" not in html
        assert set(response.context["cl"].queryset.values_list("school__code", flat=True)) == {"north"}

    def test_audit_changelist_lists_own_school_only(self, client, admin_user, south_staff):
        audit.record(actor=admin_user, action="create", entity_type="north.thing", entity_id=1)
        audit.record(actor=south_staff["teacher"], action="create", entity_type="south.thing", entity_id=1)
        client.force_login(admin_user)
        html = client.get("/admin/core/auditlog/").content.decode()
        assert "north.thing" in html
        assert "south.thing" not in html

    def test_other_schools_rows_cannot_be_opened_or_changed(self, client, admin_user, south_staff):
        south_teacher = south_staff["teacher"]
        south_entry = audit.record(actor=south_teacher, action="create", entity_type="south.thing", entity_id=1)
        client.force_login(admin_user)

        for url in [
            f"/admin/core/user/{south_teacher.pk}/change/",
            f"/admin/core/user/{south_teacher.pk}/delete/",
            f"/admin/core/user/{south_teacher.pk}/password/",
            f"/admin/core/auditlog/{south_entry.pk}/change/",
            f"/admin/core/school/{south_teacher.school_id}/change/",
        ]:
            response = client.get(url, follow=True)
            assert "Sigrid" not in response.content.decode(), url
            assert response.redirect_chain == [] or response.redirect_chain[-1][0] == "/admin/", url
            assert response.status_code in (200, 404), url

        posted = client.post(
            f"/admin/core/user/{south_teacher.pk}/change/",
            {"username": "hijacked", "first_name": "x", "last_name": "y", "role": "admin", "is_active": "on"},
        )
        assert posted.status_code in (302, 404)
        south_teacher.refresh_from_db()
        assert (south_teacher.username, south_teacher.role) == ("south-teacher", "teacher")

    def test_school_changelist_shows_own_school_only(self, client, admin_user, other_school):
        client.force_login(admin_user)
        html = client.get("/admin/core/school/").content.decode()
        assert "North High" in html
        assert "South High" not in html
