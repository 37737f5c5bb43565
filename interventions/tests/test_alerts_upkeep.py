"""Keeping open alerts right over time: the day a refresh judges, new owners, leavers, the summer,
rolling windows that move without new figures, and long absences that are not a weekday pattern."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from attendance import services as attendance_services
from core.models import AuditLog
from interventions.alerts import services as alert_services
from interventions.alerts.services import scan_school
from interventions.models import Alert
from interventions.tests.alerts_helpers import day, make_form, make_student, mark, school_days
from students.models import Student
from students.tests.factories import ClassGroupFactory
from students.tests.fixtures import form, previous_weekday, school_day, year  # noqa: F401

pytestmark = pytest.mark.django_db
Kind = Alert.Kind
Status = Alert.Status


def audit_rows(alert):
    return AuditLog.objects.filter(entity_type="interventions.alert", entity_id=str(alert.pk))


def test_saving_a_past_register_judges_the_form_as_of_today(
    school, teacher, form, school_day, monkeypatch, django_capture_on_commit_callbacks
):
    student = make_student(school, form)
    judged = []
    monkeypatch.setattr(
        alert_services, "_apply", lambda **kwargs: judged.append(kwargs) or alert_services.ScanSummary()
    )
    last_week = school_day - datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        attendance_services.register_save(
            actor=teacher, class_group_id=form.pk, date=last_week, records=[{"student": student.pk, "status": "absent"}]
        )
    assert [(call["as_of"], call["student_ids"]) for call in judged] == [(timezone.localdate(), [student.pk])]


def test_an_open_alert_follows_the_student_to_their_new_form_master(school, form_master, other_form_master):
    old_form = make_form(school, form_master=form_master)
    student = make_student(school, old_form)
    mark(student, dict.fromkeys(school_days(day("2026-11-16"), day("2026-11-18")), "absent"))
    scan_school(school=school, as_of=day("2026-11-18"))
    alert = Alert.objects.get(student=student)
    assert alert.assigned_to == form_master

    new_form = ClassGroupFactory(school=school, academic_year=old_form.academic_year, form_master=other_form_master)
    Student.objects.filter(pk=student.pk).update(class_group=new_form)
    summary = scan_school(school=school, as_of=day("2026-11-18"))

    alert.refresh_from_db()
    assert (alert.assigned_to, alert.status, alert.version, summary.updated) == (other_form_master, Status.OPEN, 2, 1)
    change = audit_rows(alert).get(action="update")
    assert (change.before["assigned_to_id"], change.after["assigned_to_id"]) == (form_master.pk, other_form_master.pk)
    assert scan_school(school=school, as_of=day("2026-11-18")).updated == 0  # settled


def test_a_student_who_leaves_has_their_alerts_closed_saying_so(school, form_master):
    student = make_student(school, make_form(school, form_master=form_master))
    mark(student, dict.fromkeys(school_days(day("2026-11-16"), day("2026-11-18")), "absent"))
    scan_school(school=school, as_of=day("2026-11-18"))
    Student.objects.filter(pk=student.pk).update(status=Student.Status.TRANSFERRED)

    assert scan_school(school=school, as_of=day("2026-11-19")).resolved == 1
    alert = Alert.objects.get(student=student)
    assert alert.status == Status.RESOLVED
    assert alert.note == "Closed automatically on 19 Nov 2026: the student is no longer on the active roll."


def test_a_condition_that_clears_is_resolved_in_plain_words(school):
    student = make_student(school)
    mark(student, dict.fromkeys(school_days(day("2026-11-16"), day("2026-11-18")), "absent"))
    scan_school(school=school, as_of=day("2026-11-18"))
    mark(student, {day("2026-11-19"): "present"})
    scan_school(school=school, as_of=day("2026-11-19"))
    alert = Alert.objects.get(student=student)
    assert alert.note == "Resolved automatically on 19 Nov 2026: the condition no longer holds."


def test_a_rolling_window_that_only_moves_its_dates_is_not_rewritten(school):
    student = make_student(school)
    days = school_days(day("2026-09-01"), day("2026-11-20"))
    # One absence in every five days: below 90 % over any 30 days, 20 % missed this year.
    mark(student, {d: "absent" if i % 5 == 0 else "present" for i, d in enumerate(days)})
    scan_school(school=school, as_of=day("2026-11-20"))  # a Friday
    alerts = {a.kind: a for a in Alert.objects.filter(student=student)}
    assert {Kind.LOW_ATTENDANCE, Kind.CHRONIC_ABSENCE} <= set(alerts)
    audit_before = AuditLog.objects.count()

    summary = scan_school(school=school, as_of=day("2026-11-21"))  # Saturday: same days, later "until"

    assert (summary.updated, summary.still_open) == (0, len(alerts))
    assert AuditLog.objects.count() == audit_before
    assert {a.kind: a.version for a in Alert.objects.filter(student=student)} == dict.fromkeys(alerts, 1)


def test_after_the_year_ends_the_window_stops_at_its_last_day(school):
    student = make_student(school)  # the year runs 1 Sep 2026 – 16 Jul 2027
    days = school_days(day("2027-06-01"), day("2027-07-16"))
    mark(student, {d: "absent" if i % 4 == 0 else "present" for i, d in enumerate(days)})

    scan_school(school=school, as_of=day("2027-08-20"))

    alert = Alert.objects.get(student=student, kind=Kind.LOW_ATTENDANCE)
    assert alert.details["window_end"] == "2027-07-16"
    assert alert.details["marked"] == alert.details["window_school_days"] == 30


def test_three_weeks_off_is_a_run_not_a_weekday_pattern(school):
    student = make_student(school)
    days = school_days(day("2026-10-12"), day("2026-11-20"))
    off = set(school_days(day("2026-11-02"), day("2026-11-20")))
    mark(student, {d: "absent" if d in off else "present" for d in days})
    scan_school(school=school, as_of=day("2026-11-20"))
    kinds = set(Alert.objects.filter(student=student).values_list("kind", flat=True))
    assert Kind.CONSECUTIVE_ABSENCES in kinds and Kind.RECURRING_PATTERN not in kinds


def test_a_weekday_pattern_beside_a_few_other_absences_still_stands_out(school):
    student = make_student(school)
    days = school_days(day("2026-10-12"), day("2026-11-20"))
    absent = {day("2026-10-19"), day("2026-11-02"), day("2026-11-16"), day("2026-10-28"), day("2026-11-12")}
    mark(student, {d: "absent" if d in absent else "present" for d in days})
    scan_school(school=school, as_of=day("2026-11-20"))
    alert = Alert.objects.get(student=student, kind=Kind.RECURRING_PATTERN)
    assert (alert.details["weekday"], alert.details["times"], alert.details["absences_in_window"]) == ("Monday", 3, 5)


def test_ids_of_a_multi_row_insert_are_read_back_where_the_database_does_not_return_them(school, monkeypatch):
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    students = [make_student(school) for _ in range(3)]
    for student in students:
        mark(student, dict.fromkeys(school_days(day("2026-11-16"), day("2026-11-18")), "absent"))
    summary = scan_school(school=school, as_of=day("2026-11-18"))
    stored = {a.student_id: a.pk for a in Alert.objects.all()}
    assert sorted(summary.raised_ids) == sorted(stored.values()) and len(stored) == 3
    audited = AuditLog.objects.filter(entity_type="interventions.alert", action="create")
    assert sorted(audited.values_list("entity_id", flat=True)) == sorted(str(pk) for pk in stored.values())
