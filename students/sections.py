"""Home-page section for admins: the school in figures."""

from __future__ import annotations

from django.utils import timezone

from core.permissions import Role, has_role
from core.sections import DASHBOARD, SCHOOL_FIGURES, figures_for, page_section
from students.models import ClassGroup, Student
from students.selectors import current_academic_year


@page_section(page=DASHBOARD, order=60, template="students/_section_figures.html")
def school_figures(actor):
    if not has_role(actor, Role.ADMIN):
        return None
    today = timezone.localdate()
    year = current_academic_year(school_id=actor.school_id, on=today)
    forms = ClassGroup.objects.for_actor(actor).filter(academic_year=year).count() if year else 0
    return {
        "today": today,
        "students": Student.objects.for_actor(actor).filter(status=Student.Status.ACTIVE).count(),
        "forms": forms,
        # Today's registers, whether today is a school day and the week's rate: the attendance app's.
        **figures_for(SCHOOL_FIGURES, actor=actor, today=today),
    }


# Page sections of the academic records register themselves when imported.
from students.academics import sections as academics_sections  # noqa: E402, F401

# Admissions registers its own section.
from students.admissions import sections as admissions_sections  # noqa: E402,F401

# Sections of the parts of the students app.
from students.behaviour import sections as behaviour_sections  # noqa: E402, F401
