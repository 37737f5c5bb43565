"""Fetching one row for an actor: missing and other-school rows give the same NotFoundError (404)."""

from __future__ import annotations

from django.db import models

from core.errors import NotFoundError


def scoped(model_or_queryset, actor) -> models.QuerySet:
    """Every read of a domain model starts here: the rows of the actor's school."""
    queryset = model_or_queryset.objects.all() if isinstance(model_or_queryset, type) else model_or_queryset
    return queryset.for_actor(actor)


def get_scoped(model_or_queryset, actor, **lookup):
    try:
        return scoped(model_or_queryset, actor).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None
