"""Django admin for school admins: log in without is_staff, manage their own school's people, audited."""

import datetime

import pytest

from core.models import AuditLog, User
from core.testing.queries import assert_query_count
from core.tests.admin_forms import admin_form_data
from students.tests.fixtures import last_school_weekday

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


def test_user_changelist_query_count_does_not_grow(client, admin_user, make_user, school):
    client.force_login(admin_user)
    with assert_query_count(7):
        assert client.get("/admin/core/user/").status_code == 200
    for n in range(20):
        make_user("teacher", school, username=f"extra-{n}")
    with assert_query_count(7):
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


# Duplicates and stale edits in the school-scoped admin --------------------------------------------


@pytest.fixture
def form_2a(school, form_master):
    from django.utils import timezone

    from students.tests.factories import AcademicYearFactory, ClassGroupFactory

    today = timezone.localdate()
    year = AcademicYearFactory(
        school=school,
        start_date=today - datetime.timedelta(days=150),
        end_date=today + datetime.timedelta(days=150),
        is_current=True,
    )
    return ClassGroupFactory(school=school, academic_year=year, name="Form 2A", form_master=form_master)


def test_adding_a_holiday_on_a_taken_date_is_an_inline_error(school_admin_client, school, other_school):
    from attendance.models import Holiday

    Holiday.objects.create(school=school, date=datetime.date(2026, 12, 25), name="Christmas")
    Holiday.objects.create(school=other_school, date=datetime.date(2026, 12, 28), name="Their day")
    response = school_admin_client.post("/admin/attendance/holiday/add/", {"date": "2026-12-25", "name": "Again"})
    assert response.status_code == 200
    assert "Holiday with this Date already exists." in response.content.decode()
    assert list(Holiday.objects.filter(school=school).values_list("name", flat=True)) == ["Christmas"]
    assert not AuditLog.objects.exists()

    # Another school's holiday on a date is no clash here.
    response = school_admin_client.post("/admin/attendance/holiday/add/", {"date": "2026-12-28", "name": "Ours"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Holiday.objects.get(school=school, date=datetime.date(2026, 12, 28)).name == "Ours"


def test_moving_a_holiday_to_a_taken_date_is_an_inline_error(school_admin_client, school):
    from attendance.models import Holiday

    Holiday.objects.create(school=school, date=datetime.date(2026, 12, 25), name="Christmas")
    boxing = Holiday.objects.create(school=school, date=datetime.date(2026, 12, 26), name="Boxing Day")
    url = f"/admin/attendance/holiday/{boxing.pk}/change/"
    data = admin_form_data(school_admin_client.get(url).content.decode())
    data["date"] = "2026-12-25"
    response = school_admin_client.post(url, data)
    assert response.status_code == 200
    assert "Holiday with this Date already exists." in response.content.decode()
    boxing.refresh_from_db()
    assert boxing.date == datetime.date(2026, 12, 26)


def test_a_stale_register_edit_is_refused(school_admin_client, admin_user, teacher, form_master, form_2a):
    from attendance import services as attendance_services

    form, school_day = form_2a, last_school_weekday()
    register = attendance_services.register_save(
        actor=teacher, class_group_id=form.pk, date=school_day, records=[], expected_version=0
    ).register
    url = f"/admin/attendance/register/{register.pk}/change/"
    data = admin_form_data(school_admin_client.get(url).content.decode())
    assert data["expected_version"] == "1"
    attendance_services.register_save(
        actor=form_master, class_group_id=form.pk, date=school_day, records=[], expected_version=1
    )

    data["taken_by"] = str(admin_user.pk)
    response = school_admin_client.post(url, data, follow=True)
    assert "changed by someone else" in response.content.decode()
    register.refresh_from_db()
    assert (register.taken_by, register.version) == (form_master, 2)
    assert not AuditLog.objects.filter(actor=admin_user).exists()

    # Loaded afresh, the same change saves.
    data = admin_form_data(school_admin_client.get(url).content.decode())
    data["taken_by"] = str(admin_user.pk)
    assert school_admin_client.post(url, data).status_code == 302
    register.refresh_from_db()
    assert (register.taken_by, register.version) == (admin_user, 3)
    assert AuditLog.objects.filter(actor=admin_user, action="update", entity_id=str(register.pk)).exists()


def test_a_stale_alert_edit_is_refused(school_admin_client, admin_user, teacher, form_2a):
    from interventions.alerts import services as alert_services
    from interventions.models import Alert
    from interventions.tests.factories import AlertFactory
    from students.tests.factories import StudentFactory

    alert = AlertFactory(school=form_2a.school, student=StudentFactory(school=form_2a.school, class_group=form_2a))
    url = f"/admin/interventions/alert/{alert.pk}/change/"
    data = admin_form_data(school_admin_client.get(url).content.decode())
    assert data["expected_version"] == "1"
    alert_services.alert_change_status(
        actor=admin_user, alert=Alert.objects.get(pk=alert.pk), status="acknowledged", version=1, note="Seen."
    )

    data["assigned_to"] = str(teacher.pk)
    data["note"] = "Stale note."
    response = school_admin_client.post(url, data, follow=True)
    assert "changed by someone else" in response.content.decode()
    alert.refresh_from_db()
    assert (alert.status, alert.note, alert.assigned_to, alert.version) == ("acknowledged", "Seen.", None, 2)
    assert AuditLog.objects.filter(action="update", entity_id=str(alert.pk)).count() == 1
