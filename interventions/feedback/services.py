"""Every write to feedback: issuing a link, a family's answer (with its sentiment), review and
resolution. Each in one transaction with its audit rows."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core import audit
from core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from core.locking import conflict, versioned_update
from core.models import User
from core.permissions import PROGRAM_RUNNERS, has_role
from interventions.feedback import sentiment, tokens
from interventions.feedback.models import Feedback, FeedbackLink, FeedbackType

Role = User.Role
Status = Feedback.Status
COMMENT_MAX = 2000


# Who may review ------------------------------------------------------------------------------------


def can_review_feedback(actor, feedback: Feedback) -> bool:
    """Admins and counsellors of the school review its feedback."""
    if not has_role(actor) or actor.school_id != feedback.school_id:
        return False
    return actor.role in PROGRAM_RUNNERS


def _require_review(actor, feedback: Feedback) -> None:
    if not has_role(actor) or actor.school_id != feedback.school_id:
        raise NotFoundError()
    if not can_review_feedback(actor, feedback):
        raise PermissionDeniedError("Only the program's owner, counsellors and admins review feedback.")


# Links ----------------------------------------------------------------------------------------------


@transaction.atomic
def feedback_link_create(
    *, actor, school_id: int, feedback_type: str = FeedbackType.PROGRAM, channel: str = FeedbackLink.Channel.EMAIL
) -> tuple[FeedbackLink, str]:
    """A new single-use link; returns it and the signed token for its URL (/feedback/<token>/)."""
    if feedback_type not in FeedbackType.values:
        raise ApplicationError(field_errors={"feedback_type": [f'"{feedback_type}" is not a valid type.']})
    now = timezone.now()
    link = FeedbackLink.objects.create(
        school_id=school_id,
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
    link = FeedbackLink.objects.filter(nonce=nonce).select_related("school").first()
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
def feedback_submit(*, token: str, rating, comments: str = "") -> Feedback:
    """A family's answer through their link: stored with its sentiment, the link used up. A second
    answer through the same link (even at the same moment) is refused as not found."""
    rating, comments = _validate_answer(rating, comments)
    link = open_link(token)
    now = timezone.now()
    # The conditional UPDATE is what makes the link single-use under concurrent submits.
    if not FeedbackLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now):
        raise NotFoundError()
    label, score = sentiment.analyse(comments)
    feedback = Feedback.objects.create(
        school_id=link.school_id,
        rating=rating,
        comments=comments,
        feedback_type=link.feedback_type,
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
    if version != feedback.version:
        raise conflict(Feedback, feedback.pk)
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
    if version != feedback.version:
        raise conflict(Feedback, feedback.pk)
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
