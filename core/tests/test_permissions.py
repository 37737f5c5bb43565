"""HasRole (API) and role_required (pages): 401 / login redirect, then 403 for the wrong role."""

import pytest

from core.errors import PermissionDeniedError
from core.permissions import has_role, require_role

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.urls")]


class TestRoleRequired:
    def test_anonymous_is_redirected_to_login(self, client):
        response = client.get("/staff-page/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/staff-page/"

    @pytest.mark.parametrize("fixture", ["admin_user", "form_master"])
    def test_allowed_roles_see_the_page(self, client, request, fixture):
        user = request.getfixturevalue(fixture)
        client.force_login(user)
        response = client.get("/staff-page/")
        assert response.status_code == 200
        assert response.content.decode() == f"staff page for {user.username}"

    @pytest.mark.parametrize("fixture", ["teacher", "counselor"])
    def test_other_roles_get_the_403_page(self, client, request, fixture):
        client.force_login(request.getfixturevalue(fixture))
        response = client.get("/staff-page/")
        assert response.status_code == 403
        html = response.content.decode()
        assert "Not allowed" in html
        assert "staff page" not in html
        assert "Traceback" not in html and "role does not allow this page" not in html

    def test_user_without_school_gets_403(self, client, make_user):
        client.force_login(make_user("admin", None, username="schoolless"))
        assert client.get("/staff-page/").status_code == 403


class TestHasRole:
    def test_anonymous_is_401(self, api_client):
        response = api_client.get("/api/staff/")
        assert response.status_code == 401
        assert api_client.get("/api/any-role/").status_code == 401

    def test_allowed_role_passes(self, client_for, form_master):
        response = client_for(form_master).get("/api/staff/")
        assert response.status_code == 200
        assert response.json() == {"user": "north-fm1"}

    def test_wrong_role_is_403_with_a_message(self, client_for, teacher):
        response = client_for(teacher).get("/api/staff/")
        assert response.status_code == 403
        assert response.json() == {"detail": "Your role does not allow this."}

    def test_any_role_admits_every_school_user_but_not_a_schoolless_one(self, client_for, counselor, make_user):
        assert client_for(counselor).get("/api/any-role/").status_code == 200
        assert client_for(make_user("teacher", None, username="schoolless")).get("/api/any-role/").status_code == 403


def test_has_role_and_require_role(teacher, admin_user):
    assert has_role(teacher) and has_role(teacher, "teacher", "admin")
    assert not has_role(teacher, "admin")
    assert not has_role(None)
    require_role(admin_user, "admin")
    with pytest.raises(PermissionDeniedError):
        require_role(teacher, "admin")


class TestOwnership:
    """`owns` / `require_ownership`: the owner and their school's admins; another school's row is a 404."""

    def row(self, school, owner):
        from interventions.tests.factories import InterventionMeetingFactory
        from students.tests.factories import StudentFactory

        return InterventionMeetingFactory(school=school, student=StudentFactory(school=school), created_by=owner)

    def test_owner_and_school_admin_own_the_row(self, school, form_master, other_form_master, admin_user, teacher):
        from core.permissions import owns, require_ownership

        row = self.row(school, form_master)
        assert owns(form_master, row) and owns(admin_user, row)
        assert not owns(other_form_master, row) and not owns(teacher, row)
        require_ownership(form_master, row)
        with pytest.raises(PermissionDeniedError, match="Only its owner"):
            require_ownership(other_form_master, row)

    def test_another_schools_row_does_not_exist_for_the_user(self, school, form_master, other_admin):
        from core.errors import NotFoundError
        from core.permissions import owns, require_ownership

        row = self.row(school, form_master)
        assert not owns(other_admin, row)
        with pytest.raises(NotFoundError):
            require_ownership(other_admin, row)
