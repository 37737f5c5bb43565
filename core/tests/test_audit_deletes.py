"""Deletes leave a trace of everything they take along; the log's actors cannot be deleted; the log
cannot be changed through Django's internal manager; the client IP cannot be forged."""

import datetime

import pytest
from django.db.models import ProtectedError
from django.test import RequestFactory, override_settings

from attendance.models import AttendanceRecord
from attendance.tests.factories import AttendanceRecordFactory
from core import audit
from core.middleware import client_ip
from core.models import AuditLog
from core.services import audited_delete
from interventions.tests.factories import AlertFactory
from students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_student_audits_each_row_the_delete_takes_along(school, admin_user, teacher):
    student = StudentFactory(school=school)
    records = [
        AttendanceRecordFactory(school=school, student=student, date=datetime.date(2026, 11, d), marked_by=teacher)
        for d in (16, 17)
    ]
    alert = AlertFactory(school=school, student=student)
    student_id = student.pk

    audited_delete(actor=admin_user, instance=student)

    rows = {(r.entity_type, r.entity_id): r for r in AuditLog.objects.filter(action="delete")}
    assert set(rows) == {
        ("students.student", str(student_id)),
        *{("attendance.attendancerecord", str(r.pk)) for r in records},
        ("interventions.alert", str(alert.pk)),
    }
    record_row = rows[("attendance.attendancerecord", str(records[0].pk))]
    assert (record_row.actor, record_row.school_id) == (admin_user, school.pk)
    assert record_row.before["status"] == records[0].status and record_row.before["student_id"] == student_id
    assert record_row.after == {"because": f"students.student {student_id} was deleted"}
    assert not AttendanceRecord.objects.filter(student_id=student_id).exists()


def test_deleting_a_row_that_others_point_to_with_set_null_audits_the_change(school, admin_user, make_user):
    marker = make_user("teacher", school, username="marker")  # has never acted: not in the log
    record = AttendanceRecordFactory(school=school, marked_by=marker, date=datetime.date(2026, 11, 16))

    marker_id = marker.pk
    audited_delete(actor=admin_user, instance=marker)

    change = AuditLog.objects.get(action="update", entity_type="attendance.attendancerecord")
    assert change.entity_id == str(record.pk)
    assert change.before == {"marked_by_id": marker_id}
    assert change.after["marked_by_id"] is None


def test_a_user_who_appears_in_the_log_cannot_be_deleted(school, admin_user, teacher):
    audit.record(actor=teacher, action="viewed_student_profile", school_id=school.pk)
    with pytest.raises(ProtectedError):
        audited_delete(actor=admin_user, instance=teacher)
    assert AuditLog.objects.filter(actor=teacher).count() == 1


def test_the_internal_manager_cannot_change_the_log(school, admin_user):
    entry = audit.record(actor=admin_user, action="create", entity_type="x", entity_id=1)
    with pytest.raises(PermissionError):
        AuditLog._base_manager.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(PermissionError):
        AuditLog._base_manager.filter(pk=entry.pk).delete()
    assert AuditLog.objects.get(pk=entry.pk).action == "create"


@pytest.mark.parametrize(
    "proxies, forwarded, remote, expected",
    [
        (0, "6.6.6.6", "10.0.0.5", "10.0.0.5"),  # no proxy of ours: the header is the client's own word
        (1, "6.6.6.6, 203.0.113.9", "10.0.0.1", "203.0.113.9"),  # what our proxy appended
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "10.0.0.1", "203.0.113.9"),
        (1, "<script>" + "A" * 200, "10.0.0.1", None),  # not an address: nothing recorded
        (1, "", "10.0.0.1", "10.0.0.1"),
        (0, "", "::1", "::1"),
    ],
)
def test_client_ip_only_believes_our_own_proxies(proxies, forwarded, remote, expected):
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == expected


def test_a_forged_forwarded_header_does_not_reach_the_log(client_for, teacher):
    response = client_for(teacher).post(
        "/api/audit/", {"action": "client_error", "details": {}}, format="json", HTTP_X_FORWARDED_FOR="6.6.6.6"
    )
    assert response.status_code == 201
    assert AuditLog.objects.get(action="client.client_error").ip == "127.0.0.1"
