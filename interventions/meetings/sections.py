"""The meetings' sections of shared pages: the home page widget and the student profile timeline."""

from __future__ import annotations

from django.utils import timezone

from core.permissions import Role, has_role
from core.sections import DASHBOARD, STUDENT_PROFILE, page_section
from interventions.meetings import access, selectors

OVERDUE_LISTED = 5
SCOPE_LABELS = {
    Role.ADMIN: "whole school",
    Role.FORM_MASTER: "your meetings",
    Role.COUNSELOR: "escalated to counselling",
}


@page_section(page=DASHBOARD, order=30, template="interventions/meetings/_quick_access.html")
def intervention_quick_access(actor, **objects):
    """Active, high-urgency and overdue counts (and the first overdue cases) with links to the workspace."""
    if not has_role(actor, *access.MEETING_ROLES):
        return None
    today = timezone.localdate()
    return {
        "scope": SCOPE_LABELS.get(actor.role, ""),
        "counts": selectors.quick_access_counts(actor=actor, today=today),
        "overdue": list(selectors.overdue_meetings_for(actor=actor, today=today)[:OVERDUE_LISTED]),
    }


@page_section(page=STUDENT_PROFILE, order=30, template="interventions/meetings/_timeline.html")
def intervention_timeline(actor, student=None, **objects):
    """The student's meetings and their updates, oldest first, as far as the actor may see them."""
    if student is None or not has_role(actor, *access.MEETING_ROLES) or student.school_id != actor.school_id:
        return None
    return {
        "student": student,
        "meetings": list(selectors.student_meetings(actor=actor, student=student)),
        "can_record": actor.role in access.RECORDING_ROLES and access.is_student_of_actor(actor, student),
    }
