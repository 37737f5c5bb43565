"""Optimistic locking, the one way: a conditional `UPDATE … SET …, version = version + 1 WHERE pk = …
AND version = n`. Zero rows matched means someone else saved first: `ConflictError` carrying the version
now stored (409 in the API, a message on the page)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction
from django.db.models import F

from core.errors import ConflictError


class UnversionedSaveError(TypeError):
    """A stored versioned row was saved with a plain `save()`: that would skip the version check."""


def stored_version(model: type[models.Model], pk=None, *, using: str | None = None, **lookup) -> int | None:
    """The version stored now for `pk` (or the row matching `lookup`); None when there is no such row."""
    manager = model._base_manager.using(using) if using else model._base_manager
    if pk is not None:
        lookup["pk"] = pk
    return manager.filter(**lookup).values_list("version", flat=True).first()


def conflict(model: type[models.Model], pk=None, *, message: str | None = None, using: str | None = None, **lookup):
    """The ConflictError to raise for a stale `pk` (or row matching `lookup`), with the version stored now."""
    return ConflictError(current_version=stored_version(model, pk, using=using, **lookup), message=message)


def expect_version(read: models.Model | int | None, version: int | None, *, message: str | None = None) -> None:
    """Refuse a request made against another version than the one just read, before its rules are judged
    against a state the client never saw. `read` is the row (its `version`) or the version stored for a
    set of rows (a form's register, a lesson; None when never saved, which is version 0). `version`
    None: the client sent none, nothing to check."""
    current = read.version if isinstance(read, models.Model) else read
    if version is not None and version != (current or 0):
        raise ConflictError(current_version=current, message=message)


def versioned_update(
    target: models.Model | type[models.Model],
    *,
    version: int,
    pk=None,
    fields: Iterable[str] = (),
    message: str | None = None,
    using: str | None = None,
    extra_filter: dict | None = None,
    **changes,
) -> int:
    """Write `changes` (and, for an instance, the current values of its `fields`) to the row whose
    version is `version`, bumping the version by one. Returns the new version and sets it on the
    instance; raises ConflictError when the row's version is not `version` (or `extra_filter` no longer
    matches, e.g. a status someone moved on).

    `target` is a model instance (its pk and attributes are used) or a model class with `pk=`."""
    if isinstance(target, models.Model):
        instance, model = target, type(target)
        pk = instance.pk if pk is None else pk
        using = using or instance._state.db
        for name in fields:
            field = model._meta.get_field(name)
            changes.setdefault(field.attname, field.pre_save(instance, add=False))
    else:
        instance, model = None, target
    manager = model._base_manager.using(using) if using else model._base_manager
    updated = manager.filter(pk=pk, version=version, **(extra_filter or {})).update(version=F("version") + 1, **changes)
    if updated == 0:
        raise conflict(model, pk, message=message, using=using)
    if instance is not None:
        for name, value in changes.items():
            setattr(instance, name, value)
        instance.version = version + 1
    return version + 1


def versioned_save(instance: models.Model, *, version: int | None = None, update_fields=None, message=None) -> int:
    """Save every changed concrete field of a stored, versioned `instance` (or only `update_fields`)
    against `version` (default: the version it was read with)."""
    names = [
        field.name
        for field in instance._meta.concrete_fields
        if not field.primary_key
        and field.name != "version"
        and not getattr(field, "generated", False)
        and (update_fields is None or field.name in update_fields or field.attname in update_fields)
    ]
    return versioned_update(
        instance, version=instance.version if version is None else version, fields=names, message=message
    )


def next_versions_of_locked(instances: Iterable[models.Model]) -> None:
    """Bulk writes (one upsert of many rows) of rows read with `select_for_update()` in the current
    transaction: nobody can have saved them since, so each version simply grows by one. Refused outside
    a transaction, where the rows would not be locked."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Rows written in bulk must be read with select_for_update() in the same transaction.")
    for instance in instances:
        instance.version += 1
