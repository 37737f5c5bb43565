"""Core's own section of the home page: the school's latest changes, for admins."""

from django.apps import apps

from core.permissions import Role, has_role
from core.sections import DASHBOARD, page_section
from core.selectors import recent_activity


def describe_entity(entity_type: str) -> str:
    """A readable name for an entity type: "students.student" becomes "Student"; unknown ones stay as stored."""
    try:
        return str(apps.get_model(entity_type)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return entity_type


@page_section(page=DASHBOARD, order=900, template="core/_recent_activity.html")
def recent_activity_section(actor, **objects):
    if not has_role(actor, Role.ADMIN):
        return None
    entries = recent_activity(actor=actor)
    return {"entries": [{"entry": entry, "what": describe_entity(entry.entity_type)} for entry in entries]}
