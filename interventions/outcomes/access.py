"""Who may see and change a program's outcomes. Small functions, called by the services and selectors."""

from __future__ import annotations

from core.models import User
from core.permissions import PROGRAM_RUNNERS

# Criteria, evaluation and exits are the program's own business: whoever manages the program (its owner,
# a counsellor, and the school's admins) manages its outcomes; its facilitators add notes.
from interventions.programs.access import can_manage_program, facilitates

Role = User.Role


def _same_school(actor, program) -> bool:
    return actor is not None and actor.school_id is not None and program.school_id == actor.school_id


def can_view_program(actor, program) -> bool:
    """Counsellors and admins of the school, and anyone facilitating one of its sessions."""
    if not _same_school(actor, program):
        return False
    return actor.role in PROGRAM_RUNNERS or facilitates(actor, program)


def can_add_note(actor, program) -> bool:
    """The owner, the school's admins, and the program's facilitators."""
    return can_manage_program(actor, program) or (_same_school(actor, program) and facilitates(actor, program))


def can_view_enrollment(actor, enrollment) -> bool:
    """Program viewers, and the form master of the student's form."""
    program = enrollment.intervention
    if can_view_program(actor, program):
        return True
    student = enrollment.student
    return (
        actor.role == Role.FORM_MASTER
        and _same_school(actor, program)
        and student.class_group_id is not None
        and student.class_group.form_master_id == actor.pk
    )
