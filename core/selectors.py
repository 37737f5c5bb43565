from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from core.models import AuditLog


def correlated_count(queryset: QuerySet, *, by: str) -> Coalesce:
    """How many rows of `queryset` (filtered on `OuterRef`) each outer row has, as an annotation: a
    correlated COUNT grouped on the column `by` that points at the outer row, 0 when there are none, and no
    row fan-out in the outer query."""
    counted = queryset.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def audit_log_list(*, actor):
    return AuditLog.objects.for_actor(actor).select_related("actor")


def recent_activity(*, actor, limit: int = 8):
    """The latest changes in the actor's school, newest first, for the admin's home page."""
    return list(audit_log_list(actor=actor).exclude(entity_type="client_event")[:limit])
