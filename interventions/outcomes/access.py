"""Who may see and change a program's outcomes. Small functions, called by the services and selectors."""

from __future__ import annotations

from core.permissions import PROGRAM_RUNNERS

# Criteria, evaluation and exits are the program's own business: whoever manages the program (its owner,
# a counsellor, and the school's admins: `programs.access.can_manage_program`) manages its outcomes; its
# facilitators add notes; who sees an enrollment (`programs.access.can_view_enrollment`) sees its progress.
# Callers ask those two rules of `programs.access` itself; this module holds only the outcomes' own.
from interventions.programs.access import can_manage_program, facilitates


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
