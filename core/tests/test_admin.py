"""Django admin for school admins: log in without is_staff, manage their own school's people, audited."""

import pytest

from core.models import AuditLog, User

pytestmark = pytest.mark.django_db


def admin_login(client, username, password="pass-12345"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_school_admin_logs_into_admin_without_is_staff(client, admin_user):
    assert not admin_user.is_staff and not admin_user.is_superuser
    response = admin_login(client, "north-admin")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    index = client.get("/admin/")
    assert index.status_code == 200
    html = index.content.decode()
    assert "School Support administration" in html
    assert "/admin/core/user/" in html
    assert "/admin/core/auditlog/" in html


@pytest.mark.parametrize("role", ["form_master", "teacher", "counselor"])
def test_other_roles_cannot_log_into_admin(client, make_user, school, role):
    make_user(role, school, username=f"north-{role}")
    response = admin_login(client, f"north-{role}")
    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()
    assert client.get("/admin/core/user/").status_code == 302


def test_wrong_password_is_refused(client, admin_user):
    response = admin_login(client, "north-admin", "wrong")
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_admin_creates_a_user_in_their_school_audited_without_password(client, admin_user, other_school):
    client.force_login(admin_user)
    form = client.get("/admin/core/user/add/").content.decode()
    assert 'name="school"' not in form
    assert 'name="is_superuser"' not in form

    response = client.post(
        "/admin/core/user/add/",
        {
            "username": "north-new-teacher",
            "password1": "Correct-Horse-42",
            "password2": "Correct-Horse-42",
            "usable_password": "true",
            "role": "teacher",
            "school": str(other_school.pk),  # ignored: a school admin cannot pick the school
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    created = User.objects.get(username="north-new-teacher")
    assert created.school == admin_user.school
    assert created.role == "teacher"
    assert created.check_password("Correct-Horse-42")
    assert not created.is_staff and not created.is_superuser

    entry = AuditLog.objects.get(entity_type="core.user", entity_id=str(created.pk), action="create")
    assert entry.actor == admin_user
    assert entry.school == admin_user.school
    assert "password" not in entry.after
    assert entry.after["username"] == "north-new-teacher"
    assert "Correct-Horse-42" not in str(entry.after)
    assert created.password not in str(entry.after)


def test_admin_changes_a_user_of_their_school_audited(client, admin_user, teacher):
    client.force_login(admin_user)
    form = client.get(f"/admin/core/user/{teacher.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in form and 'name="is_staff"' not in form

    response = client.post(
        f"/admin/core/user/{teacher.pk}/change/",
        {
            "username": teacher.username,
            "first_name": "Renamed",
            "last_name": teacher.last_name,
            "email": teacher.email,
            "role": "form_master",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    teacher.refresh_from_db()
    assert (teacher.first_name, teacher.role, teacher.school_id) == ("Renamed", "form_master", admin_user.school_id)
    entry = AuditLog.objects.get(action="update", entity_id=str(teacher.pk))
    assert (entry.before["role"], entry.after["role"]) == ("teacher", "form_master")
    assert "password" not in entry.before and "password" not in entry.after


def test_user_changelist_query_count_does_not_grow(client, admin_user, make_user, school, django_assert_max_num_queries):
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        assert client.get("/admin/core/user/").status_code == 200
    for n in range(20):
        make_user("teacher", school, username=f"extra-{n}")
    with django_assert_max_num_queries(12):
        response = client.get("/admin/core/user/")
    assert "extra-19" in response.content.decode()


def test_admin_sets_a_password_audited_without_the_hash(client, admin_user, teacher, other_admin):
    client.force_login(admin_user)
    response = client.post(
        f"/admin/core/user/{teacher.pk}/password/",
        {"password1": "Fresh-Pass-731", "password2": "Fresh-Pass-731", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    teacher.refresh_from_db()
    assert teacher.check_password("Fresh-Pass-731")
    entry = AuditLog.objects.get(action="password_change")
    assert (entry.actor, entry.entity_type, entry.entity_id) == (admin_user, "core.user", str(teacher.pk))
    assert entry.before is None and entry.after is None

    other = client.post(
        f"/admin/core/user/{other_admin.pk}/password/",
        {"password1": "Fresh-Pass-731", "password2": "Fresh-Pass-731", "usable_password": "true"},
    )
    assert other.status_code in (302, 404)
    other_admin.refresh_from_db()
    assert not other_admin.check_password("Fresh-Pass-731")
