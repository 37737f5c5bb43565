"""Who may do what with intervention meetings. Small functions, called by the services and selectors."""

from __future__ import annotations

from core.models import User
from core.permissions import INTERVENTION_ROLES, MEETING_RECORDERS, owns
from interventions.models import InterventionMeeting

Role = User.Role
Status = InterventionMeeting.Status

# Roles that work with meetings at all; teachers have no access to interventions.
MEETING_ROLES = INTERVENTION_ROLES
# Roles that record new meetings.
RECORDING_ROLES = MEETING_RECORDERS


def is_student_of_actor(actor, student) -> bool:
    """Admins may record for any student of their school; form masters for students of their own forms."""
    if student.school_id != actor.school_id:
        return False
    if actor.role == Role.ADMIN:
        return True
    if actor.role == Role.FORM_MASTER:
        return student.class_group_id is not None and student.class_group.form_master_id == actor.pk
    return False


def can_view_meeting(actor, meeting: InterventionMeeting) -> bool:
    if meeting.school_id != actor.school_id:
        return False
    if actor.role == Role.ADMIN:
        return True
    if actor.role == Role.FORM_MASTER:
        return meeting.created_by_id == actor.pk
    if actor.role == Role.COUNSELOR:
        return meeting.status == Status.ESCALATED
    return False


def can_edit_meeting(actor, meeting: InterventionMeeting) -> bool:
    """Change any field, delete: the owner and the school's admins."""
    return actor.role in MEETING_RECORDERS and owns(actor, meeting, "created_by")


def can_add_progress(actor, meeting: InterventionMeeting) -> bool:
    """The owner, admins, and counsellors on escalated meetings."""
    return can_edit_meeting(actor, meeting) or (
        actor.role == Role.COUNSELOR and meeting.school_id == actor.school_id and meeting.status == Status.ESCALATED
    )
