"""Every read of alerts: scoped to the actor's school and to the alerts that concern them."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from core.api.filters import choice_filter, filters_from, row_id_filter
from core.models import User
from core.permissions import is_platform_operator
from core.tenancy import get_scoped
from interventions.models import Alert

Role = User.Role
Status = Alert.Status
Severity = Alert.Severity

STATUS_RANK = Case(
    When(status=Status.OPEN, then=Value(0)),
    When(status=Status.ACKNOWLEDGED, then=Value(1)),
    When(status=Status.RESOLVED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
SEVERITY_RANK = Case(
    When(severity=Severity.HIGH, then=Value(0)),
    When(severity=Severity.MEDIUM, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
# The page's status filter: "active" (open and acknowledged) is its default, "all" every status.
ACTIVE = "active"
ALL = "all"
PAGE_STATUS_CHOICES = [(ACTIVE, "Open and acknowledged"), *Alert.Status.choices, (ALL, "All")]


class AlertFilter(django_filters.FilterSet):
    """The alert list's query parameters (`GET /api/interventions/alerts/`)."""

    status = choice_filter("status", Alert.Status.choices)
    kind = choice_filter("kind", Alert.Kind.choices)
    student = row_id_filter("student", field_name="student_id")

    class Meta:
        model = Alert
        fields: list[str] = []


class AlertPageFilter(AlertFilter):
    """The /alerts/ page's address: its status may also be `active` (the default) or `all`."""

    status = choice_filter("status", PAGE_STATUS_CHOICES)
    student = None


def parse_alert_page_filters(params) -> dict:
    """The page's status (ACTIVE unless given) and kind ("" for every kind); a bad one is a 400 naming it."""
    return {"status": ACTIVE, "kind": "", **filters_from(AlertPageFilter, params)}


def alerts_visible_to(actor) -> QuerySet:
    """Admins and counsellors: the school's alerts. Form masters: those of their forms' students and
    those assigned to them. Teachers: those assigned to them."""
    alerts = Alert.objects.for_actor(actor)
    if actor is None or not actor.is_authenticated or is_platform_operator(actor):
        return alerts
    if actor.role in (Role.ADMIN, Role.COUNSELOR):
        return alerts
    if actor.role == Role.FORM_MASTER:
        return alerts.filter(Q(student__class_group__form_master=actor) | Q(assigned_to=actor))
    if actor.role == Role.TEACHER:
        return alerts.filter(assigned_to=actor)
    return alerts.none()


# What an alert's row on the pages shows besides the alert: the student, their form and the assignee.
ROW_JOINS = ("student", "student__class_group", "assigned_to")
# The columns a row reads (its reason, who may act on it, what it shows): a page of rows is read without
# the rest (the students' guardians and dates, the assignees' passwords and logins).
ROW_COLUMNS = (
    *("id", "version", "school_id", "student_id", "kind", "severity", "details", "status"),
    *("assigned_to_id", "note", "created_at", "resolved_at"),
    *("student__id", "student__school_id", "student__first_name", "student__last_name", "student__status"),
    *("student__class_group_id", "student__class_group__id", "student__class_group__name"),
    "student__class_group__form_master_id",
    *("assigned_to__id", "assigned_to__username", "assigned_to__first_name", "assigned_to__last_name"),
)


def alert_list(
    *,
    actor,
    status: str | None = None,
    kind: str | None = None,
    student=None,
    joined: tuple[str, ...] = ROW_JOINS,
) -> QuerySet:
    """The alerts the actor sees: open first, then by severity, newest first. `joined`: the related rows
    read with them (the pages' rows by default; the API names only the student)."""
    alerts = alerts_visible_to(actor)
    if joined:
        alerts = alerts.select_related(*joined)
    if joined == ROW_JOINS:
        alerts = alerts.only(*ROW_COLUMNS)
    if status == ACTIVE:
        alerts = alerts.filter(status__in=Alert.ACTIVE_STATUSES)
    elif status:
        alerts = alerts.filter(status=status)
    if kind:
        alerts = alerts.filter(kind=kind)
    if student is not None:
        alerts = alerts.filter(student=student)
    return alerts.annotate(status_rank=STATUS_RANK, severity_rank=SEVERITY_RANK).order_by(
        "status_rank", "severity_rank", "-created_at", "-id"
    )


def alert_get(*, actor, alert_id) -> Alert:
    """One alert the actor sees; missing, of another school or not theirs → NotFoundError (404)."""
    return get_scoped(alerts_visible_to(actor).select_related(*ROW_JOINS), actor, pk=alert_id)


def open_alert_count(*, student) -> int:
    """The student's open and acknowledged alerts (whoever they concern)."""
    return Alert.objects.filter(
        school_id=student.school_id, student_id=student.pk, status__in=Alert.ACTIVE_STATUSES
    ).count()


def open_alert_counts(*, actor) -> dict[str, int]:
    """Open and acknowledged alerts concerning the actor, by severity (one query)."""
    counts = (
        alerts_visible_to(actor)
        .filter(status__in=Alert.ACTIVE_STATUSES)
        .aggregate(
            total=Count("id"),
            high=Count("id", filter=Q(severity=Severity.HIGH)),
            medium=Count("id", filter=Q(severity=Severity.MEDIUM)),
            low=Count("id", filter=Q(severity=Severity.LOW)),
        )
    )
    return counts


def _day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def date_range_words(first: datetime.date, last: datetime.date) -> str:
    """'17–20 Nov', '30 Oct – 3 Nov', '17 Nov'."""
    if first == last:
        return f"{first.day} {first:%b}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b}"
    return f"{first.day} {first:%b} – {last.day} {last:%b}"


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def alert_reason(alert: Alert) -> str:
    """Why the alert was raised, in words, from the figures in its details."""
    d = alert.details or {}
    try:
        if alert.kind == Alert.Kind.CONSECUTIVE_ABSENCES:
            return (
                f"Absent {d['days']} school days in a row: "
                f"{date_range_words(_day(d['first_date']), _day(d['last_date']))}"
            )
        if alert.kind == Alert.Kind.LOW_ATTENDANCE:
            return (
                f"Attended {_number(d['rate'])} % of {d['marked']} marked days in the last "
                f"{d['window_school_days']} school days "
                f"({date_range_words(_day(d['window_start']), _day(d['window_end']))}); "
                f"below {_number(d['threshold_percent'])} %"
            )
        if alert.kind == Alert.Kind.CHRONIC_ABSENCE:
            return (
                f"Missed {d['missed']} of {d['marked']} marked school days this year "
                f"({_number(d['rate_missed'])} %; threshold {_number(d['threshold_percent'])} %)"
            )
        if alert.kind == Alert.Kind.RECURRING_PATTERN:
            return (
                f"Absent on {d['times']} {d['weekday']}s in {d['window_weeks']} weeks: "
                f"{date_range_words(_day(d['first_date']), _day(d['last_date']))}"
            )
        if alert.kind == Alert.Kind.MISSED_LESSONS:
            return (
                f"Present at registration but absent from {d['lessons']} lessons on {d['days']} days in the last "
                f"{d['window_school_days']} school days: "
                f"{date_range_words(_day(d['first_date']), _day(d['last_date']))}"
            )
        if alert.kind == Alert.Kind.BEHAVIOUR_THRESHOLD:
            return (
                f"{d['penalties']} counted penalties this year (threshold {d['threshold_penalties']}), the latest on "
                f"{_day(d['last_date']):%d %b %Y}: a behaviour letter to the guardian is due"
            )
    except (KeyError, TypeError, ValueError):
        pass
    return alert.get_kind_display()
