"""Reads of behaviour records, scoped to the actor's school."""

from __future__ import annotations

from django.db.models import QuerySet

from core.tenancy import get_scoped
from students.behaviour.models import BehaviourRecord


def behaviour_list(
    *, actor, student=None, type: str | None = None, status: str | None = None, class_group=None
) -> QuerySet[BehaviourRecord]:
    queryset = BehaviourRecord.objects.for_actor(actor).select_related("student", "created_by")
    if student is not None:
        queryset = queryset.filter(student_id=getattr(student, "pk", student))
    if class_group is not None:
        queryset = queryset.filter(student__class_group_id=getattr(class_group, "pk", class_group))
    if type:
        queryset = queryset.filter(type=type)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-date", "-id")


def behaviour_get(*, actor, id) -> BehaviourRecord:
    return get_scoped(
        BehaviourRecord.objects.select_related("student", "student__class_group", "created_by"), actor, pk=id
    )
