"""Rows that Django admin only shows (a session's attendance, the contact log, a meeting's progress updates
and reminders) do not stop an admin deleting the row they belong to: they go along with it, each logged."""

import datetime

import pytest
from django.utils import timezone

from core.models import AuditLog
from interventions.models import (
    CommunicationLog,
    FollowUpReminder,
    InterventionMeeting,
    InterventionSession,
    ProgressUpdate,
    SessionAttendance,
)
from interventions.tests.communication_factories import CommunicationLogFactory
from interventions.tests.factories import (
    InterventionFactory,
    InterventionMeetingFactory,
    InterventionSessionFactory,
    ProgressUpdateFactory,
    SessionAttendanceFactory,
)
from students.models import Student
from students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(school_admin_client, admin_user):
    admin_user.is_staff = True
    admin_user.save()
    return school_admin_client


def deleted(entity_type: str, actor) -> AuditLog:
    return AuditLog.objects.filter(action="delete", entity_type=entity_type, actor=actor)


def confirm_and_delete(client, url: str, expect_listed: list[str]) -> None:
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Are you sure" in body
    for words in expect_listed:
        assert words in body
    assert client.post(url, {"post": "yes"}).status_code == 302


def test_a_session_with_its_attendance_taken_can_be_deleted(staff_client, admin_user, school, counselor):
    program = InterventionFactory(school=school, owner=counselor)
    session = InterventionSessionFactory(intervention=program)
    SessionAttendanceFactory.create_batch(3, session=session)

    confirm_and_delete(
        staff_client, f"/admin/interventions/interventionsession/{session.pk}/delete/", ["Session attendance"]
    )
    assert not InterventionSession.objects.filter(pk=session.pk).exists()
    assert not SessionAttendance.objects.filter(session_id=session.pk).exists()
    assert deleted("interventions.interventionsession", admin_user).filter(entity_id=str(session.pk)).exists()
    assert deleted("interventions.sessionattendance", admin_user).count() == 3


def test_a_meeting_with_progress_updates_and_reminders_can_be_deleted(staff_client, admin_user, school, form_master):
    meeting = InterventionMeetingFactory(school=school, created_by=form_master)
    ProgressUpdateFactory.create_batch(2, meeting=meeting)
    FollowUpReminder.objects.create(
        school=school, meeting=meeting, recipient=form_master, sent_on=timezone.localdate() - datetime.timedelta(1)
    )

    confirm_and_delete(
        staff_client,
        f"/admin/interventions/interventionmeeting/{meeting.pk}/delete/",
        ["Progress update", "Follow up reminder"],
    )
    assert not InterventionMeeting.objects.filter(pk=meeting.pk).exists()
    assert not ProgressUpdate.objects.filter(meeting_id=meeting.pk).exists()
    assert not FollowUpReminder.objects.filter(meeting_id=meeting.pk).exists()
    # Through the meeting service, as the API's delete: its audit row keeps the updates it took along.
    [row] = deleted("interventions.interventionmeeting", admin_user).filter(entity_id=str(meeting.pk))
    assert [update["update_text"] for update in row.before["progress_updates"]] == ["Attended every day this week."] * 2


def test_a_student_with_a_contact_log_and_session_attendance_can_be_deleted(staff_client, admin_user, school):
    student = StudentFactory(school=school)
    CommunicationLogFactory.create_batch(2, school=school, student=student)
    SessionAttendanceFactory(
        session=InterventionSessionFactory(intervention=InterventionFactory(school=school)), student=student
    )

    confirm_and_delete(
        staff_client, f"/admin/students/student/{student.pk}/delete/", ["Communication log", "Session attendance"]
    )
    assert not Student.objects.filter(pk=student.pk).exists()
    assert not CommunicationLog.objects.filter(student_id=student.pk).exists()
    assert deleted("interventions.communicationlog", admin_user).count() == 2
    assert deleted("interventions.sessionattendance", admin_user).count() == 1


def test_the_rows_themselves_are_still_not_deleted_on_their_own(staff_client, school, form_master):
    log = CommunicationLogFactory(school=school)
    update = ProgressUpdateFactory(meeting=InterventionMeetingFactory(school=school, created_by=form_master))
    mark = SessionAttendanceFactory(session=InterventionSessionFactory(intervention=InterventionFactory(school=school)))
    for model, row in (("communicationlog", log), ("progressupdate", update), ("sessionattendance", mark)):
        url = f"/admin/interventions/{model}/{row.pk}/delete/"
        assert staff_client.post(url, {"post": "yes"}).status_code == 403
        assert type(row).objects.filter(pk=row.pk).exists()
