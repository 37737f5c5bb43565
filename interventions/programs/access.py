"""Who may do what with intervention programs (SPEC §7). Small functions, called by services and selectors.

- counsellors and admins run programs: they see every program of their school; a counsellor changes
  the programs they own, an admin all of them;
- a session's facilitator (any staff role) sees that program and takes that session's attendance;
- form masters see the school's programs (to refer a student), read the enrollments of their forms'
  students and may enroll such a student;
- teachers see only the programs whose sessions they facilitate.
"""

from __future__ import annotations

from core.models import User
from core.permissions import PROGRAM_RUNNERS, has_role, owns
from interventions.models import Intervention, InterventionSession

Role = User.Role


def runs_programs(actor) -> bool:
    return has_role(actor, *PROGRAM_RUNNERS)


def can_manage_program(actor, program: Intervention) -> bool:
    """Change the program, its sessions and enrollments: its owner (a counsellor) or an admin."""
    return runs_programs(actor) and owns(actor, program, "owner")


def facilitates(actor, program: Intervention) -> bool:
    return InterventionSession.objects.filter(intervention=program, facilitator_id=actor.pk).exists()


def can_view_program(actor, program: Intervention, *, facilitator: bool | None = None) -> bool:
    """`facilitator`: whether the actor facilitates one of its sessions, when the caller knows already."""
    if not has_role(actor) or program.school_id != actor.school_id:
        return False
    if actor.role in (*PROGRAM_RUNNERS, Role.FORM_MASTER):
        return True
    return facilitates(actor, program) if facilitator is None else facilitator


def can_take_attendance(actor, session: InterventionSession) -> bool:
    """The session's facilitator, the program's owner and the school's admins."""
    if not has_role(actor) or session.school_id != actor.school_id:
        return False
    return session.facilitator_id == actor.pk or can_manage_program(actor, session.intervention)


def can_view_enrollment(actor, enrollment) -> bool:
    """The school's program runners, the program's facilitators, and the form master of the student's form
    (what `selectors.enrollments_visible_to` lists, for one enrollment)."""
    program = enrollment.intervention
    if not has_role(actor) or program.school_id != actor.school_id:
        return False
    if actor.role in PROGRAM_RUNNERS or is_student_of_form_master(actor, enrollment.student):
        return True
    return facilitates(actor, program)


def is_student_of_form_master(actor, student) -> bool:
    return (
        actor.role == Role.FORM_MASTER
        and student.school_id == actor.school_id
        and student.class_group_id is not None
        and student.class_group.form_master_id == actor.pk
    )
