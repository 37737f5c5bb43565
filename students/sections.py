"""Home-page section for admins: the school in figures."""

from __future__ import annotations

import datetime

from django.utils import timezone

from attendance import selectors as attendance_selectors
from attendance.models import Register
from core.permissions import Role, has_role
from core.sections import DASHBOARD, page_section
from students.models import ClassGroup, Student
from students.selectors import current_academic_year


@page_section(page=DASHBOARD, order=60, template="students/_section_figures.html")
def school_figures(actor):
    if not has_role(actor, Role.ADMIN):
        return None
    today = timezone.localdate()
    year = current_academic_year(school_id=actor.school_id, on=today)
    # A rolling week rather than the calendar week, so that Monday morning still shows a figure.
    week_start = today - datetime.timedelta(days=6)
    forms = ClassGroup.objects.for_actor(actor).filter(academic_year=year).count() if year else 0
    return {
        "today": today,
        "students": Student.objects.for_actor(actor).filter(status=Student.Status.ACTIVE).count(),
        "forms": forms,
        "registers_taken": Register.objects.for_actor(actor).filter(date=today).count(),
        "is_school_day": today.weekday() < 5
        and not attendance_selectors.holiday_dates(school_id=actor.school_id, start=today, end=today),
        "week": attendance_selectors.school_rate(school_id=actor.school_id, start=week_start, end=today),
    }


# Page sections of the academic records register themselves when imported.
from students.academics import sections as academics_sections  # noqa: E402, F401

# Admissions registers its own section.
from students.admissions import sections as admissions_sections  # noqa: E402,F401

# Sections of the parts of the students app.
from students.behaviour import sections as behaviour_sections  # noqa: E402, F401
