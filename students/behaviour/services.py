"""Every write to behaviour records: logging a reward or penalty, an appeal and its resolution, the
removal of one logged in error.

Each write is one transaction with its audit row, and emits `BEHAVIOUR_SAVED` on commit so the risk
level and the behaviour-letter alert of the student are looked at again."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from core import audit
from core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from core.listeners import emit_on_commit
from core.locking import versioned_update
from core.permissions import REGISTER_TAKERS, Role, has_role, require_admin
from core.services import audited_delete
from students.academics.access import may_log_behaviour
from students.behaviour.events import BEHAVIOUR_SAVED
from students.behaviour.models import BehaviourRecord
from students.models import ClassGroup, Student

MAX_POINTS = 100
Status = BehaviourRecord.Status


def can_log_behaviour(actor) -> bool:
    """The actor's role logs behaviour for some students (which ones: `can_log_behaviour_for`)."""
    return has_role(actor, *REGISTER_TAKERS)


def can_log_behaviour_for(actor, student: Student) -> bool:
    """The actor may log behaviour for this student: their subjects and forms
    (`students.academics.access.may_log_behaviour`). One query, none for admins."""
    if not can_log_behaviour(actor) or student.school_id != actor.school_id:
        return False
    if actor.role == Role.ADMIN:
        return True
    if student.class_group_id is None:
        return False
    return (
        ClassGroup.objects.filter(pk=student.class_group_id)
        .filter(may_log_behaviour(actor, class_group_id=student.class_group_id))
        .exists()
    )


def _is_form_master_of(actor, student: Student) -> bool:
    class_group = student.class_group
    return actor.role == Role.FORM_MASTER and class_group is not None and class_group.form_master_id == actor.pk


def can_appeal(actor, record: BehaviourRecord) -> bool:
    """An appeal is recorded by an admin, the student's form master or whoever gave the record."""
    if not has_role(actor) or actor.school_id != record.school_id:
        return False
    return actor.role == Role.ADMIN or record.created_by_id == actor.pk or _is_form_master_of(actor, record.student)


def can_resolve(actor, record: BehaviourRecord) -> bool:
    """An appeal is decided by an admin or the student's form master, never by whoever gave the record
    (unless an admin)."""
    if not has_role(actor) or actor.school_id != record.school_id:
        return False
    if actor.role == Role.ADMIN:
        return True
    return record.created_by_id != actor.pk and _is_form_master_of(actor, record.student)


def _changed(record: BehaviourRecord) -> None:
    emit_on_commit(
        BEHAVIOUR_SAVED, school_id=record.school_id, student_ids=[record.student_id], as_of=timezone.localdate()
    )


def _validate(*, type: str, category: str, reason: str, points, date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if type not in BehaviourRecord.Type.values:
        errors["type"] = ["Choose reward or penalty."]
    if category not in BehaviourRecord.Category.values:
        errors["category"] = [f'"{category}" is not a valid category.']
    if not reason.strip():
        errors["reason"] = ["Say what it is for."]
    elif len(reason) > 500:
        errors["reason"] = ["At most 500 characters."]
    if not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= MAX_POINTS:
        errors["points"] = [f"A whole number from 1 to {MAX_POINTS}."]
    if not isinstance(date, datetime.date):
        errors["date"] = ["A date is required."]
    elif date > timezone.localdate():
        errors["date"] = ["Not a date in the future."]
    return errors


@transaction.atomic
def behaviour_record_create(
    *,
    actor,
    student: Student,
    type: str,
    reason: str,
    category: str = BehaviourRecord.Category.BEHAVIOR,
    points: int = 1,
    date: datetime.date | None = None,
) -> BehaviourRecord:
    """Log a reward or a penalty for a student of the actor's school (staff who teach: not counsellors)."""
    if not can_log_behaviour(actor):
        raise PermissionDeniedError("Your role does not record behaviour.")
    if student.school_id != actor.school_id:
        raise NotFoundError()
    if not can_log_behaviour_for(actor, student):
        raise PermissionDeniedError("You log behaviour only for students of the forms you lead or teach.")
    date = date or timezone.localdate()
    reason = (reason or "").strip()
    errors = _validate(type=type, category=category, reason=reason, points=points, date=date)
    if student.status != Student.Status.ACTIVE:
        errors.setdefault("student", []).append("The student is not on the active roll.")
    if errors:
        raise ApplicationError(field_errors=errors)
    record = BehaviourRecord.objects.create(
        school_id=student.school_id,
        student=student,
        type=type,
        category=category,
        reason=reason,
        points=points,
        date=date,
        created_by=actor,
    )
    audit.record_create(actor=actor, instance=record)
    _changed(record)
    return record


@transaction.atomic
def behaviour_record_appeal(*, actor, record: BehaviourRecord, version: int, appeal_reason: str) -> BehaviourRecord:
    """An appeal against an active penalty: it still counts until it is resolved."""
    if not can_appeal(actor, record):
        raise PermissionDeniedError("You may not record an appeal against this record.")
    appeal_reason = (appeal_reason or "").strip()
    errors = {}
    if record.type != BehaviourRecord.Type.PENALTY:
        errors["status"] = ["Only a penalty can be appealed."]
    elif record.status != Status.ACTIVE:
        errors["status"] = [f"The record is {record.get_status_display().lower()}: it cannot be appealed again."]
    if not appeal_reason:
        errors["appeal_reason"] = ["Say why the penalty is appealed."]
    if errors:
        raise ApplicationError(field_errors=errors)
    before = audit.snapshot(record)
    record.status = Status.APPEALED
    record.appeal_reason = appeal_reason
    record.updated_at = timezone.now()
    versioned_update(
        record,
        version=version,
        fields=["status", "appeal_reason", "updated_at"],
        extra_filter={"status": Status.ACTIVE},
    )
    audit.record_update(actor=actor, instance=record, before=before)
    _changed(record)
    return record


@transaction.atomic
def behaviour_record_resolve(
    *, actor, record: BehaviourRecord, version: int, upheld: bool, resolution_note: str = ""
) -> BehaviourRecord:
    """Decide an appeal: upheld (the penalty still counts) or not (it no longer counts)."""
    if not can_resolve(actor, record):
        raise PermissionDeniedError("An admin or the student's form master decides appeals, not whoever gave it.")
    errors = {}
    if record.status != Status.APPEALED:
        errors["status"] = ["Only an appealed record can be resolved."]
    if not isinstance(upheld, bool):
        errors["upheld"] = ["Say whether the penalty is upheld (true or false)."]
    if errors:
        raise ApplicationError(field_errors=errors)
    before = audit.snapshot(record)
    record.status = Status.RESOLVED
    record.upheld = upheld
    record.resolution_note = (resolution_note or "").strip()
    record.updated_at = timezone.now()
    versioned_update(
        record,
        version=version,
        fields=["status", "upheld", "resolution_note", "updated_at"],
        extra_filter={"status": Status.APPEALED},
    )
    audit.record_update(actor=actor, instance=record, before=before)
    _changed(record)
    return record


@transaction.atomic
def behaviour_record_delete(*, actor, record: BehaviourRecord) -> None:
    """Remove a record logged in error (school admins, in Django admin): audited, and the student's
    risk level and behaviour-letter alert are looked at again without it."""
    require_admin(actor, "Only an admin removes a behaviour record.")
    audited_delete(actor=actor, instance=record)
    _changed(record)
