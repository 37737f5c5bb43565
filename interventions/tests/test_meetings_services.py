"""Meeting services: the status table, validation, alert acknowledgement, audit rows, reminders."""

import datetime
import itertools
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command

from core.errors import ApplicationError, ConflictError, PermissionDeniedError
from core.locking import versioned_save
from core.models import AuditLog
from interventions.meetings import services
from interventions.models import Alert, FollowUpReminder, InterventionMeeting, ProgressUpdate
from interventions.tests.factories import AlertFactory
from interventions.tests.meetings_helpers import (  # noqa: F401 - fixtures
    days,
    fm_form,
    make_meeting,
    other_form,
    other_student,
    student,
)
from students.tests.factories import ClassGroupFactory, StudentFactory

pytestmark = pytest.mark.django_db

Meeting = InterventionMeeting
STATUSES = Meeting.Status.values
ALLOWED = {
    ("open", "monitoring"),
    ("open", "escalated"),
    ("open", "closed"),
    ("monitoring", "improving"),
    ("monitoring", "not_improving"),
    ("monitoring", "escalated"),
    ("monitoring", "closed"),
    ("improving", "monitoring"),
    ("improving", "not_improving"),
    ("improving", "closed"),
    ("not_improving", "monitoring"),
    ("not_improving", "improving"),
    ("not_improving", "escalated"),
    ("not_improving", "closed"),
    ("escalated", "monitoring"),
    ("escalated", "closed"),
}


@pytest.mark.parametrize("current, target", list(itertools.product(STATUSES, STATUSES)))
def test_status_table_move_by_move(form_master, student, current, target):
    """Every one of the 36 (from, to) pairs: the allowed ones move and log; the others write nothing."""
    meeting = make_meeting(student=student, created_by=form_master, status=current)
    assert meeting.can_move_to(target) == ((current, target) in ALLOWED)
    if current == target:
        # Not a move: an update that keeps the status (refused on a closed meeting, which takes no notes).
        if current == "closed":
            with pytest.raises(ApplicationError):
                services.progress_add(actor=form_master, meeting=meeting, update_text="note", status=target, version=1)
        else:
            services.progress_add(actor=form_master, meeting=meeting, update_text="note", status=target, version=1)
            meeting.refresh_from_db()
            assert meeting.status == current and meeting.version == 1
        return
    if (current, target) in ALLOWED:
        update = services.progress_add(
            actor=form_master, meeting=meeting, update_text="moving on", status=target, version=1
        )
        meeting.refresh_from_db()
        assert meeting.status == target and meeting.version == 2
        assert (update.previous_status, update.new_status) == (current, target)
        assert AuditLog.objects.filter(entity_type="interventions.interventionmeeting", action="update").count() == 1
    else:
        with pytest.raises(ApplicationError) as raised:
            services.progress_add(actor=form_master, meeting=meeting, update_text="moving on", status=target, version=1)
        assert "status" in raised.value.field_errors
        meeting.refresh_from_db()
        assert meeting.status == current and meeting.version == 1
        assert not ProgressUpdate.objects.exists()
        assert not AuditLog.objects.exists()


def test_closed_lists_no_next_status(form_master, student):
    meeting = make_meeting(student=student, created_by=form_master, status="closed")
    with pytest.raises(ApplicationError) as raised:
        services.meeting_update(actor=form_master, meeting=meeting, version=1, status="open")
    assert raised.value.field_errors["status"] == [
        "A closed meeting cannot change status; record a new meeting instead."
    ]
    with pytest.raises(ApplicationError):
        services.meeting_update(actor=form_master, meeting=meeting, version=1, action_plan="rewrite history")


def _create(actor, student, **overrides):
    values = {
        "meeting_date": days(-1),
        "absence_reason": "Absent three days.",
        "root_cause": "family",
        "intervention_notes": "Notes.",
        "action_plan": "Plan.",
        "follow_up_date": days(5),
        "urgency_level": "medium",
    }
    values.update(overrides)
    return services.meeting_create(actor=actor, student=student, **values)


def test_create_trims_text_and_writes_audit(form_master, student):
    meeting = _create(form_master, student, action_plan="  Plan with spaces  ")
    assert meeting.action_plan == "Plan with spaces"
    entry = AuditLog.objects.get()
    assert (entry.action, entry.entity_id, entry.school_id) == ("create", str(meeting.pk), student.school_id)


def test_create_follow_up_today_is_allowed_but_not_yesterday(form_master, student):
    meeting = _create(form_master, student, meeting_date=days(-3), follow_up_date=days(0))
    assert meeting.follow_up_date == days(0)
    with pytest.raises(ApplicationError) as raised:
        _create(form_master, student, root_cause="health", meeting_date=days(-3), follow_up_date=days(-1))
    assert raised.value.field_errors == {"follow_up_date": ["The follow-up date cannot be in the past."]}


def test_create_reports_every_bad_field_at_once(form_master, student):
    with pytest.raises(ApplicationError) as raised:
        _create(form_master, student, meeting_date=days(2), absence_reason=" ", urgency_level="urgent")
    assert set(raised.value.field_errors) == {"meeting_date", "absence_reason", "urgency_level"}


def test_form_master_of_another_form_and_counselor_are_refused(form_master, counselor, other_student, student):
    with pytest.raises(PermissionDeniedError):
        _create(form_master, other_student)
    with pytest.raises(PermissionDeniedError):
        _create(counselor, student)


def test_alert_acknowledged_only_when_open(form_master, student):
    acknowledged = AlertFactory(school=student.school, student=student, status=Alert.Status.ACKNOWLEDGED)
    meeting = _create(form_master, student, alert=acknowledged)
    acknowledged.refresh_from_db()
    assert meeting.alert == acknowledged
    assert acknowledged.version == 1  # nothing to change
    assert not AuditLog.objects.filter(entity_type="interventions.alert").exists()


def test_alert_changed_meanwhile_is_a_conflict_and_nothing_is_written(form_master, student):
    alert = AlertFactory(school=student.school, student=student, status=Alert.Status.OPEN)
    stale = Alert.objects.get(pk=alert.pk)
    alert.severity = Alert.Severity.HIGH
    versioned_save(alert)  # someone else's change: version 2
    with pytest.raises(ConflictError) as raised:
        _create(form_master, student, alert=stale)
    assert raised.value.current_version == 2
    assert not Meeting.objects.exists()
    assert not AuditLog.objects.exists()


def test_update_is_versioned_and_audited(form_master, student):
    meeting = make_meeting(student=student, created_by=form_master, urgency_level="low")
    services.meeting_update(actor=form_master, meeting=meeting, version=1, urgency_level="high")
    stale = Meeting.objects.get(pk=meeting.pk)
    stale.version = 1
    with pytest.raises(ConflictError) as raised:
        services.meeting_update(actor=form_master, meeting=stale, version=1, urgency_level="medium")
    assert raised.value.current_version == 2
    meeting.refresh_from_db()
    assert meeting.urgency_level == "high"
    assert AuditLog.objects.filter(action="update").count() == 1


def test_delete_is_audited_with_updates(form_master, student):
    meeting = make_meeting(student=student, created_by=form_master)
    services.progress_add(actor=form_master, meeting=meeting, update_text="first note")
    pk = meeting.pk
    services.meeting_delete(actor=form_master, meeting=meeting, version=1)
    entry = AuditLog.objects.get(action="delete")
    assert entry.entity_id == str(pk)
    assert entry.before["id"] == pk and entry.before["progress_updates"][0]["update_text"] == "first note"


# Reminders


@pytest.fixture
def overdue_setup(school, form_master, other_form_master, student, other_student, other_school):
    today = datetime.date(2026, 11, 20)
    past = today - datetime.timedelta(days=3)
    met = past - datetime.timedelta(days=7)
    a = make_meeting(
        student=student, created_by=form_master, root_cause="family", meeting_date=met, follow_up_date=past
    )
    b = make_meeting(
        student=student,
        created_by=form_master,
        root_cause="health",
        meeting_date=met,
        follow_up_date=past,
        status="monitoring",
    )
    make_meeting(student=student, created_by=form_master, root_cause="academic", follow_up_date=past, status="closed")
    make_meeting(student=student, created_by=form_master, root_cause="other", follow_up_date=today)  # due, not overdue
    c = make_meeting(student=other_student, created_by=other_form_master, follow_up_date=past)
    foreign_owner = other_school.users.create(username="south-fm", role="form_master", email="south-fm@example.org")
    d = make_meeting(
        student=StudentFactory(school=other_school, class_group=ClassGroupFactory(school=other_school)),
        created_by=foreign_owner,
        follow_up_date=past,
    )
    return today, {"fm": [a, b], "other": [c], "foreign": [d]}


def test_reminders_one_email_per_owner_and_nothing_twice(overdue_setup, form_master, other_form_master, capsys):
    """One email per owner listing their overdue meetings, recorded as sent; a second run the same day sends nothing."""
    today, meetings = overdue_setup

    def run(day):
        call_command("send_follow_up_reminders", "--date", day.isoformat())

    run(today)
    out = capsys.readouterr().out
    assert "Sent 3 reminder email(s) about 4 overdue meeting(s); 0 already reminded today." in out
    assert len(mail.outbox) == 3
    by_recipient = {message.to[0]: message for message in mail.outbox}
    body = by_recipient[form_master.email].body
    assert body.count("Sam Lee") == 2 and "Family" in body and "Health" in body
    assert "Ola Berg" not in body
    assert by_recipient[form_master.email].subject == "2 intervention follow-ups overdue"
    assert FollowUpReminder.objects.filter(sent_on=today).count() == 4
    assert AuditLog.objects.filter(entity_type="interventions.followupreminder").count() == 4
    assert FollowUpReminder.objects.get(meeting=meetings["foreign"][0]).school_id == meetings["foreign"][0].school_id

    run(today)
    assert "Sent 0 reminder email(s) about 0 overdue meeting(s); 4 already reminded today." in capsys.readouterr().out
    assert len(mail.outbox) == 3

    run(today + datetime.timedelta(days=1))
    assert len(mail.outbox) == 6  # a new day, a new reminder


class RefusingBackend(locmem.EmailBackend):
    """The in-memory backend, except that the mail server refuses one address."""

    refused = "north-fm1@example.org"

    def send_messages(self, messages):
        for message in messages:
            if self.refused in message.to:
                raise smtplib.SMTPRecipientsRefused({self.refused: (550, b"No such mailbox")})
        return super().send_messages(messages)


def test_a_failed_email_is_not_recorded_and_the_others_still_go(
    overdue_setup, form_master, other_form_master, settings, capsys, caplog
):
    """The refused owner's rows roll back (no reminder, no audit row); the other owners are reminded; exit 1."""
    from django.core.management.base import CommandError

    today, meetings = overdue_setup
    settings.EMAIL_BACKEND = "interventions.tests.test_meetings_services.RefusingBackend"
    assert form_master.email == RefusingBackend.refused
    with pytest.raises(CommandError) as raised:
        call_command("send_follow_up_reminders", "--date", today.isoformat())
    assert str(raised.value) == (
        "1 reminder email(s) about 2 overdue meeting(s) could not be sent, to: north-fm1@example.org. "
        "Nothing was recorded for them; the next run tries again."
    )
    out = capsys.readouterr().out
    assert "Sent 2 reminder email(s) about 2 overdue meeting(s); 0 already reminded today." in out
    assert sorted(message.to[0] for message in mail.outbox) == sorted([other_form_master.email, "south-fm@example.org"])
    reminded = set(FollowUpReminder.objects.values_list("meeting_id", flat=True))
    assert reminded == {meetings["other"][0].pk, meetings["foreign"][0].pk}
    audited = AuditLog.objects.filter(entity_type="interventions.followupreminder").values_list("after", flat=True)
    assert sorted(row["meeting_id"] for row in audited) == sorted(reminded)
    assert "Follow-up reminder to north-fm1@example.org" in caplog.text and "SMTPRecipientsRefused" in caplog.text

    # The server takes the address again: the next run reminds only the owner who was missed.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_follow_up_reminders", "--date", today.isoformat())
    assert "Sent 1 reminder email(s) about 2 overdue meeting(s); 2 already reminded today." in capsys.readouterr().out
    assert mail.outbox[-1].to == [form_master.email]
    assert FollowUpReminder.objects.filter(meeting__in=meetings["fm"], sent_on=today).count() == 2


def test_reminders_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send_follow_up_reminders", "--date", "20-11-2026")


def test_losing_the_insert_race_is_a_400_not_a_500(form_master, student, monkeypatch):
    """When the pre-check saw nothing but the unique index refuses the insert, the answer is the same 400."""
    first = _create(form_master, student)
    monkeypatch.setattr(services, "_has_active_duplicate", lambda **kwargs: False)
    with pytest.raises(ApplicationError) as raised:
        _create(form_master, student)
    assert f"(#{first.pk}, status open)" in raised.value.field_errors["root_cause"][0]
    assert Meeting.objects.count() == 1
    assert AuditLog.objects.count() == 1
