"""Every read of feedback, scoped to the actor's school and to the feedback they review: admins and
counsellors all of it; a program's owner that of their programs."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from core.api.filters import choice_filter, date_span_filterset, filters_from, flag_filter, row_id_filter
from core.permissions import PROGRAM_RUNNERS, has_role, is_platform_operator
from core.tenancy import get_scoped
from interventions.feedback.models import Feedback
from interventions.models import Intervention

Sentiment = Feedback.Sentiment
Status = Feedback.Status
# The review list's default: negative feedback not yet resolved.
NEEDS_REVIEW = "needs_review"
STATUS_CHOICES = [(NEEDS_REVIEW, "Negative, not resolved"), *Status.choices]


def with_status(rows: QuerySet[Feedback], status: str) -> QuerySet[Feedback]:
    """One of STATUS_CHOICES: a status, or `needs_review` (negative and not resolved)."""
    if status == NEEDS_REVIEW:
        return rows.filter(sentiment=Sentiment.NEGATIVE).exclude(status=Status.RESOLVED)
    return rows.filter(status=status)


class FeedbackFilter(django_filters.FilterSet):
    """The feedback list's query parameters (`GET /api/interventions/feedback/`)."""

    status = choice_filter("status", STATUS_CHOICES, method="by_status")
    sentiment = choice_filter("sentiment", Sentiment.choices)
    intervention = row_id_filter("intervention", field_name="intervention_id")

    class Meta:
        model = Feedback
        fields: list[str] = []

    def by_status(self, queryset, name, value):
        return with_status(queryset, value)


class FeedbackPageFilter(FeedbackFilter):
    """The review page's address: the same, and `mine` (of the reviewer's own programs)."""

    mine = flag_filter("mine")


def parse_feedback_page_filters(params) -> dict:
    """`feedback_list`'s arguments from the review page's address. No status: the negative, unresolved
    ones (the page's default view); an empty one ("All"): every status. A bad value is a 400 naming it."""
    filters = filters_from(FeedbackPageFilter, params)
    return {
        "status": filters.get("status", "" if "status" in params else NEEDS_REVIEW),
        "sentiment": filters.get("sentiment", ""),
        "intervention": filters.get("intervention"),
        "mine": filters.get("mine", False),
    }


def owns_programs(actor) -> bool:
    return has_role(actor) and Intervention.objects.filter(school_id=actor.school_id, owner=actor).exists()


def may_review(actor) -> bool:
    """The role gate of the review pages and API: admins, counsellors, and owners of a program."""
    return has_role(actor, *PROGRAM_RUNNERS) or owns_programs(actor)


def feedback_visible_to(actor) -> QuerySet[Feedback]:
    rows = Feedback.objects.for_actor(actor)
    if is_platform_operator(actor):
        return rows
    if has_role(actor, *PROGRAM_RUNNERS):
        return rows
    if has_role(actor):
        return rows.filter(intervention__owner=actor)
    return rows.none()


def feedback_list(
    *,
    actor,
    status: str | None = None,
    sentiment: str | None = None,
    intervention: int | None = None,
    mine: bool = False,
) -> QuerySet[Feedback]:
    """Newest first. `status=needs_review`: negative and not resolved. `mine`: of the actor's programs."""
    rows = feedback_visible_to(actor)
    if status:
        rows = with_status(rows, status)
    if sentiment:
        rows = rows.filter(sentiment=sentiment)
    if intervention:
        rows = rows.filter(intervention_id=intervention)
    if mine:
        rows = rows.filter(intervention__owner=actor)
    return rows.select_related(
        "intervention", "intervention__owner", "session", "session__facilitator", "reviewed_by"
    ).order_by("-submitted_at", "-id")


def feedback_get(*, actor, id) -> Feedback:
    return get_scoped(
        feedback_visible_to(actor).select_related("intervention", "session", "session__facilitator", "reviewed_by"),
        actor,
        pk=id,
    )


def review_count(*, actor) -> int:
    """Negative feedback not yet resolved, of the actor's programs (owners) or school (admins, counsellors)."""
    rows = feedback_visible_to(actor).filter(sentiment=Sentiment.NEGATIVE).exclude(status=Status.RESOLVED)
    if not has_role(actor, *PROGRAM_RUNNERS):
        rows = rows.filter(intervention__owner=actor)
    return rows.count()


def _figures() -> dict:
    return {
        "count": Count("id"),
        "mean_rating": Avg("rating"),
        "positive": Count("id", filter=Q(sentiment=Sentiment.POSITIVE)),
        "neutral": Count("id", filter=Q(sentiment=Sentiment.NEUTRAL)),
        "negative": Count("id", filter=Q(sentiment=Sentiment.NEGATIVE)),
    }


def _shaped(row: dict) -> dict:
    row["mean_rating"] = round(float(row["mean_rating"]), 2) if row["mean_rating"] is not None else None
    count = row["count"] or 0
    row["sentiment_split"] = {
        label: round(row[label] / count, 4) if count else 0.0 for label in ("positive", "neutral", "negative")
    }
    return row


# The analytics' query parameters: `?from=&to=` and `?intervention=`, a program's id.
AnalyticsFilter = date_span_filterset("AnalyticsFilter", Feedback, intervention=row_id_filter("intervention"))


def parse_analytics_filters(params) -> dict:
    return filters_from(AnalyticsFilter, params)


def feedback_analytics(
    *,
    actor,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    intervention: int | None = None,
) -> dict:
    """Mean rating and sentiment split overall, per program, per facilitator (feedback about a session
    counts for its facilitator) and per month (months in UTC). Four aggregate queries."""
    rows = feedback_visible_to(actor)
    if date_from:
        rows = rows.filter(submitted_at__date__gte=date_from)
    if date_to:
        rows = rows.filter(submitted_at__date__lte=date_to)
    if intervention:
        rows = rows.filter(intervention_id=intervention)
    rows = rows.order_by()
    overall = _shaped(rows.aggregate(**_figures()))
    per_program = [
        _shaped({"intervention": pk, "name": name or "Not about a program", **figures})
        for pk, name, *values in rows.values_list("intervention_id", "intervention__name")
        .annotate(**_figures())
        .order_by("intervention__name", "intervention_id")
        for figures in [dict(zip(_figures(), values, strict=True))]
    ]
    per_facilitator = [
        _shaped({"facilitator": pk, "name": " ".join(p for p in (first, last) if p) or username, **figures})
        for pk, first, last, username, *values in rows.filter(session__facilitator__isnull=False)
        .values_list(
            "session__facilitator_id",
            "session__facilitator__first_name",
            "session__facilitator__last_name",
            "session__facilitator__username",
        )
        .annotate(**_figures())
        .order_by("session__facilitator__last_name", "session__facilitator_id")
        for figures in [dict(zip(_figures(), values, strict=True))]
    ]
    per_month = [
        _shaped({"month": f"{month:%Y-%m}", **figures})
        for month, *values in rows.annotate(month=TruncMonth("submitted_at", tzinfo=datetime.UTC))
        .values_list("month")
        .annotate(**_figures())
        .order_by("month")
        for figures in [dict(zip(_figures(), values, strict=True))]
    ]
    return {
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "overall": overall,
        "per_program": per_program,
        "per_facilitator": per_facilitator,
        "per_month": per_month,
    }
