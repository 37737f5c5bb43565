"""The behaviour section of the student profile: the quick-log and the latest records."""

from __future__ import annotations

from core.permissions import has_role
from core.sections import STUDENT_PROFILE, page_section
from students.behaviour.views import quick_log_context


@page_section(page=STUDENT_PROFILE, order=15, template="students/behaviour/_profile_section.html")
def student_behaviour(actor, *, student=None, **objects):
    if student is None or not has_role(actor):
        return None
    return quick_log_context(actor, student)
