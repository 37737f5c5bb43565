"""Generic audited writes, used by the apps' services and by the admin for rows without special rules."""

from __future__ import annotations

from django.db import models, transaction

from core import audit


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
    before = audit.snapshot(instance)
    entity_id = instance.pk
    instance.delete()
    audit.record_delete(actor=actor, instance=instance, before=before, entity_id=entity_id)
