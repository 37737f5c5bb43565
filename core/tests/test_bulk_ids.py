"""Every row of a bulk write has its pk before its audit row is built: returned by the statement where the
database returns rows (SQLite, PostgreSQL, MariaDB), read back by key where it does not (MySQL). The
second case is run here by turning the feature off."""

import datetime

import pytest
from django.db import connection

from attendance import services as attendance
from attendance.models import AttendanceRecord
from core.models import AuditLog
from core.services import bulk_insert, bulk_upsert
from core.testing.queries import assert_query_count
from interventions.alerts.services import scan_school
from interventions.models import Alert
from interventions.tests.alerts_helpers import day, make_form, make_student, mark, school_days
from students.models import ClassGroup

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["returned", "read back"])
def ids(request, monkeypatch):
    """How the database hands over the ids of a multi-row INSERT."""
    if request.param == "read back":
        monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    return request.param


def test_an_upsert_gives_each_row_inserted_or_updated_its_pk(ids, school, form_master, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC))
    form = make_form(school, form_master=form_master)
    students = [make_student(school, form) for _ in range(3)]
    on = day("2026-11-18")
    attendance.register_save(actor=form_master, class_group_id=form.pk, date=on, records=[])
    stored = dict(AttendanceRecord.objects.filter(date=on).values_list("student_id", "pk"))
    newcomer = make_student(school, form)

    attendance.register_save(
        actor=form_master,
        class_group_id=form.pk,
        date=on,
        records=[{"student": students[0].pk, "status": "absent", "reason": "Flu"}],
    )

    records = dict(AttendanceRecord.objects.filter(date=on).values_list("student_id", "pk"))
    assert {pk: records[pk] for pk in stored} == stored  # the update kept its row
    entries = AuditLog.objects.filter(entity_type="attendance.attendancerecord").order_by("pk")
    second_save = list(entries)[3:]
    assert sorted((e.action, e.entity_id, e.after["id"]) for e in second_save) == sorted(
        [
            ("update", str(records[students[0].pk]), records[students[0].pk]),
            ("create", str(records[newcomer.pk]), records[newcomer.pk]),
        ]
    )


def test_a_read_back_costs_one_query_only_where_the_database_returns_no_ids(ids, school):
    form = make_form(school)
    year = form.academic_year
    rows = [ClassGroup(school=school, academic_year=year, name=f"Set {n}", grade_level=8) for n in range(3)]

    with assert_query_count(1 if ids == "returned" else 2):
        bulk_insert(ClassGroup, rows, key=["academic_year", "name"])

    assert [row.pk for row in rows] == list(
        ClassGroup.objects.filter(name__startswith="Set ").order_by("name").values_list("pk", flat=True)
    )
    again = [ClassGroup(school=school, academic_year=year, name=row.name, grade_level=9) for row in rows]
    with assert_query_count(1 if ids == "returned" else 2):
        bulk_upsert(ClassGroup, again, unique_fields=["academic_year", "name"], update_fields=["grade_level"])
    assert [row.pk for row in again] == [row.pk for row in rows]


def test_a_key_unique_only_among_some_rows_is_read_among_those(ids, school, form_master, time_machine):
    """A student may have a resolved alert of a kind and a new open one: the new one's audit row names it."""
    time_machine.move_to(datetime.datetime(2026, 11, 30, 10, tzinfo=datetime.UTC))
    student = make_student(school, make_form(school, form_master=form_master))
    history = school_days(day("2026-09-01"), day("2026-11-13"))
    run = school_days(day("2026-11-16"), day("2026-11-18"))
    mark(student, {**dict.fromkeys(history, "present"), **dict.fromkeys(run, "absent")})
    scan_school(school=school, as_of=day("2026-11-18"))
    Alert.objects.filter(student=student).update(status=Alert.Status.RESOLVED)

    scan_school(school=school, as_of=day("2026-11-18"))

    old, new = Alert.objects.filter(student=student).order_by("pk")
    assert (old.kind, new.kind, new.status) == (Alert.Kind.CONSECUTIVE_ABSENCES, old.kind, Alert.Status.OPEN)
    created = AuditLog.objects.filter(entity_type="interventions.alert", action="create").order_by("pk")
    assert [row.entity_id for row in created] == [str(old.pk), str(new.pk)]
