"""Attendance's sections: today's registers on the home page (for the people who take them), the year's
calendar on a student's profile, and its figures of a student and of the school."""

from __future__ import annotations

import datetime

from django.utils import timezone

from attendance import selectors
from attendance.calendar import LEGEND, year_calendar
from attendance.models import Register
from core.permissions import Role, has_role
from core.sections import (
    DASHBOARD,
    SCHOOL_FIGURES,
    STUDENT_FIGURES,
    STUDENT_PROFILE,
    object_figures,
    page_section,
)
from students.selectors import current_academic_year

# How far back "the last school day" is looked for on a day without registers (a weekend, a holiday).
LOOK_BACK = datetime.timedelta(days=21)


@page_section(page=DASHBOARD, order=10, template="attendance/_section_today.html")
def todays_registers(actor):
    if not has_role(actor, Role.FORM_MASTER, Role.TEACHER):
        return None
    today = timezone.localdate()
    year = current_academic_year(school_id=actor.school_id, on=today)
    in_year = year is not None and year.start_date <= today <= year.end_date
    holiday = selectors.holiday_dates(school_id=actor.school_id, start=today, end=today).get(today)
    is_school_day = in_year and today.weekday() < 5 and holiday is None
    context = {
        "today": today,
        "is_school_day": is_school_day,
        "holiday": holiday,
        "year": year,
        "before_year": year is not None and today < year.start_date,
        "after_year": year is not None and today > year.end_date,
    }
    if is_school_day:
        day = today
    else:
        # No registers today: the last school day's, so the page still says where the registers stand.
        end = min(today - datetime.timedelta(days=1), year.end_date) if year else None
        days = (
            selectors.school_days(school_id=actor.school_id, start=end - LOOK_BACK, end=end, year=year) if end else []
        )
        day = days[-1] if days else None
    forms = selectors.forms_of_day(actor=actor, date=day) if day else []
    return {
        **context,
        "day": day,
        "form_count": len(forms),
        # Own forms first (the selector's order), then those still to take before those taken.
        "to_take": [f for f in forms if not f.taken],
        "taken": [f for f in forms if f.taken],
        "mine": [f for f in forms if f.is_mine],
    }


@page_section(page=STUDENT_PROFILE, order=1, template="attendance/_profile_attendance.html")
def student_attendance_year(actor, *, student):
    """The student's year: a calendar of every marked day, the counts and rate, and the days not present."""
    today = timezone.localdate()
    year = student.class_group.academic_year if student.class_group_id else None
    if year is None:
        year = current_academic_year(school_id=student.school_id, on=today)
    records, months, summary = [], [], None
    if year is not None:
        records = list(
            selectors.student_attendance(actor=actor, student=student, start=year.start_date, end=year.end_date)
        )
        holidays = selectors.holiday_dates(school_id=student.school_id, start=year.start_date, end=year.end_date)
        months = year_calendar(
            start=year.start_date, end=year.end_date, today=today, records=records, holidays=holidays
        )
        counts = dict.fromkeys(("present", "absent", "late", "excused"), 0)
        for record in records:
            counts[record.status] += 1
        attended = counts["present"] + counts["late"]
        summary = {**counts, "marked": len(records), "rate": selectors.rate_of(attended, len(records))}
    return {
        "year": year,
        "months": months,
        "legend": LEGEND,
        "summary": summary,
        "not_present": [r for r in reversed(records) if r.status != "present"],
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


@object_figures(of=SCHOOL_FIGURES)
def school_attendance_figures(*, actor, today):
    """The registers taken today, whether today is a school day and the attendance rate of the week."""
    # A rolling week rather than the calendar week, so that Monday morning still shows a figure.
    week_start = today - datetime.timedelta(days=6)
    return {
        "registers_taken": Register.objects.for_actor(actor).filter(date=today).count(),
        "is_school_day": today.weekday() < 5
        and not selectors.holiday_dates(school_id=actor.school_id, start=today, end=today),
        "week": selectors.school_rate(school_id=actor.school_id, start=week_start, end=today),
    }
