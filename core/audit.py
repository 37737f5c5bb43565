"""Writing the audit log. Services call these inside their transaction, so a failed write leaves no row."""

from __future__ import annotations

import contextvars
import datetime
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from core.models import AuditLog

# The IP of the request being served, set by core.middleware.RequestContextMiddleware; None in commands.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)

# Columns never copied into the audit log: secrets stay in their own table only.
SECRET_FIELDS = frozenset({"password"})


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The row's concrete fields as JSON-ready values (foreign keys as ids)."""
    data = {}
    for field in instance._meta.concrete_fields:
        if getattr(field, "generated", False) or field.attname in SECRET_FIELDS:
            continue
        data[field.attname] = field.value_from_object(instance)
    # Round-trip through Django's encoder: dates, decimals and UUIDs become strings.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def entity_type_of(instance_or_model) -> str:
    meta = instance_or_model._meta
    return f"{meta.app_label}.{meta.model_name}"


def school_id_of(instance: models.Model | None, actor) -> int | None:
    if instance is not None:
        if isinstance(instance, _school_model()):
            return instance.pk
        school_id = getattr(instance, "school_id", None)
        if school_id is not None:
            return school_id
    return getattr(actor, "school_id", None)


def _school_model():
    from core.models import School

    return School


def actor_of(actor):
    """The user to record as the actor: None for the system (commands, the scan) and anonymous users."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) and actor.pk else None


# `ip` not given: the IP of the request being served (None in commands).
_REQUEST_IP = object()


def entry(
    *,
    actor,
    action: str,
    instance: models.Model | None = None,
    entity_type: str = "",
    entity_id: str | int = "",
    before: dict | None = None,
    after: dict | None = None,
    school_id: int | None = None,
    created_at: datetime.datetime | None = None,
    ip: str | None | object = _REQUEST_IP,
) -> AuditLog:
    """One audit row, not yet saved (`record` saves it; bulk writes insert many at once). `instance`
    fills entity type, id and school when given. A bulk write stamps its rows with one `created_at`
    (default: now) and may pass the `ip` it read once (default: the request's)."""
    if instance is not None:
        entity_type = entity_type or entity_type_of(instance)
        entity_id = entity_id or instance.pk
    row = AuditLog(
        school_id=school_id if school_id is not None else school_id_of(instance, actor),
        actor=actor_of(actor),
        action=action,
        entity_type=entity_type,
        entity_id="" if entity_id in (None, "") else str(entity_id),
        before=before,
        after=after,
        ip=current_ip.get() if ip is _REQUEST_IP else ip,
    )
    if created_at is not None:
        row.created_at = created_at
    return row


def record(**fields) -> AuditLog:
    """Append one audit row (the arguments of `entry`)."""
    row = entry(**fields)
    row.save(force_insert=True)
    return row


def record_create(*, actor, instance: models.Model) -> AuditLog:
    return record(actor=actor, action="create", instance=instance, after=snapshot(instance))


def record_created_rows(instances, *, actor=None, batch_size: int = 1000) -> int:
    """One "create" row for each of `instances` (already saved, with their pks), in bulk inserts: for
    writes made in bulk (seeding, imports) that bypass the per-row services."""
    rows = [entry(actor=actor, action="create", instance=row, after=snapshot(row)) for row in instances]
    return record_entries(rows, batch_size=batch_size)


def record_entries(rows: list[AuditLog], *, batch_size: int | None = None) -> int:
    """Insert the audit rows a bulk write built with `entry`, in as few INSERTs as the database takes
    (`batch_size`: at most so many rows each). Returns how many."""
    if rows:
        AuditLog.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


def record_update(*, actor, instance: models.Model, before: dict) -> AuditLog:
    return record(actor=actor, action="update", instance=instance, before=before, after=snapshot(instance))


def record_delete(*, actor, instance: models.Model, before: dict, entity_id: int | str) -> AuditLog:
    return record(
        actor=actor,
        action="delete",
        instance=instance,
        entity_id=entity_id,
        before=before,
        after=None,
    )
