"""Program outcomes on shared pages: a program's exit criteria and pending recommendations; the student
profile's weekly attendance trend with programs and meetings marked."""

from __future__ import annotations

import datetime

from django.utils import timezone

from attendance.models import AttendanceRecord
from core.permissions import INTERVENTION_ROLES, has_role
from core.sections import PROGRAM_DETAIL, STUDENT_PROFILE, page_section
from interventions.meetings.selectors import meetings_visible_to
from interventions.outcomes import access, figures
from interventions.outcomes.forms import CriterionForm
from interventions.outcomes.models import ExitCriteria, ExitRecommendation
from interventions.programs.access import can_manage_program
from interventions.programs.models import Enrollment


@page_section(page=PROGRAM_DETAIL, order=20, template="interventions/outcomes/_section_program.html")
def program_outcomes(actor, program=None, **objects):
    """Two queries: the criteria and the pending recommendations with their students; for the program's
    owner and admins, the form that adds a criterion."""
    if program is None or not access.can_view_program(actor, program):
        return None
    pending = list(
        # A student who left the program meanwhile (an exit with a reason) has nothing left to decide.
        ExitRecommendation.objects.filter(
            enrollment__intervention=program, enrollment__status="active", status=ExitRecommendation.Status.PENDING
        ).select_related("enrollment__student")
    )
    can_manage = can_manage_program(actor, program)
    return {
        "program": program,
        "criteria": list(ExitCriteria.objects.filter(intervention=program).order_by("id")),
        "pending": pending,
        "can_manage": can_manage,
        # The form to add one (bound again, with its errors, after a refused one).
        "criterion_form": (objects.get("criterion_form") or CriterionForm()) if can_manage else None,
    }


TREND_WEEKS = 26


@page_section(page=STUDENT_PROFILE, order=25, template="interventions/outcomes/_section_attendance_trend.html")
def attendance_trend(actor, student=None, **objects):
    """The student's weekly school attendance over the last half year, with the start of each program
    and each meeting the actor may see marked (three queries)."""
    if student is None or not has_role(actor, *INTERVENTION_ROLES) or student.school_id != actor.school_id:
        return None
    today = timezone.localdate()
    first_week = figures.week_start(today) - datetime.timedelta(weeks=TREND_WEEKS - 1)
    weeks = figures.weekly_rates(
        AttendanceRecord.objects.filter(student=student, date__gte=first_week, date__lte=today).values_list(
            "date", "status"
        )
    )
    marks = [
        {"date": start, "label": f"{name} starts"}
        for start, name in Enrollment.objects.filter(student=student, intervention__start_date__gte=first_week)
        .values_list("intervention__start_date", "intervention__name")
        .order_by("intervention__start_date")
    ]
    marks += [
        {"date": day, "label": "Meeting"}
        for day in meetings_visible_to(actor)
        .filter(student=student, meeting_date__gte=first_week)
        .values_list("meeting_date", flat=True)
        .order_by("meeting_date")
    ]
    marks.sort(key=lambda mark: mark["date"])
    chart = {
        "labels": [week["week_start"].isoformat() for week in weeks],
        "rates": [week["rate"] for week in weeks],
        "marks": [{"week": figures.week_start(m["date"]).isoformat(), "label": m["label"]} for m in marks],
    }
    return {"weeks": weeks, "marks": marks, "chart": chart}
