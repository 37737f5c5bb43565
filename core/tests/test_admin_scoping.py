"""Django admin across two schools: filters, related-row choices and people of one school only; rows
that mix schools refused for superusers too; a refused save shown on the form as it was typed."""

import datetime
from types import SimpleNamespace

import pytest
from django.test import RequestFactory
from django.utils import timezone

from attendance.models import AttendanceRecord, Register
from core.admin_base import SchoolScopedAdmin, SchoolScopedRawIdWidget
from core.admin_site import SchoolAdminSite
from core.models import AuditLog, User
from core.tests.admin_forms import admin_form_data
from interventions.models import InterventionMeeting
from interventions.tests.factories import AlertFactory, InterventionMeetingFactory
from students.models import ClassGroup, Student
from students.tests.factories import (
    AcademicYearFactory,
    ClassGroupFactory,
    StudentFactory,
)
from students.tests.fixtures import last_school_weekday, previous_weekday

pytestmark = pytest.mark.django_db

# Every name of the south school's rows; none may show on a north admin's page.
SOUTH_NAMES = ("Southern year", "Form Southbank", "Southwell", "Southey", "Southgate")

EMPTY_INLINES = {
    "progress_updates-TOTAL_FORMS": "0",
    "progress_updates-INITIAL_FORMS": "0",
    "progress_updates-MIN_NUM_FORMS": "0",
    "progress_updates-MAX_NUM_FORMS": "0",
}


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def make_school_rows(school, *, year, form, grade, student, teacher, form_master):
    """A year, a form, a student, a teacher and a form master of `school`, with a row of each kind."""
    fm = User.objects.create_user(
        username=f"{school.code}-fm",
        role="form_master",
        school=school,
        first_name=form_master[0],
        last_name=form_master[1],
    )
    staff = User.objects.create_user(
        username=f"{school.code}-teacher", role="teacher", school=school, first_name=teacher[0], last_name=teacher[1]
    )
    academic_year = AcademicYearFactory(school=school, name=year, start_date=days(-150), end_date=days(150))
    class_group = ClassGroupFactory(
        school=school, academic_year=academic_year, name=form, grade_level=grade, form_master=fm
    )
    # A second year and form, so that the sidebar offers a choice (a filter of one is not shown).
    AcademicYearFactory(school=school, name=f"{year} before", start_date=days(-500), end_date=days(-200))
    ClassGroupFactory(school=school, academic_year=academic_year, name=f"{form} Annex", grade_level=grade)
    pupil = StudentFactory(school=school, class_group=class_group, first_name=student[0], last_name=student[1])
    day = last_school_weekday(days(-1))
    Register.objects.create(school=school, class_group=class_group, date=day, taken_by=staff, taken_at=timezone.now())
    AttendanceRecord.objects.create(
        school=school, student=pupil, date=day, status="absent", marked_by=staff, marked_at=timezone.now()
    )
    alert = AlertFactory(school=school, student=pupil, assigned_to=staff)
    meeting = InterventionMeetingFactory(school=school, student=pupil, created_by=fm)
    return SimpleNamespace(
        school=school,
        year=academic_year,
        form=class_group,
        student=pupil,
        teacher=staff,
        form_master=fm,
        alert=alert,
        meeting=meeting,
    )


@pytest.fixture
def north(school):
    return make_school_rows(
        school,
        year="Northern year",
        form="Form Northgate",
        grade=2,
        student=("Nora", "Northcott"),
        teacher=("Nils", "Norby"),
        form_master=("Nell", "Northam"),
    )


@pytest.fixture
def south(other_school):
    return make_school_rows(
        other_school,
        year="Southern year",
        form="Form Southbank",
        grade=13,
        student=("Sigrid", "Southwell"),
        teacher=("Sven", "Southey"),
        form_master=("Sam", "Southgate"),
    )


@pytest.fixture
def north_admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def operator(make_user):
    """A platform operator: a superuser of no school."""
    return make_user("admin", None, username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


def filter_choices(response) -> dict[str, list[str]]:
    """The sidebar filters of a changelist: each one's choices as displayed."""
    changelist = response.context["cl"]
    return {
        spec.title: [str(choice["display"]) for choice in spec.choices(changelist)] for spec in changelist.filter_specs
    }


# 1. Sidebar filters ----------------------------------------------------------------------------


CHANGELISTS = {
    "students/student": ("class group", "Form Northgate"),
    "students/classgroup": ("academic year", "Northern year"),
    "attendance/register": ("class group", "Form Northgate"),
    "attendance/attendancerecord": ("class group", "Form Northgate"),
    "interventions/alert": ("assigned to", "Nils Norby"),
    "interventions/interventionmeeting": ("created by", "Nell Northam"),
}


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_related_filters_offer_the_admins_school_only(north_admin, north, south, changelist):
    response = north_admin.get(f"/admin/{changelist}/")
    assert response.status_code == 200
    title, north_choice = CHANGELISTS[changelist]
    choices = filter_choices(response)
    assert north_choice in choices[title]
    html = response.content.decode()
    for name in SOUTH_NAMES:
        assert name not in html, (changelist, name)


def test_a_filter_across_a_relation_lists_the_admins_school_values(north_admin, north, south):
    """`class_group__grade_level`: the south school's grade 13 is not offered in the north."""
    response = north_admin.get("/admin/students/student/")
    assert filter_choices(response)["grade level"] == ["All", "2"]


def test_a_filter_of_another_schools_row_lists_nothing_of_it(north_admin, north, south):
    response = north_admin.get("/admin/students/student/", {"class_group__id__exact": south.form.pk})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert "Form Southbank" not in response.content.decode()


def test_the_platform_operator_filters_across_schools(operator_client, north, south):
    response = operator_client.get("/admin/students/student/")
    choices = filter_choices(response)
    assert {"Form Northgate", "Form Southbank"} <= set(choices["class group"])
    assert {"2", "13"} <= set(choices["grade level"])
    assert {"North High", "South High"} <= set(choices["school"])


# 2. Related-row choices on forms -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/students/student/add/",
        "/admin/students/classgroup/add/",
        "/admin/attendance/register/add/",
        "/admin/attendance/attendancerecord/add/",
        "/admin/interventions/interventionmeeting/add/",
    ],
)
def test_add_forms_offer_the_admins_school_rows_only(north_admin, north, south, url):
    html = north_admin.get(url).content.decode()
    for name in SOUTH_NAMES:
        assert name not in html, (url, name)


def test_a_preset_student_of_another_school_is_not_named(north_admin, north, south):
    url = "/admin/attendance/attendancerecord/add/"
    assert "Southwell" not in north_admin.get(url, {"student": south.student.pk}).content.decode()
    assert "Northcott" in north_admin.get(url, {"student": north.student.pk}).content.decode()


def test_the_student_autocomplete_lists_the_admins_school_only(north_admin, north, south):
    params = {"app_label": "attendance", "model_name": "attendancerecord", "field_name": "student", "term": ""}
    response = north_admin.get("/admin/autocomplete/", params)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(north.student.pk)]


def test_a_posted_student_of_another_school_is_an_inline_error(north_admin, admin_user, north, south):
    data = {
        "student": str(south.student.pk),
        "date": "2026-01-05",
        "status": "absent",
        "reason": "",
        "marked_by": "",
        "marked_at_0": "2026-01-05",
        "marked_at_1": "09:00:00",
    }
    response = north_admin.post("/admin/attendance/attendancerecord/add/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "Southwell" not in html
    assert AttendanceRecord.objects.filter(student=south.student).count() == 1
    assert not AuditLog.objects.filter(actor=admin_user).exists()


def test_a_raw_id_label_names_a_row_of_the_admins_school_only(admin_user, north, south):
    class RawIdRecordAdmin(SchoolScopedAdmin):
        raw_id_fields = ["student"]

    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = RawIdRecordAdmin(AttendanceRecord, SchoolAdminSite(name="raw_id_check"))
    form_class = model_admin.get_form(request)
    widget = form_class.base_fields["student"].widget
    assert isinstance(widget, SchoolScopedRawIdWidget)
    assert widget.label_and_url_for_value(south.student.pk) == ("", "")
    assert widget.label_and_url_for_value(north.student.pk)[0] == "Nora Northcott"
    assert "Southwell" not in str(form_class(initial={"student": south.student.pk})["student"])


# 3. People: superusers are not a school admin's -------------------------------------------------


@pytest.fixture
def north_superuser(make_user, school):
    return make_user("admin", school, username="north-root", is_superuser=True, is_staff=True)


def test_a_superuser_of_the_school_is_not_listed(north_admin, north_superuser, teacher):
    html = north_admin.get("/admin/core/user/").content.decode()
    assert "north-teacher" in html
    assert "north-root" not in html


def test_a_superuser_of_the_school_cannot_be_opened_changed_reset_or_deleted(north_admin, north_superuser):
    pk = north_superuser.pk
    opened = north_admin.get(f"/admin/core/user/{pk}/change/", follow=True)
    assert opened.redirect_chain[-1][0] == "/admin/" and "north-root" not in opened.content.decode()

    changed = north_admin.post(
        f"/admin/core/user/{pk}/change/",
        {"username": "hijacked", "first_name": "x", "last_name": "y", "role": "teacher", "is_active": "on"},
    )
    assert changed.status_code in (302, 404)
    reset = north_admin.post(
        f"/admin/core/user/{pk}/password/",
        {"password1": "Fresh-Pass-731", "password2": "Fresh-Pass-731", "usable_password": "true"},
    )
    assert reset.status_code == 404
    north_admin.post(f"/admin/core/user/{pk}/delete/", {"post": "yes"})
    north_admin.post("/admin/core/user/", {"action": "delete_selected", "_selected_action": [pk], "post": "yes"})

    north_superuser.refresh_from_db()
    assert (north_superuser.username, north_superuser.role, north_superuser.is_superuser) == (
        "north-root",
        "admin",
        True,
    )
    assert north_superuser.check_password("pass-12345")
    assert not AuditLog.objects.exists()


def test_a_school_admin_cannot_make_a_superuser_or_staff_or_move_a_user(north_admin, teacher, other_school):
    url = f"/admin/core/user/{teacher.pk}/change/"
    data = admin_form_data(north_admin.get(url).content.decode())
    assert "is_superuser" not in data and "is_staff" not in data and "school" not in data
    data.update({"first_name": "Renamed", "is_superuser": "on", "is_staff": "on", "school": str(other_school.pk)})
    assert north_admin.post(url, data).status_code == 302
    teacher.refresh_from_db()
    assert teacher.first_name == "Renamed"
    assert (teacher.is_superuser, teacher.is_staff, teacher.school.code) == (False, False, "north")

    added = north_admin.post(
        "/admin/core/user/add/",
        {
            "username": "north-new",
            "password1": "Correct-Horse-42",
            "password2": "Correct-Horse-42",
            "usable_password": "true",
            "role": "admin",
            "is_superuser": "on",
            "is_staff": "on",
            "school": str(other_school.pk),
        },
    )
    assert added.status_code == 302
    created = User.objects.get(username="north-new")
    assert (created.is_superuser, created.is_staff, created.school.code) == (False, False, "north")


def test_the_platform_operator_still_manages_superusers(operator_client, north_superuser):
    assert "north-root" in operator_client.get("/admin/core/user/").content.decode()
    assert operator_client.get(f"/admin/core/user/{north_superuser.pk}/change/").status_code == 200


# 4. Rows that mix schools ------------------------------------------------------------------------


def test_a_superuser_cannot_record_attendance_of_another_schools_student(operator_client, north, south):
    # A school day of the form's year before the one the fixture marked.
    day = previous_weekday(last_school_weekday(days(-1)))
    data = {
        "school": str(north.school.pk),
        "student": str(south.student.pk),
        "date": day.isoformat(),
        "status": "absent",
        "reason": "",
        "marked_by": str(north.teacher.pk),
        "marked_at_0": day.isoformat(),
        "marked_at_1": "09:00:00",
    }
    response = operator_client.post("/admin/attendance/attendancerecord/add/", data)
    assert response.status_code == 200
    assert "This student belongs to another school than the attendance record." in response.content.decode()
    assert not AttendanceRecord.objects.filter(date=day).exists()

    data.update(marked_by=str(south.teacher.pk), student=str(north.student.pk))
    response = operator_client.post("/admin/attendance/attendancerecord/add/", data)
    assert "This user belongs to another school than the attendance record." in response.content.decode()
    assert not AttendanceRecord.objects.filter(date=day).exists()
    assert not AuditLog.objects.exists()

    data.update(marked_by=str(north.teacher.pk))
    assert operator_client.post("/admin/attendance/attendancerecord/add/", data).status_code == 302
    assert AttendanceRecord.objects.get(date=day).school == north.school


def test_a_superuser_cannot_put_a_form_in_another_schools_year(operator_client, north, south):
    data = {"school": str(north.school.pk), "academic_year": str(south.year.pk), "name": "Form 7X", "grade_level": "7"}
    response = operator_client.post("/admin/students/classgroup/add/", data)
    assert response.status_code == 200
    assert "This academic year belongs to another school than the class group." in response.content.decode()
    assert not ClassGroup.objects.filter(name="Form 7X").exists()

    data["form_master"] = str(south.form_master.pk)
    data["academic_year"] = str(north.year.pk)
    response = operator_client.post("/admin/students/classgroup/add/", data)
    assert "This user belongs to another school than the class group." in response.content.decode()
    assert not ClassGroup.objects.filter(name="Form 7X").exists()


def test_a_superuser_cannot_record_a_meeting_for_another_schools_student(operator_client, north, south):
    data = {
        "school": str(north.school.pk),
        "student": str(south.student.pk),
        "alert": "",
        "meeting_date": days(-1).isoformat(),
        "absence_reason": "Absent.",
        "root_cause": "health",
        "intervention_notes": "Notes.",
        "action_plan": "Plan.",
        "follow_up_date": "",
        "urgency_level": "low",
        "status": "open",
        **EMPTY_INLINES,
    }
    response = operator_client.post("/admin/interventions/interventionmeeting/add/", data)
    assert response.status_code == 200
    assert "This student belongs to another school than the intervention meeting." in response.content.decode()
    assert not InterventionMeeting.objects.filter(root_cause="health").exists()

    # An alert of another of the school's students is refused as well.
    other_pupil = StudentFactory(school=north.school, class_group=north.form)
    data.update(student=str(other_pupil.pk), alert=str(north.alert.pk))
    response = operator_client.post("/admin/interventions/interventionmeeting/add/", data)
    assert "The alert must be one of this student&#x27;s alerts." in response.content.decode()
    assert not InterventionMeeting.objects.filter(root_cause="health").exists()
    assert not AuditLog.objects.exists()


def test_a_superuser_cannot_move_a_recorded_row_to_another_school(operator_client, north, south):
    url = f"/admin/students/student/{north.student.pk}/change/"
    data = admin_form_data(operator_client.get(url).content.decode())
    assert "school" not in data
    data.update(school=str(south.school.pk), class_group=str(north.form.pk), first_name="Nina")
    assert operator_client.post(url, data).status_code == 302
    north.student.refresh_from_db()
    assert (north.student.first_name, north.student.school) == ("Nina", north.school)


# 6. A save refused by a rule: the form again, as typed, with the errors --------------------------


def meeting_data(student, **overrides):
    return {
        "student": str(student.pk),
        "alert": "",
        "meeting_date": days(-1).isoformat(),
        "absence_reason": "Typed reason.",
        "root_cause": "academic",
        "intervention_notes": "Typed notes.",
        "action_plan": "Typed plan that must survive.",
        "follow_up_date": "",
        "urgency_level": "high",
        "status": "open",
        **EMPTY_INLINES,
        **overrides,
    }


def test_a_refused_add_shows_the_form_as_typed_with_the_error_beside_its_field(north_admin, admin_user, north):
    response = north_admin.post(
        "/admin/interventions/interventionmeeting/add/", meeting_data(north.student, status="monitoring")
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"status": ["A new meeting starts open; move it on afterwards."]}
    html = response.content.decode()
    assert "Typed plan that must survive." in html
    assert admin_form_data(html)["action_plan"] == "Typed plan that must survive."
    assert not InterventionMeeting.objects.filter(root_cause="academic").exists()
    assert not AuditLog.objects.filter(actor=admin_user).exists()


def test_a_second_active_case_is_an_inline_error(north_admin, admin_user, north):
    url = "/admin/interventions/interventionmeeting/add/"
    assert north_admin.post(url, meeting_data(north.student)).status_code == 302
    response = north_admin.post(url, meeting_data(north.student, action_plan="Second plan."))
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["root_cause"]
    assert "Second plan." in response.content.decode()
    assert InterventionMeeting.objects.filter(root_cause="academic").count() == 1
    assert AuditLog.objects.filter(actor=admin_user, action="create").count() == 1


def test_a_refused_change_keeps_what_was_typed(north_admin, admin_user, north):
    meeting = north.meeting
    url = f"/admin/interventions/interventionmeeting/{meeting.pk}/change/"
    data = admin_form_data(north_admin.get(url).content.decode())
    data.update(status="improving", action_plan="A plan typed in vain.")
    response = north_admin.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["status"] and "cannot" in errors["status"][0].lower()
    assert admin_form_data(response.content.decode())["action_plan"] == "A plan typed in vain."
    meeting.refresh_from_db()
    assert (meeting.status, meeting.version) == ("open", 1)
    assert not AuditLog.objects.filter(actor=admin_user).exists()


def test_a_refused_alert_change_is_an_inline_error(north_admin, admin_user, north):
    alert = north.alert
    url = f"/admin/interventions/alert/{alert.pk}/change/"
    data = admin_form_data(north_admin.get(url).content.decode())
    data.update(status="dismissed", note="")
    response = north_admin.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"note": ["Say why the alert is dismissed."]}
    alert.refresh_from_db()
    assert (alert.status, alert.version) == ("open", 1)
    assert not AuditLog.objects.filter(actor=admin_user).exists()


def test_a_rule_about_a_field_not_on_the_form_is_shown_above_it(north_admin, north, monkeypatch):
    from core.errors import ApplicationError
    from students import services

    def refuse(**kwargs):
        raise ApplicationError(field_errors={"school": ["Closed for the summer."]})

    monkeypatch.setattr(services, "student_update", refuse)
    url = f"/admin/students/student/{north.student.pk}/change/"
    data = admin_form_data(north_admin.get(url).content.decode())
    data["first_name"] = "Typed"
    response = north_admin.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == ["School: Closed for the summer."]
    assert admin_form_data(response.content.decode())["first_name"] == "Typed"
    assert Student.objects.get(pk=north.student.pk).first_name == "Nora"
