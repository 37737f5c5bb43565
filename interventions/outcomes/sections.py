"""Program outcomes on the student profile: each enrollment with a link to its progress chart."""

from __future__ import annotations

from core.permissions import PROGRAM_RUNNERS, Role, has_role
from core.sections import STUDENT_PROFILE, page_section
from interventions.programs.models import Enrollment


@page_section(page=STUDENT_PROFILE, order=35, template="interventions/outcomes/_section_progress.html")
def program_progress(actor, student=None, **objects):
    """The student's programs (one query), for counsellors, admins and the student's form master."""
    if student is None or not has_role(actor) or student.school_id != actor.school_id:
        return None
    is_form_master = actor.role == Role.FORM_MASTER and (
        student.class_group_id is not None and student.class_group.form_master_id == actor.pk
    )
    if actor.role not in PROGRAM_RUNNERS and not is_form_master:
        return None
    enrollments = list(
        Enrollment.objects.filter(student=student).select_related("intervention").order_by("-enrolled_at", "-id")
    )
    return {"student": student, "enrollments": enrollments}
