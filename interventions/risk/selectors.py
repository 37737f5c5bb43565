"""Reads of the ABC risk level, scoped to the actor's school; constant queries whatever the rows."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core.api.filters import WholeNumberFilter, choice_filter, filters_from, flag_filter, row_id_filter
from core.permissions import Role
from interventions.alerts.detection import calendar_for, settings_for
from interventions.models import Alert
from interventions.risk import aggregates
from interventions.risk.actions import FIRST_STEP_DAYS, first_step_taken
from interventions.risk.forecast import Forecast, forecast, remaining_school_days
from interventions.risk.models import StudentRisk
from interventions.risk.services import risk_settings_for
from students.models import Student
from students.selectors import current_academic_year

ORDERINGS = {
    "level": ("level", "student__last_name", "student__first_name", "student_id"),
    "-level": ("-level", "student__last_name", "student__first_name", "student_id"),
    "name": ("student__last_name", "student__first_name", "student_id"),
    "form": ("student__class_group__name", "-level", "student__last_name", "student_id"),
}


ORDERING_CHOICES = [(name, name) for name in ORDERINGS]


class RiskFilter(django_filters.FilterSet):
    """The risk list's query parameters (`GET /api/risk/`): the selector's arguments, those given."""

    level_gte = WholeNumberFilter(
        min_value=0,
        max_value=4,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), "A level is a whole number from 0 to 4."),
    )
    class_group = row_id_filter("form")
    no_action = flag_filter("no_action")
    ordering = choice_filter("ordering", ORDERING_CHOICES)

    class Meta:
        model = StudentRisk
        fields: list[str] = []


class RiskPageFilter(RiskFilter):
    """The /risk/ page's address: the same, with the column order under `sort`."""

    ordering = None
    sort = choice_filter("sort", ORDERING_CHOICES)


def parse_risk_filters(params) -> dict:
    """`risk_levels`'s arguments from the API's query parameters; a bad value is a 400 naming it."""
    return filters_from(RiskFilter, params)


def parse_risk_page_filters(params) -> dict:
    """All of `risk_levels`'s arguments from the page's address (its `sort` is the API's `ordering`)."""
    filters = filters_from(RiskPageFilter, params)
    return {
        "level_gte": filters.get("level_gte"),
        "class_group": filters.get("class_group"),
        "no_action": filters.get("no_action", False),
        "ordering": filters.get("sort", "-level"),
    }


def _since(as_of: datetime.date | None) -> datetime.date:
    return (as_of or timezone.localdate()) - datetime.timedelta(days=FIRST_STEP_DAYS)


def risk_levels(
    *,
    actor,
    level_gte: int | None = None,
    class_group=None,
    no_action: bool = False,
    ordering: str = "-level",
) -> QuerySet[StudentRisk]:
    """The school's risk rows of active students (most at risk first); `no_action`: no meeting,
    enrollment or contact in the last 30 days."""
    queryset = (
        StudentRisk.objects.for_actor(actor)
        .filter(student__status=Student.Status.ACTIVE)
        .select_related("student", "student__class_group")
    )
    if level_gte is not None:
        queryset = queryset.filter(level__gte=level_gte)
    if class_group is not None:
        queryset = queryset.filter(student__class_group_id=getattr(class_group, "pk", class_group))
    if no_action:
        taken = Student.objects.filter(first_step_taken(_since(None)), pk=OuterRef("student_id"))
        queryset = queryset.filter(~Exists(taken))
    return queryset.order_by(*ORDERINGS.get(ordering, ORDERINGS["-level"]))


def needs_first_step(*, actor, as_of: datetime.date | None = None, limit: int | None = None) -> QuerySet[Student]:
    """Students at level ≥ 2 or with an open high alert, and no meeting, enrollment or contact in the
    last 30 days: a form master's own students, the school's for admins and counsellors."""
    students = Student.objects.for_actor(actor).filter(status=Student.Status.ACTIVE)
    if actor.role == Role.FORM_MASTER:
        students = students.filter(class_group__form_master=actor)
    elif actor.role not in (Role.ADMIN, Role.COUNSELOR) and not actor.is_superuser:
        return students.none()
    high_alert = Exists(
        Alert.objects.filter(student_id=OuterRef("pk"), status__in=Alert.ACTIVE_STATUSES, severity=Alert.Severity.HIGH)
    )
    students = (
        students.filter(Q(risk__level__gte=2) | Q(high_alert))
        .exclude(first_step_taken(_since(as_of)))
        .select_related("class_group", "risk")
        .annotate(has_high_alert=high_alert)
        .order_by("-risk__level", "last_name", "first_name", "pk")
    )
    return students[:limit] if limit else students


def student_risk(*, student: Student) -> StudentRisk | None:
    return StudentRisk.objects.filter(student_id=student.pk, school_id=student.school_id).first()


def student_forecast(*, student: Student, as_of: datetime.date | None = None) -> Forecast | None:
    """The student's attendance forecast for the year they are in (None without a year)."""
    as_of = as_of or timezone.localdate()
    year = student.class_group.academic_year if student.class_group_id else None
    year = year or current_academic_year(school_id=student.school_id, on=as_of)
    if year is None:
        return None
    school = student.school
    settings = risk_settings_for(school_id=student.school_id)
    calendar = calendar_for(school, min(as_of, year.end_date))
    scope = aggregates.Scope(school_id=student.school_id, calendar=calendar, student_ids=(student.pk,))
    row = aggregates.attendance_rows(scope, settings.attendance_window_days).get(student.pk, {})
    remaining = remaining_school_days(school_id=student.school_id, after=calendar.as_of, year_end=year.end_date)
    return forecast(
        student=student,
        marked=row.get("year_marked", 0),
        missed=row.get("year_missed", 0),
        attended=row.get("year_attended", 0),
        recent_marked=row.get("marked", 0),
        recent_missed=row.get("recent_missed", 0),
        remaining=remaining,
        chronic_percent=settings_for(school).chronic_absence_percent,
        target_percent=settings.forecast_target_percent,
    )
