"""Every write to feedback: issuing a link, a family's answer (with its sentiment), review and
resolution. Each in one transaction with its audit rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from core import audit
from core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from core.locking import expect_version, versioned_update
from core.models import User
from core.permissions import PROGRAM_RUNNERS, has_role
from interventions.feedback import sentiment, tokens
from interventions.feedback.models import Feedback, FeedbackLink, FeedbackType

Role = User.Role
Status = Feedback.Status
COMMENT_MAX = 2000


# Who may review ------------------------------------------------------------------------------------


def can_review_feedback(actor, feedback: Feedback) -> bool:
    """Admins and counsellors of the school review its feedback; a program's owner that of the program."""
    if not has_role(actor) or actor.school_id != feedback.school_id:
        return False
    if actor.role in PROGRAM_RUNNERS:
        return True
    return feedback.intervention_id is not None and feedback.intervention.owner_id == actor.pk


def can_request_feedback(actor, intervention) -> bool:
    """Who sends a program's feedback links: its owner, the school's counsellors and admins."""
    if not has_role(actor) or actor.school_id != intervention.school_id:
        return False
    return actor.role in PROGRAM_RUNNERS or intervention.owner_id == actor.pk


def _require_review(actor, feedback: Feedback) -> None:
    if not has_role(actor) or actor.school_id != feedback.school_id:
        raise NotFoundError()
    if not can_review_feedback(actor, feedback):
        raise PermissionDeniedError("Only the program's owner, counsellors and admins review feedback.")


# Links ----------------------------------------------------------------------------------------------


@transaction.atomic
def feedback_link_create(
    *,
    actor,
    school_id: int,
    feedback_type: str = FeedbackType.PROGRAM,
    channel: str = FeedbackLink.Channel.EMAIL,
    student=None,
    intervention=None,
    session=None,
) -> tuple[FeedbackLink, str]:
    """A new single-use link; returns it and the signed token for its URL (/feedback/<token>/)."""
    if feedback_type not in FeedbackType.values:
        raise ApplicationError(field_errors={"feedback_type": [f'"{feedback_type}" is not a valid type.']})
    for row in (student, intervention, session):
        if row is not None and row.school_id != school_id:
            raise NotFoundError()
    now = timezone.now()
    link = FeedbackLink.objects.create(
        school_id=school_id,
        student=student,
        intervention=intervention,
        session=session,
        nonce=tokens.new_nonce(),
        feedback_type=feedback_type,
        channel=channel,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=now,
        expires_at=now + tokens.LIFETIME,
    )
    audit.record_create(actor=actor, instance=link)
    return link, tokens.token_for(link.nonce)


def open_link(token: str) -> FeedbackLink:
    """The link a token names, if it is genuine, not expired and not used yet; else NotFoundError."""
    nonce = tokens.nonce_from(token)
    link = FeedbackLink.objects.filter(nonce=nonce).select_related("intervention").first()
    if link is None or link.used_at is not None or link.expires_at <= timezone.now():
        raise NotFoundError()
    return link


def _validate_answer(rating, comments: str) -> tuple[int, str]:
    errors = {}
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        errors["rating"] = ["Pick a rating from 1 to 5."]
    comments = (comments or "").strip()
    if len(comments) > COMMENT_MAX:
        errors["comments"] = [f"At most {COMMENT_MAX} characters."]
    if errors:
        raise ApplicationError(field_errors=errors)
    return rating, comments


@transaction.atomic
def feedback_submit(*, token: str, rating, comments: str = "", submitted_at=None) -> Feedback:
    """A family's answer through their link: stored with its sentiment, the link used up. A second
    answer through the same link (even at the same moment) is refused as not found. (`submitted_at`
    backdates an answer for demo data.)"""
    rating, comments = _validate_answer(rating, comments)
    link = open_link(token)
    now = submitted_at or timezone.now()
    # The conditional UPDATE is what makes the link single-use under concurrent submits.
    if not FeedbackLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now):
        raise NotFoundError()
    label, score = sentiment.analyse(comments)
    feedback = Feedback.objects.create(
        school_id=link.school_id,
        rating=rating,
        comments=comments,
        feedback_type=link.feedback_type,
        student_id=link.student_id,
        intervention_id=link.intervention_id,
        session_id=link.session_id,
        sentiment=label,
        sentiment_score=score,
        submitted_at=now,
    )
    audit.record_create(actor=None, instance=feedback)
    before = audit.snapshot(link)
    link.used_at = now
    link.feedback = feedback
    link.save(update_fields=["feedback"])
    audit.record_update(actor=None, instance=link, before=before)
    return feedback


# Review ---------------------------------------------------------------------------------------------


@transaction.atomic
def feedback_mark_reviewed(*, actor, feedback: Feedback, version: int) -> Feedback:
    _require_review(actor, feedback)
    expect_version(feedback, version)
    if feedback.status != Status.PENDING:
        raise ApplicationError(
            field_errors={"status": [f"This feedback is already {feedback.get_status_display().lower()}."]}
        )
    before = audit.snapshot(feedback)
    versioned_update(
        feedback,
        version=version,
        status=Status.REVIEWED,
        reviewed_by_id=actor.pk,
        reviewed_at=timezone.now(),
    )
    audit.record_update(actor=actor, instance=feedback, before=before)
    return feedback


@transaction.atomic
def feedback_resolve(*, actor, feedback: Feedback, resolution: str, version: int) -> Feedback:
    """Close the loop: say what was done. Against the version the reviewer saw (409 when stale);
    resolved feedback stays resolved."""
    _require_review(actor, feedback)
    expect_version(feedback, version)
    resolution = (resolution or "").strip()
    if feedback.status == Status.RESOLVED:
        raise ApplicationError(field_errors={"status": ["This feedback is already resolved."]})
    if not resolution:
        raise ApplicationError(field_errors={"resolution": ["Say what was done about it."]})
    if len(resolution) > COMMENT_MAX:
        raise ApplicationError(field_errors={"resolution": [f"At most {COMMENT_MAX} characters."]})
    before = audit.snapshot(feedback)
    versioned_update(
        feedback,
        version=version,
        status=Status.RESOLVED,
        resolution=resolution,
        reviewed_by_id=actor.pk,
        reviewed_at=timezone.now(),
    )
    audit.record_update(actor=actor, instance=feedback, before=before)
    return feedback


# Sending links through the contact log ---------------------------------------------------------------


@dataclass
class SendSummary:
    sent: int = 0
    failed: int = 0
    skipped: list[str] = field(default_factory=list)  # "Name: reason", no address on record and the like


def feedback_recipients(*, intervention, session=None) -> list:
    """The students asked: those who attended the session, or those enrolled in the program to its end
    (active or exited; not withdrawn)."""
    from interventions.models import Enrollment, SessionAttendance
    from students.models import Student

    if session is not None:
        ids = SessionAttendance.objects.filter(session=session, status__in=SessionAttendance.ATTENDED).values_list(
            "student_id", flat=True
        )
    else:
        ids = Enrollment.objects.filter(
            intervention=intervention, status__in=[Enrollment.Status.ACTIVE, Enrollment.Status.EXITED]
        ).values_list("student_id", flat=True)
    return list(
        Student.objects.filter(school_id=intervention.school_id, pk__in=ids)
        .select_related("class_group", "school")
        .order_by("last_name", "first_name", "pk")
    )


def feedback_links_send(
    *, actor, intervention, session=None, channel: str = FeedbackLink.Channel.EMAIL, link_for, today=None
) -> SendSummary:
    """Send each student (their guardian) of a finished session, or of a program at its end, a
    single-use feedback link, by email or SMS through the contact log (which records each message and
    its audit row). `link_for(token)` makes the absolute URL. One student's failure does not stop the
    others: a send that fails is logged as failed by the contact log, a student without an address for
    the channel is skipped."""
    from interventions.communications import services as contact_log
    from interventions.models import Intervention, InterventionSession

    if not can_request_feedback(actor, intervention):
        if has_role(actor) and actor.school_id == intervention.school_id:
            raise PermissionDeniedError("Only the program's owner, counsellors and admins ask for feedback.")
        raise NotFoundError()
    if channel not in FeedbackLink.Channel.values:
        raise ApplicationError(field_errors={"channel": ["Send feedback links by email or SMS."]})
    today = today or timezone.localdate()
    if session is not None:
        if session.intervention_id != intervention.pk:
            raise NotFoundError()
        if session.status != InterventionSession.Status.COMPLETED:
            raise ApplicationError(field_errors={"session": ["Ask for a session's feedback once it has taken place."]})
    elif intervention.status != Intervention.Status.COMPLETED and intervention.end_date > today:
        raise ApplicationError(field_errors={"intervention": ["Ask for a program's feedback at its end."]})
    students = feedback_recipients(intervention=intervention, session=session)
    if not students:
        raise ApplicationError(field_errors={"intervention": ["Nobody to ask: no student attended or is enrolled."]})
    what = "the session of " if session is not None else ""
    summary = SendSummary()
    for student in students:
        try:
            with transaction.atomic():
                link, token = feedback_link_create(
                    actor=actor,
                    school_id=intervention.school_id,
                    feedback_type=FeedbackType.SESSION if session is not None else FeedbackType.PROGRAM,
                    channel=channel,
                    student=student,
                    intervention=intervention,
                    session=session,
                )
                url = link_for(token)
                log = contact_log.communication_send(
                    actor=actor,
                    student=student,
                    channel=channel,
                    subject=f"How was {what}{intervention.name}?",
                    body=(
                        f"We would like to hear how {what}{intervention.name} went. "
                        f"One question, one minute: {url} (the link works once, for 14 days)."
                    ),
                    intervention=intervention,
                    on=today,
                )
                link.sent_to = log.recipient[:254]
                link.save(update_fields=["sent_to"])
        except ApplicationError as exc:
            summary.skipped.append(
                f"{student.full_name}: {' '.join(sum(exc.field_errors.values(), [])) or exc.message}"
            )
            continue
        if getattr(log, "status", "") == "failed":
            summary.failed += 1
        else:
            summary.sent += 1
    return summary
