"""Every write to the contact log: templates, messages sent and contacts made, retries, absence notices.

A message is sent first and its row written after, whatever the outcome: a send that failed is a
`failed` row carrying the error (retried later with `communication_retry`), never lost. The row and its
`communication_sent` audit entry are one transaction. Should that write fail after a message went out,
the message is not in the log: the one gap, rarer than any refused send, and logged as an error.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import audit
from core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from core.locking import versioned_update
from interventions.communications import access, letters, placeholders
from interventions.communications.models import (
    AbsenceNoticeSettings,
    Channel,
    CommunicationLog,
    CommunicationTemplate,
)
from interventions.communications.sms import get_sms_backend

logger = logging.getLogger(__name__)

Status = CommunicationLog.Status
AUDIT_ACTION = "communication_sent"
SENT_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.LETTER)  # messages we deliver (or print)
RECORDED_CHANNELS = (Channel.PHONE, Channel.IN_PERSON)  # contacts staff made and record
ERROR_LENGTH = 1000
TEMPLATE_FIELDS = ("name", "channel", "subject", "body")

# The standard absence notice, for a school that switched notices on without choosing a template.
DEFAULT_ABSENCE_SUBJECT = "{student_first_name} was absent today"
DEFAULT_ABSENCE_BODY = (
    "Dear {guardian_name},\n\n{student_first_name} {student_last_name} was marked absent on {date} and we "
    "have no reason for the absence. Please contact the school office to let us know why.\n\n{school_name}"
)


# Templates
def template_errors(values: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "name" in values and not (values["name"] or "").strip():
        errors["name"] = ["This field may not be blank."]
    if "channel" in values and values["channel"] not in Channel.values:
        errors["channel"] = [f"“{values['channel']}” is not a valid channel. Allowed: {', '.join(Channel.values)}."]
    if "body" in values and not (values["body"] or "").strip():
        errors["body"] = ["This field may not be blank."]
    for name in ("subject", "body"):
        problems = placeholders.placeholder_errors(values.get(name) or "")
        if problems:
            errors.setdefault(name, []).extend(problems)
    return errors


def _name_taken(*, school_id, channel, name, exclude_pk=None) -> bool:
    return (
        CommunicationTemplate.objects.filter(school_id=school_id, channel=channel, name__iexact=name.strip())
        .exclude(pk=exclude_pk)
        .exists()
    )


NAME_TAKEN = "A template of this channel with this name already exists."


@transaction.atomic
def template_create(*, actor, name: str, channel: str, body: str, subject: str = "") -> CommunicationTemplate:
    """A new template of the actor's school; unknown placeholders or stray braces are refused (400)."""
    if not access.can_edit_templates(actor):
        raise PermissionDeniedError("Only counsellors and admins write message templates.")
    values = {"name": name, "channel": channel, "subject": subject or "", "body": body}
    errors = template_errors(values)
    if not errors and _name_taken(school_id=actor.school_id, channel=channel, name=name):
        errors["name"] = [NAME_TAKEN]
    if errors:
        raise ApplicationError(field_errors=errors)
    template = CommunicationTemplate(
        school_id=actor.school_id, name=name.strip(), channel=channel, subject=(subject or "").strip(), body=body
    )
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise ApplicationError(field_errors={"name": [NAME_TAKEN]}) from None
    audit.record_create(actor=actor, instance=template)
    return template


@transaction.atomic
def template_update(*, actor, template: CommunicationTemplate, version: int, **changes) -> CommunicationTemplate:
    """Change a template read at `version` (409 when stale). Messages already sent keep their words."""
    if not access.can_edit_templates(actor) or template.school_id != actor.school_id:
        raise PermissionDeniedError("Only counsellors and admins write message templates.")
    unknown = set(changes) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ApplicationError(field_errors={name: ["This field cannot be changed."] for name in sorted(unknown)})
    errors = template_errors(changes)
    name = changes.get("name", template.name)
    channel = changes.get("channel", template.channel)
    if not errors and _name_taken(school_id=template.school_id, channel=channel, name=name, exclude_pk=template.pk):
        errors["name"] = [NAME_TAKEN]
    if errors:
        raise ApplicationError(field_errors=errors)
    before = audit.snapshot(template)
    for key, value in changes.items():
        setattr(template, key, value.strip() if key in ("name", "subject") else value)
    try:
        with transaction.atomic():
            versioned_update(template, version=version, fields=[*changes, "updated_at"])
    except IntegrityError:
        raise ApplicationError(field_errors={"name": [NAME_TAKEN]}) from None
    audit.record_update(actor=actor, instance=template, before=before)
    return template


# Contacts
def recipient_for(student, channel: str) -> str:
    """Where a contact by `channel` goes: the guardian's email, phone or postal address ("" when missing)."""
    if channel == Channel.EMAIL:
        return (student.guardian_email or "").strip()
    if channel in (Channel.SMS, Channel.PHONE):
        return (student.guardian_phone or "").strip()
    if channel == Channel.LETTER:
        return letters.address_block(student)
    return (student.guardian_name or "").strip() or "Parent or guardian"


NO_RECIPIENT_REASON = {
    Channel.EMAIL: "no guardian email address on record",
    Channel.SMS: "no guardian phone number on record",
}
MISSING_RECIPIENT = {
    Channel.EMAIL: "{name} has no guardian email address on record.",
    Channel.SMS: "{name} has no guardian phone number on record.",
    Channel.PHONE: "{name} has no guardian phone number on record.",
    Channel.LETTER: "{name} has no guardian postal address on record.",
}


def _message_text(*, student, school, template, subject: str, body: str, program, on: datetime.date) -> tuple[str, str]:
    """Subject and body as sent: what was typed, else the template filled in for this student."""
    values = placeholders.placeholder_values(student=student, school=school, program=program, on=on)
    subject = (subject or "").strip()
    body = (body or "").strip()
    errors: dict[str, list[str]] = {}
    if template is not None:
        subject = subject or template.subject
        body = body or template.body
    for name, text in (("subject", subject), ("body", body)):
        problems = placeholders.placeholder_errors(text)
        if problems:
            errors[name] = problems
    if errors:
        raise ApplicationError(field_errors=errors)
    return placeholders.fill(subject, values), placeholders.fill(body, values)


def _deliver(*, channel: str, recipient: str, subject: str, body: str, reply_to: str = "") -> str:
    """Send one message; returns "" or raises with the reason it was not sent."""
    if channel == Channel.EMAIL:
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient],
            reply_to=[reply_to] if reply_to else None,
        )
        message.send(fail_silently=False)
    elif channel == Channel.SMS:
        get_sms_backend().send(to=recipient, body=body)
    return ""


def _send_or_error(**message) -> str:
    """The error text of a send that failed ("" when it went out)."""
    try:
        _deliver(**message)
    except Exception as exc:  # a refused address, an unreachable server, a provider's refusal
        logger.warning("Sending a %s to %s failed: %s", message["channel"], message["recipient"], exc)
        return (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:ERROR_LENGTH]
    return ""


def record_log(*, actor, log: CommunicationLog) -> CommunicationLog:
    """Write a contact-log row and its audit entry in one transaction (the row is built by the caller)."""
    with transaction.atomic():
        log.save(force_insert=True)
        audit.record(actor=actor, action=AUDIT_ACTION, instance=log, after=audit.snapshot(log))
    return log


def communication_send(
    *,
    actor,
    student,
    channel: str,
    template: CommunicationTemplate | None = None,
    subject: str = "",
    body: str = "",
    intervention=None,
    on: datetime.date | None = None,
) -> CommunicationLog:
    """Contact a student's guardian and log it.

    email and sms are sent (to the guardian's address or phone) and logged `sent` or `failed`; a letter
    is logged `sent` and printed from the row (`letter_pdf`); phone and in_person record a contact staff
    made, `body` saying how it went (`logged`). No address or phone for the channel: 400, nothing logged.
    """
    if actor is None or not access.can_contact(actor, student):
        if actor is not None and actor.role in access.CONTACT_ROLES and student.school_id == actor.school_id:
            raise PermissionDeniedError("You may only contact the guardians of students of your own forms.")
        raise PermissionDeniedError("Your role does not allow contacting guardians.")
    if channel not in Channel.values:
        raise ApplicationError(
            field_errors={"channel": [f"“{channel}” is not a valid channel. Allowed: {', '.join(Channel.values)}."]}
        )
    errors: dict[str, list[str]] = {}
    if template is not None and (template.school_id != student.school_id or template.channel != channel):
        errors["template"] = [f"Choose a {Channel(channel).label.lower()} template."]
    if template is None and not (body or "").strip():
        errors["body"] = [
            "Say how the contact went (reached, no answer, wrong number…)."
            if channel in RECORDED_CHANNELS
            else "Choose a template or write the message."
        ]
    recipient = recipient_for(student, channel)
    if not recipient:
        errors["channel"] = [MISSING_RECIPIENT[channel].format(name=student.full_name)]
    if intervention is not None and intervention.school_id != student.school_id:
        errors["intervention"] = ["Unknown program."]
    if errors:
        raise ApplicationError(field_errors=errors)
    on = on or timezone.localdate()
    subject, body = _message_text(
        student=student,
        school=student.school,
        template=template,
        subject=subject,
        body=body,
        program=intervention,
        on=on,
    )
    return _send_and_log(
        actor=actor,
        student=student,
        channel=channel,
        template=template,
        recipient=recipient,
        subject=subject,
        body=body,
        intervention=intervention,
    )


def _send_and_log(
    *, actor, student, channel, template, recipient, subject, body, intervention=None
) -> CommunicationLog:
    error = ""
    if channel in (Channel.EMAIL, Channel.SMS):
        error = _send_or_error(
            channel=channel, recipient=recipient, subject=subject, body=body, reply_to=getattr(actor, "email", "")
        )
    status = Status.LOGGED if channel in RECORDED_CHANNELS else (Status.FAILED if error else Status.SENT)
    now = timezone.now()
    log = _message_row(
        student=student,
        channel=channel,
        template=template,
        recipient=recipient,
        subject=subject,
        body=body,
        status=status,
        sent_at=None if status == Status.FAILED else now,
        actor=actor if getattr(actor, "pk", None) else None,
        error=error,
        intervention=intervention,
    )
    try:
        return record_log(actor=actor, log=log)
    except Exception:
        if status == Status.SENT:
            logger.error("A %s to %s went out but could not be logged", channel, recipient, exc_info=True)
        raise


def _message_row(*, student, channel, template, recipient, subject, body, **fields) -> CommunicationLog:
    """An unsaved row of the log for a message to the student's family (the subject cut to its column)."""
    return CommunicationLog(
        school_id=student.school_id,
        student=student,
        channel=channel,
        template=template,
        recipient=recipient,
        subject=subject[:200],
        body=body,
        **fields,
    )


RETRYABLE = (Channel.EMAIL, Channel.SMS)


def communication_retry(*, actor, log_id: int) -> CommunicationLog:
    """Send a failed message again, to the guardian's address or phone as stored now.

    The row is locked for the attempt, so two people pressing "Retry" send it once; it becomes `sent`,
    or stays `failed` with the new error. Either way the attempt is in the audit log.
    """
    with transaction.atomic():
        log = (
            CommunicationLog.objects.select_for_update()
            .select_related("student", "student__class_group")
            .filter(pk=log_id, school_id=getattr(actor, "school_id", None))
            .first()
        )
        if log is None:
            raise NotFoundError()
        if not access.can_contact(actor, log.student):
            raise PermissionDeniedError("You may only contact the guardians of students of your own forms.")
        if log.status != Status.FAILED or log.channel not in RETRYABLE:
            raise ApplicationError(field_errors={"status": ["Only a failed email or text message can be retried."]})
        recipient = recipient_for(log.student, log.channel)
        if not recipient:
            raise ApplicationError(
                field_errors={"channel": [MISSING_RECIPIENT[log.channel].format(name=log.student.full_name)]}
            )
        before = audit.snapshot(log)
        error = _send_or_error(
            channel=log.channel,
            recipient=recipient,
            subject=log.subject,
            body=log.body,
            reply_to=getattr(actor, "email", ""),
        )
        log.recipient = recipient
        log.attempts += 1
        log.error = error
        if not error:
            log.status, log.sent_at = Status.SENT, timezone.now()
        log.save(update_fields=["recipient", "attempts", "error", "status", "sent_at"])
        audit.record(actor=actor, action=AUDIT_ACTION, instance=log, before=before, after=audit.snapshot(log))
    return log


def letter_pdf(log: CommunicationLog) -> bytes:
    """The printable letter of a `letter` row, as it was written."""
    return letters.render_letter_pdf(
        school_name=log.school.name,
        student=log.student,
        recipient=log.recipient,
        subject=log.subject,
        body=log.body,
        on=timezone.localdate(log.sent_at) if log.sent_at else None,
    )


# Absence notices
@dataclass
class NoticeSummary:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "who: why"
    schools_off: list[str] = field(default_factory=list)


def absence_settings_for(school) -> AbsenceNoticeSettings:
    settings_row, _ = AbsenceNoticeSettings.objects.get_or_create(school=school)
    return settings_row


def notify_guardians_of_absence(*, on: datetime.date, schools=None) -> NoticeSummary:
    """One message to the guardian of each student marked absent on `on` with no reason, in each school
    that switched notices on; never twice for a student and day.

    The notice's row is written (and committed) before the message is sent: the unique key on
    (student, absence_date) makes a second run, or two at once, skip it on every database. A send that
    fails leaves the row `failed` with its error, to be retried from the contact log; the next run
    does not send it again.
    """
    from attendance.models import AttendanceRecord
    from core.models import School

    summary = NoticeSummary()
    schools = list(schools if schools is not None else School.objects.order_by("code"))
    enabled = {
        row.school_id: row
        for row in AbsenceNoticeSettings.objects.filter(school__in=schools, enabled=True).select_related("template")
    }
    for school in schools:
        notice = enabled.get(school.pk)
        if notice is None:
            summary.schools_off.append(school.code)
            continue
        template = notice.template if notice.template and notice.template.channel == notice.channel else None
        absent = (
            AttendanceRecord.objects.filter(school=school, date=on, status=AttendanceRecord.Status.ABSENT, reason="")
            .select_related("student")
            .order_by("student__last_name", "student__first_name", "student_id")
        )
        already = set(
            CommunicationLog.objects.filter(school=school, absence_date=on).values_list("student_id", flat=True)
        )
        for record in absent:
            student = record.student
            who = f"{school.code} {student.student_id} {student.full_name}"
            if student.pk in already:
                summary.skipped.append(f"{who}: already notified for {on}")
                continue
            if student.status != student.Status.ACTIVE:
                summary.skipped.append(f"{who}: not an active student")
                continue
            recipient = recipient_for(student, notice.channel)
            if not recipient:
                summary.skipped.append(f"{who}: {NO_RECIPIENT_REASON[notice.channel]}")
                continue
            subject, body = _message_text(
                student=student,
                school=school,
                template=template,
                subject="" if template else DEFAULT_ABSENCE_SUBJECT,
                body="" if template else DEFAULT_ABSENCE_BODY,
                program=None,
                on=on,
            )
            log = _claim_notice(
                student=student,
                channel=notice.channel,
                template=template,
                recipient=recipient,
                subject=subject,
                body=body,
                on=on,
            )
            if log is None:
                summary.skipped.append(f"{who}: already notified for {on}")
                continue
            error = _send_or_error(channel=log.channel, recipient=recipient, subject=subject, body=body)
            with transaction.atomic():
                before = audit.snapshot(log)
                log.error = error
                if not error:
                    log.status, log.sent_at = Status.SENT, timezone.now()
                log.save(update_fields=["error", "status", "sent_at"])
                audit.record(actor=None, action=AUDIT_ACTION, instance=log, before=before, after=audit.snapshot(log))
            if error:
                summary.failed.append(f"{who} ({recipient}): {error}")
            else:
                summary.sent.append(f"{who} ({notice.get_channel_display()} to {recipient})")
    return summary


NOT_SENT_YET = "Not sent yet: the sending was interrupted. Retry it."


def _claim_notice(*, student, channel, template, recipient, subject, body, on) -> CommunicationLog | None:
    """The notice's row, committed before sending (None when the day's notice exists already)."""
    log = _message_row(
        student=student,
        channel=channel,
        template=template,
        recipient=recipient,
        subject=subject,
        body=body,
        status=Status.FAILED,
        error=NOT_SENT_YET,
        absence_date=on,
    )
    try:
        return record_log(actor=None, log=log)
    except IntegrityError:
        return None
