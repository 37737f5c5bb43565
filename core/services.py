"""Generic audited writes, used by the apps' services and by the admin for rows without special rules."""

from __future__ import annotations

from django.db import IntegrityError, connections, models, router, transaction
from django.db.models.deletion import Collector

from core import audit
from core.locking import versioned_save
from core.models import AuditLog, OptimisticLockMixin, School


@transaction.atomic
def audited_create(*, actor, instance: models.Model) -> models.Model:
    instance.save()
    audit.record_create(actor=actor, instance=instance)
    return instance


def bulk_insert(model: type[models.Model], rows: list, *, key: list[str], among=None, **kwargs) -> list:
    """Insert `rows` in one statement (per batch) and give each its pk, which the audit rows that follow
    need: see `ids_read_back` for `key` and `among`."""
    if not rows:
        return []
    model._default_manager.bulk_create(rows, **kwargs)
    return ids_read_back(model, rows, key=key, among=among)


def bulk_upsert(model: type[models.Model], rows: list, *, unique_fields: list[str], update_fields: list[str], **kwargs):
    """Insert `rows`, updating the `update_fields` of those whose `unique_fields` exist, in one statement
    (per batch), and give each row, inserted or updated, its pk. MySQL/MariaDB upsert on any unique key
    (ON DUPLICATE KEY UPDATE) and refuse a named target, so a caller names the one unique key beside the
    pk and the target is dropped there."""
    if not rows:
        return []
    target = (
        unique_fields if connections[model._default_manager.db].features.supports_update_conflicts_with_target else None
    )
    model._default_manager.bulk_create(
        rows, update_conflicts=True, unique_fields=target, update_fields=update_fields, **kwargs
    )
    return ids_read_back(model, rows, key=unique_fields)


def ids_read_back(model: type[models.Model], rows: list, *, key: list[str], among=None) -> list:
    """Give every row of a bulk write its pk. SQLite, PostgreSQL and MariaDB return the ids from the
    statement itself (RETURNING, for updated rows of an upsert too) and nothing is read. MySQL returns
    none: the rows are read back in one query by `key`, the fields that tell one row from another, among
    the rows of `among` (a queryset of `model`) where the key is unique only among some (the open alerts
    of a student and kind). A key's text is matched without case, as a MySQL unique index matches it."""
    missing = [row for row in rows if row.pk is None]
    if not missing:
        return rows
    attnames = [model._meta.get_field(name).attname for name in key]
    lookups = {f"{name}__in": {getattr(row, name) for row in missing} for name in attnames}
    stored = (among if among is not None else model._default_manager.all()).filter(**lookups)
    ids = {_key_of(values[1:]): values[0] for values in stored.values_list("pk", *attnames)}
    for row in missing:
        row.pk = ids[_key_of(getattr(row, name) for name in attnames)]
    return rows


def _key_of(values) -> tuple:
    return tuple(value.casefold() if isinstance(value, str) else value for value in values)


def school_row_ensure(model: type[models.Model], *, school) -> models.Model:
    """The school's one row of `model` (settings kept per school, unique on the school); created with the
    model's defaults, and audited, when the school has none. Two processes creating it at once both get
    the row."""
    existing = model._default_manager.filter(school=school).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            row = model._default_manager.create(school=school)
            audit.record_create(actor=None, instance=row)
            return row
    except IntegrityError:
        # Created at the same moment by another process.
        return model._default_manager.get(school=school)


@transaction.atomic
def audited_update(*, actor, instance: models.Model, before: dict, update_fields: list[str] | None = None):
    """Save a changed row and log before/after. A versioned row is written against the version it
    carries (the one it was read at, or the client's): ConflictError when someone saved since."""
    if isinstance(instance, OptimisticLockMixin):
        versioned_save(instance, update_fields=update_fields)
    elif update_fields is not None:
        instance.save(update_fields=update_fields)
    else:
        instance.save()
    audit.record_update(actor=actor, instance=instance, before=before)
    return instance


@transaction.atomic
def audited_delete(*, actor, instance: models.Model, along: list[models.Model] = ()) -> None:
    """Delete a row and log it, with every row the delete takes along (CASCADE) and every row it
    changes (SET_NULL): a student's deletion leaves a trace of each attendance record and alert it
    removes. A row that the audit log protects (a user who acted) cannot be deleted at all.

    `along`: rows of one model that belong to `instance` though no foreign key says so (a register's
    marks of its day), deleted and logged with it as its cascade is."""
    before = audit.snapshot(instance)
    entity_id = instance.pk
    collector = Collector(using=router.db_for_write(type(instance), instance=instance), origin=instance)
    collector.collect([instance])  # raises ProtectedError
    if along:
        collector.collect(list(along))
    consequences = _consequences(collector, instance, actor)
    collector.delete()
    audit.record_delete(actor=actor, instance=instance, before=before, entity_id=entity_id)
    audit.record_entries(consequences, batch_size=1000)


def _consequences(collector: Collector, instance: models.Model, actor) -> list[AuditLog]:
    """The audit rows of what `collector` will do besides deleting `instance`: a "delete" for each row
    it deletes with it, an "update" for each row whose SET_NULL/SET_DEFAULT it applies."""
    school_id = audit.school_id_of(instance, actor)
    note = {"because": f"{audit.entity_type_of(instance)} {instance.pk} was deleted"}
    deleted = [
        row
        for model, rows in collector.data.items()
        for row in rows
        if not (model._meta.concrete_model is type(instance)._meta.concrete_model and row.pk == instance.pk)
    ]
    for queryset in collector.fast_deletes:
        deleted.extend(queryset)
    rows = [
        audit.entry(
            actor=actor,
            action="delete",
            instance=row,
            before=audit.snapshot(row),
            after=note,
            school_id=getattr(row, "school_id", None) or school_id,
        )
        for row in deleted
        if not row._meta.auto_created and not isinstance(row, AuditLog)
    ]
    rows += [
        audit.entry(
            actor=actor,
            action="update",
            instance=row,
            before={field.attname: getattr(row, field.attname)},
            after={field.attname: value, **note},
            school_id=getattr(row, "school_id", None) or school_id,
        )
        for (field, value), batches in collector.field_updates.items()
        for batch in batches
        for row in batch
    ]
    return rows


def each_school(run, *, total, school_code: str | None = None, log=None):
    """A cron job over every school (or the one with `school_code`), school by school so memory stays
    flat: `run(school)` returns the school's summary, which is logged and added to `total`."""
    schools = School.objects.order_by("code")
    if school_code:
        schools = schools.filter(code=school_code)
    for school in list(schools):
        summary = run(school)
        if log:
            log(f"{school.code}: {summary}")
        total.add(summary)
    return total
