"""Every write to intervention meetings: rules, versioned update, audit row, one transaction each."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core import audit
from core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from core.locking import expect_version, versioned_save, versioned_update
from core.models import allowed_next_statuses
from interventions.meetings import access
from interventions.models import Alert, FollowUpReminder, InterventionMeeting, ProgressUpdate

logger = logging.getLogger(__name__)

Meeting = InterventionMeeting
Status = Meeting.Status

TEXT_FIELDS = ("absence_reason", "intervention_notes", "action_plan")
CHOICE_FIELDS = {
    "root_cause": Meeting.RootCause,
    "urgency_level": Meeting.Urgency,
    "status": Status,
}
# Fields a PUT/PATCH may change; `student` is fixed once recorded (record a new meeting instead).
EDITABLE_FIELDS = (
    "meeting_date",
    "absence_reason",
    "root_cause",
    "intervention_notes",
    "action_plan",
    "follow_up_date",
    "urgency_level",
    "status",
)


def invalid_choice_message(value, choices) -> str:
    return f"“{value}” is not a valid choice. Allowed: {', '.join(choices.values)}."


def illegal_move_message(meeting: Meeting, new_status: str) -> str:
    allowed = allowed_next_statuses(meeting)
    current = meeting.get_status_display().lower()
    if not allowed:
        return f"A {current} meeting cannot change status; record a new meeting instead."
    return f"Cannot move from {meeting.status} to {new_status}. Allowed next statuses: {', '.join(allowed)}."


def _check_choices(values: dict, errors: dict) -> None:
    for name, choices in CHOICE_FIELDS.items():
        if name in values and values[name] not in choices.values:
            errors.setdefault(name, []).append(invalid_choice_message(values[name], choices))


def _check_texts(values: dict, errors: dict) -> None:
    for name in TEXT_FIELDS:
        if name in values and not (values[name] or "").strip():
            errors.setdefault(name, []).append("This field may not be blank.")


def _check_dates(
    *, meeting_date: datetime.date, follow_up_date: datetime.date | None, check_not_past: bool, today, errors
) -> None:
    if meeting_date > today:
        errors.setdefault("meeting_date", []).append("The meeting date cannot be in the future.")
    if follow_up_date is not None:
        if follow_up_date <= meeting_date:
            errors.setdefault("follow_up_date", []).append("The follow-up date must be after the meeting date.")
        elif check_not_past and follow_up_date < today:
            errors.setdefault("follow_up_date", []).append("The follow-up date cannot be in the past.")


def meeting_date_errors(
    *, meeting_date: datetime.date, follow_up_date: datetime.date | None, today: datetime.date | None = None
) -> dict[str, list[str]]:
    """The date rules of a new meeting, for forms that want to show them beside their other errors."""
    errors: dict[str, list[str]] = {}
    _check_dates(
        meeting_date=meeting_date,
        follow_up_date=follow_up_date,
        check_not_past=True,
        today=today or timezone.localdate(),
        errors=errors,
    )
    return errors


def _active_duplicate_message(*, student, root_cause: str, exclude_pk=None) -> str:
    """The 400 message for a second active meeting of a (student, cause), naming the one in the way."""
    existing = (
        Meeting.objects.filter(student=student, root_cause=root_cause)
        .exclude(status=Status.CLOSED)
        .exclude(pk=exclude_pk)
        .only("pk", "status")
        .first()
    )
    cause = Meeting.RootCause(root_cause).label
    if existing is None:
        return (
            f"{student.full_name} already has an active intervention for {cause}. "
            "Add a progress update to it or close it first."
        )
    return (
        f"{student.full_name} already has an active intervention for {cause} "
        f"(#{existing.pk}, status {existing.status}). Add a progress update to it or close it first."
    )


def _has_active_duplicate(*, student, root_cause: str, exclude_pk=None) -> bool:
    return (
        Meeting.objects.filter(student=student, root_cause=root_cause)
        .exclude(status=Status.CLOSED)
        .exclude(pk=exclude_pk)
        .exists()
    )


def acknowledge_alert_for_meeting(*, actor, alert: Alert) -> None:
    """Open → acknowledged with one conditional UPDATE on the version read; audited like any change."""
    if alert.status != Alert.Status.OPEN:
        return
    before = audit.snapshot(alert)
    versioned_update(
        alert,
        version=alert.version,
        extra_filter={"status": Alert.Status.OPEN},
        message="The alert was changed by someone else while the meeting was being recorded. Reload and try again.",
        status=Alert.Status.ACKNOWLEDGED,
        updated_at=timezone.now(),
    )
    alert.refresh_from_db()
    audit.record_update(actor=actor, instance=alert, before=before)


def meeting_create_fields(data) -> dict:
    """meeting_create's arguments for the meeting's own fields, from a checked form or request body (the
    page and the API alike); an optional field left out takes its default."""
    return {
        "meeting_date": data["meeting_date"],
        "absence_reason": data["absence_reason"],
        "root_cause": data["root_cause"],
        "intervention_notes": data["intervention_notes"],
        "action_plan": data["action_plan"],
        "follow_up_date": data.get("follow_up_date"),
        "urgency_level": data.get("urgency_level") or Meeting.Urgency.MEDIUM,
    }


@transaction.atomic
def meeting_create(
    *,
    actor,
    student,
    meeting_date: datetime.date,
    absence_reason: str,
    root_cause: str,
    intervention_notes: str,
    action_plan: str,
    follow_up_date: datetime.date | None = None,
    urgency_level: str = Meeting.Urgency.MEDIUM,
    alert: Alert | None = None,
    today: datetime.date | None = None,
) -> Meeting:
    """Record a meeting; when it answers an alert, link it and acknowledge the alert in the same transaction."""
    if actor.role not in access.RECORDING_ROLES:
        raise PermissionDeniedError("Only form masters and admins record intervention meetings.")
    if not access.is_student_of_actor(actor, student):
        raise PermissionDeniedError("You may only record meetings for students of your own forms.")
    today = today or timezone.localdate()
    values = {
        "absence_reason": absence_reason,
        "root_cause": root_cause,
        "intervention_notes": intervention_notes,
        "action_plan": action_plan,
        "urgency_level": urgency_level,
    }
    errors: dict[str, list[str]] = {}
    _check_choices(values, errors)
    _check_texts(values, errors)
    _check_dates(
        meeting_date=meeting_date, follow_up_date=follow_up_date, check_not_past=True, today=today, errors=errors
    )
    if alert is not None and (alert.school_id != actor.school_id or alert.student_id != student.pk):
        errors.setdefault("alert", []).append("The alert must be one of this student's alerts.")
    if "root_cause" not in errors and _has_active_duplicate(student=student, root_cause=root_cause):
        errors.setdefault("root_cause", []).append(_active_duplicate_message(student=student, root_cause=root_cause))
    if errors:
        raise ApplicationError(field_errors=errors)

    meeting = Meeting(
        school_id=actor.school_id,
        student=student,
        alert=alert,
        meeting_date=meeting_date,
        follow_up_date=follow_up_date,
        created_by=actor,
        status=Status.OPEN,
        **{name: value.strip() if name in TEXT_FIELDS else value for name, value in values.items()},
    )
    try:
        # A racing request for the same (student, cause) loses at the unique index: a 400, not a 500.
        with transaction.atomic():
            meeting.save()
    except IntegrityError:
        raise ApplicationError(
            field_errors={"root_cause": [_active_duplicate_message(student=student, root_cause=root_cause)]}
        ) from None
    audit.record_create(actor=actor, instance=meeting)
    if alert is not None:
        acknowledge_alert_for_meeting(actor=actor, alert=alert)
    return meeting


def _normalized(name: str, value):
    return value.strip() if name in TEXT_FIELDS and isinstance(value, str) else value


def status_change_text(previous_status: str, new_status: str) -> str:
    """The progress note that records a status change made by editing the meeting."""
    return f"Status changed from {Status(previous_status).label} to {Status(new_status).label}."


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, version: int, today: datetime.date | None = None, **changes) -> Meeting:
    """Change fields of a meeting read at `version`; a status change must be an allowed move.

    Changes that leave every field as it is save nothing: no new version, no audit row. A status change
    is also written to the meeting's progress history, so the tracker shows every move whichever way it
    was made. Counsellors may only move an escalated meeting's status (to monitoring or closed).
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(field_errors={name: ["This field cannot be changed."] for name in sorted(unknown)})
    changed = {name for name, value in changes.items() if _normalized(name, value) != getattr(meeting, name)}
    if not access.can_edit_meeting(actor, meeting):
        counselor_status_only = access.can_add_progress(actor, meeting) and changed <= {"status"}
        if not counselor_status_only:
            raise PermissionDeniedError("You may only change your own meetings.")
    expect_version(meeting, version)
    if not changed:
        return meeting
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _check_choices(changes, errors)
    _check_texts(changes, errors)
    new_status = changes.get("status", meeting.status)
    if "status" not in errors and new_status != meeting.status and not meeting.can_move_to(new_status):
        errors.setdefault("status", []).append(illegal_move_message(meeting, new_status))
    if meeting.status == Status.CLOSED and "status" not in errors:
        # A closed case is history; what it said stays as it was.
        errors.setdefault("status", []).append("A closed meeting cannot be changed; record a new meeting instead.")
    meeting_date = changes.get("meeting_date", meeting.meeting_date)
    follow_up_date = changes.get("follow_up_date", meeting.follow_up_date)
    follow_up_changed = "follow_up_date" in changes and changes["follow_up_date"] != meeting.follow_up_date
    if "meeting_date" in changes or "follow_up_date" in changes:
        date_errors: dict[str, list[str]] = {}
        _check_dates(
            meeting_date=meeting_date,
            follow_up_date=follow_up_date,
            check_not_past=follow_up_changed,
            today=today,
            errors=date_errors,
        )
        if "meeting_date" not in changes or changes["meeting_date"] == meeting.meeting_date:
            date_errors.pop("meeting_date", None)
        for name, messages in date_errors.items():
            errors.setdefault(name, []).extend(messages)
    root_cause = changes.get("root_cause", meeting.root_cause)
    becomes_active = new_status != Status.CLOSED
    cause_moved = root_cause != meeting.root_cause
    if (
        not errors
        and becomes_active
        and cause_moved
        and _has_active_duplicate(student=meeting.student, root_cause=root_cause, exclude_pk=meeting.pk)
    ):
        errors["root_cause"] = [
            _active_duplicate_message(student=meeting.student, root_cause=root_cause, exclude_pk=meeting.pk)
        ]
    if errors:
        raise ApplicationError(field_errors=errors)

    before = audit.snapshot(meeting)
    previous_status = meeting.status
    for name in changed:
        setattr(meeting, name, _normalized(name, changes[name]))
    try:
        with transaction.atomic():
            versioned_save(meeting, version=version)
    except IntegrityError:
        raise ApplicationError(
            field_errors={
                "root_cause": [
                    _active_duplicate_message(student=meeting.student, root_cause=root_cause, exclude_pk=meeting.pk)
                ]
            }
        ) from None
    audit.record_update(actor=actor, instance=meeting, before=before)
    if meeting.status != previous_status:
        update = ProgressUpdate.objects.create(
            school_id=meeting.school_id,
            meeting=meeting,
            update_text=status_change_text(previous_status, meeting.status),
            previous_status=previous_status,
            new_status=meeting.status,
            created_by=actor,
        )
        audit.record_create(actor=actor, instance=update)
    return meeting


@transaction.atomic
def meeting_delete(*, actor, meeting: Meeting, version: int) -> None:
    """Delete a meeting read at `version`; the audit row keeps the full row and its updates."""
    if not access.can_edit_meeting(actor, meeting):
        raise PermissionDeniedError("You may only delete your own meetings.")
    before = audit.snapshot(meeting)
    before["progress_updates"] = [
        audit.snapshot(update) for update in ProgressUpdate.objects.filter(meeting=meeting).order_by("created_at", "id")
    ]
    entity_id = meeting.pk
    # Take the row at the version the client saw; anything else is someone else's change.
    versioned_update(Meeting, pk=meeting.pk, version=version)
    meeting.delete()
    audit.record_delete(actor=actor, instance=meeting, before=before, entity_id=entity_id)


@transaction.atomic
def progress_add(
    *, actor, meeting: Meeting, update_text: str, status: str | None = None, version: int | None = None
) -> ProgressUpdate:
    """Append an update; with `status` also move the meeting, all or nothing.

    With `version` (the one the client read) a stale meeting is a conflict. Without it the request is
    judged against the meeting as stored: its row is locked and read again first, so the permission and
    the move are checked against the state the write will replace, and nobody can change it in between."""
    if version is None:
        _lock_and_reread(meeting)
    if not access.can_add_progress(actor, meeting):
        raise PermissionDeniedError("You may not add progress to this meeting.")
    # The client saw an older meeting: say so rather than judge its request against a state it never saw.
    expect_version(meeting, version)
    errors: dict[str, list[str]] = {}
    if not (update_text or "").strip():
        errors["update_text"] = ["This field may not be blank."]
    changes_status = status not in (None, "") and status != meeting.status
    if status not in (None, "") and status not in Status.values:
        errors["status"] = [invalid_choice_message(status, Status)]
    elif changes_status and not meeting.can_move_to(status):
        errors["status"] = [illegal_move_message(meeting, status)]
    elif not changes_status and meeting.status == Status.CLOSED:
        errors["meeting"] = ["This meeting is closed; record a new meeting instead."]
    if errors:
        raise ApplicationError(field_errors=errors)

    previous_status = meeting.status
    if changes_status:
        before = audit.snapshot(meeting)
        meeting.status = status
        versioned_save(meeting, version=version, update_fields=["status", "updated_at"])
        audit.record_update(actor=actor, instance=meeting, before=before)
    update = ProgressUpdate.objects.create(
        school_id=meeting.school_id,
        meeting=meeting,
        update_text=update_text.strip(),
        previous_status=previous_status if changes_status else "",
        new_status=status if changes_status else "",
        created_by=actor,
    )
    audit.record_create(actor=actor, instance=update)
    return update


def _lock_and_reread(meeting: Meeting) -> None:
    """Lock the meeting's row until the transaction ends and bring `meeting` up to the stored state."""
    fields = ["status", "version", "created_by_id", "school_id", "updated_at"]
    stored = Meeting._base_manager.select_for_update().filter(pk=meeting.pk).values(*fields).first()
    if stored is None:
        raise NotFoundError("That meeting no longer exists.")
    for name, value in stored.items():
        setattr(meeting, name, value)


@dataclass
class ReminderSummary:
    emails_sent: int = 0
    meetings_reminded: int = 0
    already_reminded: int = 0
    recipients: list[str] = field(default_factory=list)
    # Owners whose email could not be sent: nothing was recorded for them, the next run tries again.
    failed_recipients: list[str] = field(default_factory=list)
    meetings_not_reminded: int = 0


# Seconds to wait on the mail server when EMAIL_TIMEOUT is not set: the owner's transaction (on SQLite,
# the database's write lock) stays open while the email is handed over.
REMINDER_SEND_TIMEOUT = 10


def _send_reminder(*, owner, meetings: list[Meeting], today: datetime.date) -> None:
    body = render_to_string(
        "interventions/meetings/follow_up_reminder_email.txt",
        {"owner": owner, "meetings": meetings, "today": today},
    )
    subject = f"{len(meetings)} intervention follow-up{'s' if len(meetings) != 1 else ''} overdue"
    # A connection of its own: after a failure the next owner does not inherit a broken one.
    connection = get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or REMINDER_SEND_TIMEOUT)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email], connection=connection)


def send_follow_up_reminders(*, today: datetime.date | None = None) -> ReminderSummary:
    """Email each owner once a day the list of their overdue meetings not yet reminded about today.

    FollowUpReminder rows (unique per meeting and day) make a second run on the same day send nothing.
    Each owner's rows, their audit rows and the email are one transaction: when the email cannot be sent
    the rows are rolled back (the next run tries again), the error is logged and the other owners are
    still reminded. Should the commit fail after the email went out, the owner may be reminded twice:
    a duplicate, never a reminder recorded as sent that was not.
    """
    today = today or timezone.localdate()
    summary = ReminderSummary()
    overdue = (
        Meeting.objects.filter(follow_up_date__lt=today)
        .exclude(status=Status.CLOSED)
        .select_related("student", "created_by", "school")
        .order_by("created_by_id", "follow_up_date", "id")
    )
    reminded_today = set(FollowUpReminder.objects.filter(sent_on=today).values_list("meeting_id", flat=True))
    by_owner: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in overdue:
        if meeting.pk in reminded_today:
            summary.already_reminded += 1
            continue
        by_owner[meeting.created_by_id].append(meeting)
    for meetings in by_owner.values():
        owner = meetings[0].created_by
        if not owner.email or not owner.is_active:
            continue
        try:
            with transaction.atomic():
                for meeting in meetings:
                    reminder = FollowUpReminder.objects.create(
                        school_id=meeting.school_id, meeting=meeting, recipient=owner, sent_on=today
                    )
                    audit.record_create(actor=None, instance=reminder)
                _send_reminder(owner=owner, meetings=meetings, today=today)
        except IntegrityError:
            # Another run reminded about some of them at the same moment; it sends that email.
            continue
        except Exception:
            # A refused recipient, an unreachable server: this owner's rows are rolled back; carry on.
            logger.exception("Follow-up reminder to %s (user %s) could not be sent", owner.email, owner.pk)
            summary.failed_recipients.append(owner.email)
            summary.meetings_not_reminded += len(meetings)
            continue
        summary.emails_sent += 1
        summary.meetings_reminded += len(meetings)
        summary.recipients.append(owner.email)
    return summary
