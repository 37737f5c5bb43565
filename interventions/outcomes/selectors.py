"""Every read of program outcomes: scoped to the actor's school and role, in a fixed number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import django_filters
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from attendance.models import AttendanceRecord
from core.api.filters import choice_filter, filters_from, row_id_filter
from core.errors import PermissionDeniedError
from core.permissions import PROGRAM_RUNNERS
from core.tenancy import get_scoped
from interventions.outcomes import access, figures
from interventions.outcomes.models import ExitCriteria, ExitRecommendation, ProgressNote
from interventions.programs.access import can_view_enrollment
from interventions.programs.models import Enrollment, Intervention, InterventionSession, SessionAttendance

ATTENDANCE_WEEKS_BEFORE = 6  # the weekly attendance chart starts this many weeks before the program


def program_for_outcomes(*, actor, program_id) -> Intervention:
    """A program whose outcomes (notes, criteria, recommendations, figures) the actor may see: its school's
    counsellors and admins and its facilitators. 404 for missing or another school's, 403 otherwise. A
    form master who may open the program (`programs.selectors.program_get`) does not see its outcomes."""
    program = get_scoped(Intervention.objects.select_related("owner"), actor, pk=program_id)
    if not access.can_view_program(actor, program):
        raise PermissionDeniedError("You do not work on this program.")
    return program


class ProgressNoteFilter(django_filters.FilterSet):
    """The program notes' query parameter: `student`, a student's id."""

    student = row_id_filter("student", field_name="student_id")

    class Meta:
        model = ProgressNote
        fields: list[str] = []


def parse_note_filters(params) -> dict:
    return filters_from(ProgressNoteFilter, params)


def program_notes(*, program, student_id: int | None = None) -> QuerySet:
    """`student_id`: what `parse_note_filters` returned for `student`."""
    rows = ProgressNote.objects.filter(intervention=program).select_related("student", "entered_by")
    if student_id:
        rows = rows.filter(student_id=student_id)
    return rows.order_by("-entered_at", "-id")


def program_criteria(*, program) -> QuerySet:
    return ExitCriteria.objects.filter(intervention=program).order_by("id")


def recommendations_visible_to(actor) -> QuerySet:
    if actor.role not in PROGRAM_RUNNERS:
        return ExitRecommendation.objects.none()
    return ExitRecommendation.objects.for_actor(actor)


class RecommendationFilter(django_filters.FilterSet):
    """The exit recommendations' query parameters."""

    status = choice_filter("status", ExitRecommendation.Status.choices, message="Allowed: {allowed}.")
    program = row_id_filter("program", field_name="enrollment__intervention_id")
    student = row_id_filter("student", field_name="enrollment__student_id")

    class Meta:
        model = ExitRecommendation
        fields: list[str] = []


def parse_recommendation_filters(params) -> dict:
    return filters_from(RecommendationFilter, params)


def recommendation_list(*, actor, filters: dict | None = None) -> QuerySet:
    """`filters`: what `parse_recommendation_filters` returned."""
    rows = recommendations_visible_to(actor).select_related(
        "enrollment", "enrollment__student", "enrollment__intervention", "decided_by"
    )
    if filters:
        rows = RecommendationFilter(filters, queryset=rows).qs
    return rows.order_by("-created_at", "-id")


def recommendation_get(*, actor, recommendation_id) -> ExitRecommendation:
    queryset = recommendations_visible_to(actor).select_related("enrollment", "enrollment__intervention")
    return get_scoped(queryset, actor, pk=recommendation_id)


def enrollment_get(*, actor, enrollment_id) -> Enrollment:
    """An enrollment the actor may see (with its program and student): 404 / 403 as everywhere."""
    queryset = Enrollment.objects.select_related("intervention", "intervention__owner", "student__class_group")
    enrollment = get_scoped(queryset, actor, pk=enrollment_id)
    if not can_view_enrollment(actor, enrollment):
        raise PermissionDeniedError("You do not work on this program.")
    return enrollment


def _pct(part: int, whole: int) -> float | None:
    return figures.rounded(Decimal(part * 100) / Decimal(whole)) if whole else None


def delivery_figures(*, program, student_id: int, now: datetime.datetime | None = None) -> dict:
    """Fidelity (sessions planned so far, delivered, cancelled, % delivered) and the student's session
    attendance %, in one query over the program's sessions and that student's attendance rows."""
    now = now or timezone.now()
    # Due as the program page counts it: started by now, or already delivered.
    due = Q(start_time__lte=now) | Q(status=InterventionSession.Status.COMPLETED)
    row = InterventionSession.objects.filter(intervention=program).aggregate(
        planned=Count("id", distinct=True, filter=due),
        delivered=Count("id", distinct=True, filter=Q(status=InterventionSession.Status.COMPLETED)),
        cancelled=Count("id", distinct=True, filter=due & Q(status=InterventionSession.Status.CANCELLED)),
        recorded=Count("attendance", filter=Q(attendance__student_id=student_id)),
        attended=Count(
            "attendance",
            filter=Q(attendance__student_id=student_id, attendance__status__in=SessionAttendance.ATTENDED),
        ),
    )
    fidelity = {
        "planned": row["planned"],
        "delivered": row["delivered"],
        "cancelled": row["cancelled"],
        "delivered_pct": _pct(row["delivered"], row["planned"]),
    }
    return {"fidelity": fidelity, "session_attendance_pct": _pct(row["attended"], row["recorded"])}


def progress_chart(*, actor, enrollment_id, today: datetime.date | None = None) -> dict:
    """The chart data of SPEC §7 (`enrollments/{id}/progress/`) in four queries: the enrollment, its
    notes, the delivery figures, the weekly school attendance."""
    today = today or timezone.localdate()
    enrollment = enrollment_get(actor=actor, enrollment_id=enrollment_id)
    program = enrollment.intervention
    notes = list(
        ProgressNote.objects.filter(intervention=program, student_id=enrollment.student_id, rating__isnull=False)
        .order_by("entered_at", "id")
        .values_list("entered_at", "rating")
    )
    points = [{"date": timezone.localdate(at), "value": float(rating)} for at, rating in notes]
    delivery = delivery_figures(program=program, student_id=enrollment.student_id)
    start = program.start_date
    week0 = figures.week_start(start) - datetime.timedelta(weeks=ATTENDANCE_WEEKS_BEFORE)
    records = AttendanceRecord.objects.filter(
        student_id=enrollment.student_id, date__gte=week0, date__lte=today
    ).values_list("date", "status")
    trend = figures.trend([(p["date"], p["value"]) for p in points], start_date=start, goal_date=enrollment.goal_date)
    verdict = figures.verdict(
        goal=enrollment.goal,
        baseline=enrollment.baseline,
        projected=trend.projected_at_goal_date,
        fidelity_pct=delivery["fidelity"]["delivered_pct"],
        session_attendance_pct=delivery["session_attendance_pct"],
        points=len(points),
    )
    return {
        "enrollment": enrollment,
        "baseline": figures.rounded(enrollment.baseline),
        "goal": figures.rounded(enrollment.goal),
        "goal_date": enrollment.goal_date,
        "start_date": start,
        "points": points,
        "trend": {"slope_per_week": trend.slope_per_week, "projected_at_goal_date": trend.projected_at_goal_date},
        "attendance_weekly": figures.weekly_rates(records),
        "session_attendance_pct": delivery["session_attendance_pct"],
        "fidelity": delivery["fidelity"],
        "verdict": verdict,
        "scale": program.progress_metric,
    }
