from core.models import AuditLog


def audit_log_list(*, actor):
    return AuditLog.objects.for_actor(actor).select_related("actor")


def recent_activity(*, actor, limit: int = 8):
    """The latest changes in the actor's school, newest first, for the admin's home page."""
    return list(audit_log_list(actor=actor).exclude(entity_type="client_event")[:limit])
