"""Who may contact whose guardian. Small functions, called by the services and selectors."""

from __future__ import annotations

from core.models import User
from core.permissions import INTERVENTION_ROLES, PROGRAM_RUNNERS

Role = User.Role

# Roles that read the contact log and contact guardians; teachers have no access to interventions.
CONTACT_ROLES = INTERVENTION_ROLES
# Roles that write the school's message templates.
TEMPLATE_EDITORS = PROGRAM_RUNNERS


def can_contact(actor, student) -> bool:
    """Counsellors and admins: any student of their school; form masters: students of their forms."""
    if actor is None or student.school_id != actor.school_id or actor.role not in CONTACT_ROLES:
        return False
    if actor.role == Role.FORM_MASTER:
        return student.class_group_id is not None and student.class_group.form_master_id == actor.pk
    return True


def can_edit_templates(actor) -> bool:
    return actor is not None and actor.school_id is not None and actor.role in TEMPLATE_EDITORS
