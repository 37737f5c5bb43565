"""Student-profile section: per subject the graded mean and its grade, the latest results and the
progress in each topic."""

from __future__ import annotations

from core.permissions import STAFF, has_role
from core.sections import STUDENT_PROFILE, page_section
from students.academics import selectors


@page_section(page=STUDENT_PROFILE, order=15, template="academics/_profile_subjects.html")
def student_subjects(actor, student=None, **objects):
    if student is None or not has_role(actor, *STAFF) or student.school_id != actor.school_id:
        return None
    return {"student": student, "subjects": selectors.student_subjects(actor=actor, student=student)}
