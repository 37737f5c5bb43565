"""Registers and marks added, corrected or removed in Django admin keep the register page's rules: a
school day of the form's year, a reason only for absences, the audit rows, and the alerts' reaction."""

import datetime

import pytest
from django.utils import timezone

from attendance import services
from attendance.models import AttendanceRecord, Holiday, Register
from core.errors import PermissionDeniedError
from core.models import AuditLog
from core.tests.admin_forms import admin_form_data
from interventions.alerts import services as alert_services
from interventions.alerts.services import ScanSummary
from students.tests.factories import StudentFactory
from students.tests.fixtures import form, previous_weekday, school_day, year  # noqa: F401

pytestmark = pytest.mark.django_db
ADD = "/admin/attendance/attendancerecord/add/"


@pytest.fixture
def judged(monkeypatch):
    """The students the alert rules look at again, as (as of, student ids) per reaction."""
    calls = []
    monkeypatch.setattr(
        alert_services,
        "_apply",
        lambda **kwargs: calls.append((kwargs["as_of"], kwargs["student_ids"])) or ScanSummary(),
    )
    return calls


@pytest.fixture
def student(form):
    return StudentFactory(school=form.school, class_group=form, first_name="Ada", last_name="Okafor")


def mark_data(student, day, status="absent", reason="Unwell"):
    return {
        "student": str(student.pk),
        "date": day.isoformat(),
        "status": status,
        "reason": reason,
        "marked_by": "",
        "marked_at_0": day.isoformat(),
        "marked_at_1": "09:00:00",
    }


def record_audit(action):
    return AuditLog.objects.filter(entity_type="attendance.attendancerecord", action=action)


def test_a_mark_added_in_admin_is_stored_audited_and_judged(
    school_admin_client, admin_user, student, school_day, judged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = school_admin_client.post(ADD, mark_data(student, school_day))
    assert response.status_code == 302
    record = AttendanceRecord.objects.get(student=student, date=school_day)
    assert (record.status, record.reason, record.school_id) == ("absent", "Unwell", student.school_id)
    row = record_audit("create").get(entity_id=str(record.pk))
    assert (row.actor, row.after["status"]) == (admin_user, "absent")
    assert judged == [(timezone.localdate(), [student.pk])]


@pytest.mark.parametrize("which", ["weekend", "holiday", "before the year", "future"])
def test_a_mark_on_a_day_without_a_register_is_refused_beside_the_date(
    school_admin_client, admin_user, student, school_day, judged, which, django_capture_on_commit_callbacks
):
    year = student.class_group.academic_year
    day, message = {
        "weekend": (school_day - datetime.timedelta(days=school_day.weekday() + 2), "That day is a weekend"),
        "holiday": (school_day, "That day is a holiday (Founders&#x27; Day)"),
        "before the year": (previous_weekday(year.start_date), "outside the form&#x27;s academic year"),
        "future": (timezone.localdate() + datetime.timedelta(days=7), "cannot be taken for a future date"),
    }[which]
    Holiday.objects.create(school=student.school, date=school_day, name="Founders' Day")
    with django_capture_on_commit_callbacks(execute=True):
        response = school_admin_client.post(ADD, mark_data(student, day))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AttendanceRecord.objects.filter(student=student).exists()
    assert not AuditLog.objects.filter(actor=admin_user).exists()
    assert judged == []


def test_a_corrected_mark_drops_the_reason_of_a_present_student_and_is_judged_again(
    school_admin_client, admin_user, student, school_day, judged, django_capture_on_commit_callbacks
):
    record = AttendanceRecord.objects.create(
        school=student.school, student=student, date=school_day, status="absent", reason="Unwell",
        marked_at=timezone.now(),
    )  # fmt: skip
    url = f"/admin/attendance/attendancerecord/{record.pk}/change/"
    data = admin_form_data(school_admin_client.get(url).content.decode())
    data["status"] = "present"
    with django_capture_on_commit_callbacks(execute=True):
        assert school_admin_client.post(url, data).status_code == 302
    record.refresh_from_db()
    assert (record.status, record.reason) == ("present", "")
    change = record_audit("update").get(entity_id=str(record.pk))
    assert (change.before["status"], change.after["status"], change.after["reason"]) == ("absent", "present", "")
    assert judged == [(timezone.localdate(), [student.pk])]


def test_a_mark_moved_to_another_student_has_both_judged_again(
    school_admin_client, student, school_day, judged, django_capture_on_commit_callbacks
):
    classmate = StudentFactory(school=student.school, class_group=student.class_group, last_name="Mensah")
    record = AttendanceRecord.objects.create(
        school=student.school, student=student, date=school_day, status="absent", marked_at=timezone.now()
    )
    url = f"/admin/attendance/attendancerecord/{record.pk}/change/"
    data = admin_form_data(school_admin_client.get(url).content.decode())
    data["student"] = str(classmate.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert school_admin_client.post(url, data).status_code == 302
    assert AttendanceRecord.objects.get(pk=record.pk).student == classmate
    assert judged == [(timezone.localdate(), sorted([student.pk, classmate.pk]))]


def test_a_mark_removed_in_admin_is_audited_and_judged(
    school_admin_client, admin_user, student, school_day, judged, django_capture_on_commit_callbacks
):
    record = AttendanceRecord.objects.create(
        school=student.school, student=student, date=school_day, status="absent", marked_at=timezone.now()
    )
    url = f"/admin/attendance/attendancerecord/{record.pk}/delete/"
    with django_capture_on_commit_callbacks(execute=True):
        assert school_admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not AttendanceRecord.objects.filter(pk=record.pk).exists()
    assert record_audit("delete").get(entity_id=str(record.pk)).actor == admin_user
    assert judged == [(timezone.localdate(), [student.pk])]


def test_only_an_admin_corrects_a_single_mark(teacher, form_master, student, school_day):
    record = AttendanceRecord(
        school=student.school, student=student, date=school_day, status="absent", marked_at=timezone.now()
    )
    for actor in (teacher, form_master):
        with pytest.raises(PermissionDeniedError):
            services.attendance_record_save(actor=actor, record=record)
    assert not AttendanceRecord.objects.exists()
    assert not AuditLog.objects.exists()


def test_a_register_added_in_admin_is_taken_by_the_admin_keeping_the_marks_of_the_day(
    school_admin_client, admin_user, form, student, school_day, judged, django_capture_on_commit_callbacks
):
    classmate = StudentFactory(school=form.school, class_group=form, first_name="Ben", last_name="Adeyemi")
    AttendanceRecord.objects.create(
        school=form.school, student=student, date=school_day, status="late", reason="Bus", marked_at=timezone.now()
    )
    data = {"class_group": str(form.pk), "date": school_day.isoformat()}
    with django_capture_on_commit_callbacks(execute=True):
        assert school_admin_client.post("/admin/attendance/register/add/", data).status_code == 302
    register = Register.objects.get(class_group=form, date=school_day)
    assert (register.taken_by, register.version) == (admin_user, 1)
    marks = dict(AttendanceRecord.objects.filter(date=school_day).values_list("student_id", "status"))
    assert marks == {student.pk: "late", classmate.pk: "present"}
    assert AuditLog.objects.filter(entity_type="attendance.register", entity_id=str(register.pk)).count() == 1
    assert sorted(judged[0][1]) == sorted([student.pk, classmate.pk])


def test_a_register_is_not_added_on_a_weekend_nor_moved_once_taken(
    school_admin_client, admin_user, form, student, school_day
):
    saturday = school_day - datetime.timedelta(days=school_day.weekday() + 2)
    data = {"class_group": str(form.pk), "date": saturday.isoformat()}
    response = school_admin_client.post("/admin/attendance/register/add/", data)
    assert response.status_code == 200
    assert "That day is a weekend" in response.content.decode()
    assert not Register.objects.exists()

    register = services.register_save(
        actor=admin_user, class_group_id=form.pk, date=school_day, records=[], expected_version=0
    ).register
    form_data = admin_form_data(
        school_admin_client.get(f"/admin/attendance/register/{register.pk}/change/").content.decode()
    )
    assert "class_group" not in form_data and "date" not in form_data


def test_a_register_deleted_in_admin_takes_the_marks_of_its_day_audited_and_judged(
    school_admin_client, admin_user, form, student, school_day, judged, django_capture_on_commit_callbacks
):
    classmate = StudentFactory(school=form.school, class_group=form, first_name="Ben", last_name="Adeyemi")
    register = services.register_save(
        actor=admin_user,
        class_group_id=form.pk,
        date=school_day,
        records=[{"student": student.pk, "status": "absent", "reason": "Unwell"}],
        expected_version=0,
    ).register
    other_form_pupil = StudentFactory(school=form.school)  # no form: not on this register
    kept = AttendanceRecord.objects.create(
        school=form.school, student=other_form_pupil, date=school_day, status="absent", marked_at=timezone.now()
    )
    earlier = services.register_save(
        actor=admin_user, class_group_id=form.pk, date=previous_weekday(school_day), records=[], expected_version=0
    ).register
    judged.clear()
    url = f"/admin/attendance/register/{register.pk}/delete/"
    page = school_admin_client.get(url).content.decode()
    assert "2 attendance records of the day" in page

    with django_capture_on_commit_callbacks(execute=True):
        assert school_admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Register.objects.filter(pk=register.pk).exists()
    assert not AttendanceRecord.objects.filter(date=school_day, student__in=[student, classmate]).exists()
    assert AttendanceRecord.objects.filter(pk=kept.pk).exists()
    assert Register.objects.filter(pk=earlier.pk).exists()
    assert AttendanceRecord.objects.filter(date=earlier.date).count() == 2
    gone = record_audit("delete")
    assert gone.count() == 2
    assert {row.before["student_id"] for row in gone} == {student.pk, classmate.pk}
    assert all(row.after == {"because": f"attendance.register {register.pk} was deleted"} for row in gone)
    assert AuditLog.objects.filter(entity_type="attendance.register", action="delete", actor=admin_user).count() == 1
    assert judged == [(timezone.localdate(), sorted([student.pk, classmate.pk]))]


def test_only_an_admin_deletes_a_register(form_master, admin_user, form, student, school_day):
    register = services.register_save(
        actor=admin_user, class_group_id=form.pk, date=school_day, records=[], expected_version=0
    ).register
    with pytest.raises(PermissionDeniedError):
        services.register_delete(actor=form_master, register=register)
    assert Register.objects.filter(pk=register.pk).exists()
    assert AttendanceRecord.objects.filter(date=school_day).count() == 1


def test_a_holiday_set_in_admin_has_the_whole_school_judged_again(
    school_admin_client, admin_user, form, student, school_day, judged, django_capture_on_commit_callbacks
):
    classmate = StudentFactory(school=form.school, class_group=form, last_name="Mensah")
    StudentFactory(school=form.school, class_group=form, status="withdrawn")  # no longer counted
    StudentFactory()  # another school's
    data = {"school": str(form.school_id), "date": school_day.isoformat(), "name": "Snow day"}
    with django_capture_on_commit_callbacks(execute=True):
        assert school_admin_client.post("/admin/attendance/holiday/add/", data).status_code == 302
    holiday = Holiday.objects.get(school=form.school, date=school_day)
    created = AuditLog.objects.get(entity_type="attendance.holiday", action="create")
    assert (created.actor, created.after["name"]) == (admin_user, "Snow day")
    everyone = sorted([student.pk, classmate.pk])
    assert judged == [(timezone.localdate(), everyone)]

    judged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = school_admin_client.post(f"/admin/attendance/holiday/{holiday.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Holiday.objects.filter(pk=holiday.pk).exists()
    assert AuditLog.objects.filter(entity_type="attendance.holiday", action="delete", actor=admin_user).exists()
    assert judged == [(timezone.localdate(), everyone)]


def test_only_an_admin_sets_a_holiday(form_master, form, school_day):
    with pytest.raises(PermissionDeniedError):
        services.holiday_save(actor=form_master, holiday=Holiday(school=form.school, date=school_day, name="Fête"))
    assert not Holiday.objects.exists()
