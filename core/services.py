"""Generic audited writes, used by the apps' services and by the admin for rows without special rules."""

from __future__ import annotations

from django.db import models, router, transaction
from django.db.models.deletion import Collector

from core import audit
from core.models import AuditLog


@transaction.atomic
def audited_create(*, actor, instance: models.Model) -> models.Model:
    instance.save()
    audit.record_create(actor=actor, instance=instance)
    return instance


@transaction.atomic
def audited_update(*, actor, instance: models.Model, before: dict, update_fields: list[str] | None = None):
    """Save a changed row (versioned rows do their conditional UPDATE) and log before/after."""
    if update_fields is not None:
        instance.save(update_fields=update_fields)
    else:
        instance.save()
    audit.record_update(actor=actor, instance=instance, before=before)
    return instance


@transaction.atomic
def audited_delete(*, actor, instance: models.Model) -> None:
    """Delete a row and log it, with every row the delete takes along (CASCADE) and every row it
    changes (SET_NULL): a student's deletion leaves a trace of each attendance record and alert it
    removes. A row that the audit log protects (a user who acted) cannot be deleted at all."""
    before = audit.snapshot(instance)
    entity_id = instance.pk
    cascaded, nulled = _delete_consequences(instance)
    instance.delete()
    audit.record_delete(actor=actor, instance=instance, before=before, entity_id=entity_id)
    ip = audit.current_ip.get()
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    note = {"because": f"{audit.entity_type_of(instance)} {entity_id} was deleted"}
    rows = [
        AuditLog(
            school_id=getattr(row, "school_id", None) or audit._school_id_of(instance, actor),
            actor_id=actor_id,
            action="delete",
            entity_type=audit.entity_type_of(row),
            entity_id=str(row_before["id"]),
            before=row_before,
            after=note,
            ip=ip,
        )
        for row, row_before in cascaded
    ] + [
        AuditLog(
            school_id=getattr(row, "school_id", None) or audit._school_id_of(instance, actor),
            actor_id=actor_id,
            action="update",
            entity_type=audit.entity_type_of(row),
            entity_id=str(row.pk),
            before={field.attname: getattr(row, field.attname)},
            after={field.attname: value, **note},
            ip=ip,
        )
        for row, field, value in nulled
    ]
    AuditLog.objects.bulk_create(rows, batch_size=1000)


def _delete_consequences(instance: models.Model):
    """What deleting `instance` would also do: (row, snapshot) of each row deleted with it, and
    (row, field, new value) of each row a SET_NULL/SET_DEFAULT changes. Raises ProtectedError."""
    collector = Collector(using=router.db_for_write(type(instance), instance=instance), origin=instance)
    collector.collect([instance])
    cascaded = [
        row
        for model, rows in collector.data.items()
        for row in rows
        if not (model._meta.concrete_model is type(instance)._meta.concrete_model and row.pk == instance.pk)
    ]
    for queryset in collector.fast_deletes:
        cascaded.extend(queryset)
    nulled = [
        (row, field, value)
        for (field, value), batches in collector.field_updates.items()
        for batch in batches
        for row in batch
    ]
    cascaded = [row for row in cascaded if not row._meta.auto_created and not isinstance(row, AuditLog)]
    return [(row, audit.snapshot(row)) for row in cascaded], nulled
