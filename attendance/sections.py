"""Home-page section: today's registers for the people who take them."""

from __future__ import annotations

from django.utils import timezone

from attendance import selectors
from core.permissions import Role, has_role
from core.sections import DASHBOARD, STUDENT_FIGURES, object_figures, page_section


@page_section(page=DASHBOARD, order=10, template="attendance/_section_today.html")
def todays_registers(actor):
    if not has_role(actor, Role.FORM_MASTER, Role.TEACHER):
        return None
    today = timezone.localdate()
    holiday = selectors.holiday_dates(school_id=actor.school_id, start=today, end=today).get(today)
    forms = selectors.forms_of_day(actor=actor, date=today)
    return {
        "today": today,
        "is_school_day": today.weekday() < 5 and holiday is None,
        "holiday": holiday,
        # Own forms first (the selector's order), then those still to take before those taken.
        "to_take": [f for f in forms if not f.taken],
        "taken": [f for f in forms if f.taken],
        "mine": [f for f in forms if f.is_mine],
    }


@object_figures(of=STUDENT_FIGURES)
def student_attendance_figures(*, student):
    """The student's attendance rate over their form's academic year and the days marked."""
    year = student.class_group.academic_year if student.class_group_id else None
    rates = selectors.attendance_rates(
        student_ids=[student.pk],
        start=year.start_date if year else None,
        end=year.end_date if year else None,
    ).get(student.pk, {})
    return {"attendance_rate": rates.get("rate"), "days_marked": rates.get("marked", 0)}
