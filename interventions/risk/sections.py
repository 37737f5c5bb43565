"""The risk level's sections: the ABC panel on the student profile and "Needs a first step" on the
home page (see core/sections.py)."""

from __future__ import annotations

from core.permissions import INTERVENTION_ROLES, has_role
from core.sections import DASHBOARD, STUDENT_PROFILE, page_section
from interventions.risk import selectors
from interventions.risk.actions import FIRST_STEP_DAYS, first_step_kinds
from interventions.risk.views import LEVEL_WORDS, abc_panel_context, decorate

FIRST_STEP_SHOWN = 10


@page_section(page=STUDENT_PROFILE, order=5, template="interventions/risk/_abc_panel.html")
def student_abc(actor, *, student=None, **objects):
    if student is None or not has_role(actor):
        return None
    return abc_panel_context(actor, student)


@page_section(page=DASHBOARD, order=15, template="interventions/risk/_first_step.html")
def needs_first_step(actor, **objects):
    """Students at level ≥ 2 or with a high alert and no meeting, enrollment or contact in 30 days: a
    form master's own students, the school's for admins and counsellors."""
    if not has_role(actor, *INTERVENTION_ROLES):
        return None
    students = list(selectors.needs_first_step(actor=actor, limit=FIRST_STEP_SHOWN + 1))
    for student in students:
        risk = getattr(student, "risk", None)
        student.level = risk.level if risk else None
        student.level_words = LEVEL_WORDS.get(student.level, "")
        if risk:
            decorate(risk)
            student.reasons = [words for _, words in risk.reasons]
        else:
            student.reasons = []
    return {
        "students": students[:FIRST_STEP_SHOWN],
        "more": len(students) > FIRST_STEP_SHOWN,
        "days": FIRST_STEP_DAYS,
        "cleared_by": first_step_kinds(),
        "scope": "your forms" if actor.role == "form_master" else "whole school",
    }
