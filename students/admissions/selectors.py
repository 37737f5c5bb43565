"""Every read of admissions, scoped to the actor's school: the inquiry list, the board, follow-ups due
and the funnel. Each takes a fixed number of queries whatever the number of inquiries."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from core.api.filters import date_span_filterset, filters_from, words_matching
from core.permissions import PROGRAM_RUNNERS, has_role, is_platform_operator
from core.tenancy import get_scoped
from students.admissions.models import FollowUp, Inquiry

Status = Inquiry.Status
# The funnel's stages, in order; lost is counted at the stage it was lost from.
FUNNEL_STAGES = (Status.NEW, Status.CONTACTED, Status.FOLLOW_UP_SCHEDULED, Status.ENROLLED)
STAGE_INDEX = {stage: index for index, stage in enumerate(FUNNEL_STAGES)}
BOARD_CARDS_PER_COLUMN = 40


def inquiries_visible_to(actor) -> QuerySet[Inquiry]:
    """Admins and counsellors read every inquiry of their school (counsellors change their own)."""
    inquiries = Inquiry.objects.for_actor(actor)
    if is_platform_operator(actor):
        return inquiries
    return inquiries if has_role(actor, *PROGRAM_RUNNERS) else inquiries.none()


def _with_relations(queryset: QuerySet[Inquiry]) -> QuerySet[Inquiry]:
    return queryset.select_related("counselor", "student").prefetch_related("interested_subjects")


def search_inquiries(queryset: QuerySet[Inquiry], text: str) -> QuerySet[Inquiry]:
    """Every word must match the name, phone or email."""
    return words_matching(queryset, text, ("student_name", "phone", "email"))


def due_filter(today: datetime.date) -> Q:
    """Open inquiries whose next follow-up is today or overdue."""
    return Q(status__in=Inquiry.OPEN_STATUSES, next_follow_up_date__lte=today)


def inquiry_list(
    *,
    actor,
    today: datetime.date,
    status: str | None = None,
    priority: str | None = None,
    counselor: int | None = None,
    due: bool = False,
    search: str | None = None,
) -> QuerySet[Inquiry]:
    inquiries = inquiries_visible_to(actor)
    if status:
        inquiries = inquiries.filter(status=status)
    if priority:
        inquiries = inquiries.filter(priority=priority)
    if counselor:
        inquiries = inquiries.filter(counselor_id=counselor)
    if due:
        inquiries = inquiries.filter(due_filter(today))
    if search:
        inquiries = search_inquiries(inquiries, search)
    return _with_relations(inquiries).order_by("-lead_score", "-received_on", "-id")


def inquiry_get(*, actor, id, subjects: bool = True) -> Inquiry:
    """One inquiry of the actor's school; missing or another school's → NotFoundError (404). `subjects`
    False: without its interested subjects (a read that shows none of them)."""
    inquiries = _with_relations(inquiries_visible_to(actor))
    return get_scoped(inquiries if subjects else inquiries.prefetch_related(None), actor, pk=id)


def follow_up_list(*, actor, inquiry: Inquiry) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.for_actor(actor)
        .filter(inquiry_id=inquiry.pk)
        .select_related("counselor")
        .order_by("-follow_up_date", "-id")
    )


def board(*, actor, today: datetime.date, search: str = "", per_column: int = BOARD_CARDS_PER_COLUMN) -> list[dict]:
    """The pipeline: a column per status with its count and its best-scored cards (one count query and
    one query per column: six, whatever the number of inquiries)."""
    inquiries = search_inquiries(inquiries_visible_to(actor), search)
    counts = dict(inquiries.order_by().values_list("status").annotate(n=Count("id")))
    columns = []
    for status, label in Status.choices:
        cards = list(
            inquiries.filter(status=status)
            .select_related("counselor")
            .order_by("-lead_score", "next_follow_up_date", "-id")[:per_column]
        )
        for card in cards:
            card.is_due = card.is_open and card.next_follow_up_date is not None and card.next_follow_up_date <= today
        columns.append({"status": status, "label": label, "count": counts.get(status, 0), "cards": cards})
    return columns


def due_follow_ups(*, actor, today: datetime.date, mine_only: bool = False, limit: int = 50) -> dict:
    """Open inquiries to contact today and those overdue (one query)."""
    inquiries = inquiries_visible_to(actor).filter(due_filter(today))
    if mine_only:
        inquiries = inquiries.filter(counselor=actor)
    rows = list(inquiries.select_related("counselor").order_by("next_follow_up_date", "-lead_score", "id")[:limit])
    return {
        "today": [row for row in rows if row.next_follow_up_date == today],
        "overdue": [row for row in rows if row.next_follow_up_date < today],
    }


def _reached(status: str, lost_at_stage: str) -> int:
    """The index of the last funnel stage an inquiry reached."""
    if status == Status.LOST:
        return STAGE_INDEX.get(lost_at_stage, 0)
    return STAGE_INDEX.get(status, 0)


def _stages(reached: list[int], total: int) -> list[dict]:
    stages, previous = [], total
    for index, stage in enumerate(FUNNEL_STAGES):
        count = reached[index]
        stages.append(
            {
                "stage": stage,
                "label": Status(stage).label,
                "count": count,
                "rate": round(count / total, 4) if total else 0.0,
                "from_previous": round(count / previous, 4) if previous else 0.0,
            }
        )
        previous = count
    return stages


FunnelFilter = date_span_filterset("FunnelFilter", Inquiry)  # the funnel's `?from=&to=`


def parse_funnel_filters(params) -> dict:
    return filters_from(FunnelFilter, params)


def funnel(*, actor, date_from: datetime.date | None = None, date_to: datetime.date | None = None) -> dict:
    """Counts and conversion rates per stage, overall and per source, and inquiries and enrolments per
    source and month, for the inquiries received in [date_from, date_to]. Two aggregate queries.

    A stage's `count` is how many inquiries reached it (an inquiry's status only moves forward; a lost
    one counts up to the stage it was lost at); `rate` is that share of all inquiries, `from_previous`
    the share of the stage before."""
    inquiries = inquiries_visible_to(actor)
    if date_from:
        inquiries = inquiries.filter(received_on__gte=date_from)
    if date_to:
        inquiries = inquiries.filter(received_on__lte=date_to)
    groups = inquiries.order_by().values_list("source", "status", "lost_at_stage").annotate(n=Count("id"))
    total, reached, by_status = 0, [0] * len(FUNNEL_STAGES), defaultdict(int)
    per_source: dict[str, dict] = {}
    for source, status, lost_at_stage, n in groups:
        entry = per_source.setdefault(source, {"total": 0, "reached": [0] * len(FUNNEL_STAGES), "lost": 0})
        total += n
        entry["total"] += n
        by_status[status] += n
        if status == Status.LOST:
            entry["lost"] += n
        for index in range(_reached(status, lost_at_stage) + 1):
            reached[index] += n
            entry["reached"][index] += n
    sources = []
    for source, label in Inquiry.Source.choices:
        entry = per_source.get(source, {"total": 0, "reached": [0] * len(FUNNEL_STAGES), "lost": 0})
        enrolled = entry["reached"][-1]
        sources.append(
            {
                "source": source,
                "label": label,
                "total": entry["total"],
                "enrolled": enrolled,
                "lost": entry["lost"],
                "conversion_rate": round(enrolled / entry["total"], 4) if entry["total"] else 0.0,
                "stages": _stages(entry["reached"], entry["total"]),
            }
        )
    months = (
        inquiries.order_by()
        .annotate(month=TruncMonth("received_on"))
        .values_list("month", "source")
        .annotate(total=Count("id"), enrolled=Count("id", filter=Q(status=Status.ENROLLED)))
        .order_by("month", "source")
    )
    by_month = [
        {"month": f"{month:%Y-%m}", "source": source, "total": n, "enrolled": enrolled}
        for month, source, n, enrolled in months
    ]
    return {
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "total": total,
        "by_status": {status: by_status.get(status, 0) for status in Status.values},
        "conversion_rate": round(reached[-1] / total, 4) if total else 0.0,
        "stages": _stages(reached, total),
        "by_source": sources,
        "by_month": by_month,
    }
