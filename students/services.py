"""Writes of students and forms: each in one transaction with its audit rows."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import audit
from core.errors import ApplicationError
from core.locking import expect_version, versioned_save
from students.models import ClassGroup, Student

STUDENT_EDITABLE_FIELDS = (
    "student_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "class_group",
    "status",
    "guardian_name",
    "guardian_phone",
    "guardian_email",
    "guardian_address",
)


def _check_class_group(*, school_id: int, class_group: ClassGroup | None) -> None:
    if class_group is not None and class_group.school_id != school_id:
        # Never say that the other school's form exists.
        raise ApplicationError(field_errors={"class_group": ["Unknown form."]})


STUDENT_ID_TAKEN = "A student with this admission number already exists."


def _check_unique_student_id(*, school_id: int, student_id: str, exclude_pk: int | None = None) -> None:
    # Ignoring case, as MariaDB's unique index does: "a001" is taken by "A001" on every database.
    clash = Student.objects.filter(school_id=school_id, student_id__iexact=student_id)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ApplicationError(field_errors={"student_id": [STUDENT_ID_TAKEN]})


def _check_date_of_birth(date_of_birth) -> None:
    if date_of_birth and date_of_birth >= timezone.localdate():
        raise ApplicationError(field_errors={"date_of_birth": ["Must be in the past."]})


def _save_student(student: Student, *, version: int | None = None) -> None:
    """Insert a new student, or write a stored one against `version` (default: the one it was read at)."""
    try:
        with transaction.atomic():
            if student._state.adding:
                student.save()
            else:
                versioned_save(student, version=student.version if version is None else version)
    except IntegrityError:
        # A request saving the same student_id at the same moment loses at the unique index: a 400.
        _check_unique_student_id(school_id=student.school_id, student_id=student.student_id, exclude_pk=student.pk)
        raise


@transaction.atomic
def student_create(*, actor, school_id: int, **data: Any) -> Student:
    _check_class_group(school_id=school_id, class_group=data.get("class_group"))
    _check_unique_student_id(school_id=school_id, student_id=data["student_id"])
    _check_date_of_birth(data.get("date_of_birth"))
    student = Student(school_id=school_id, **{k: v for k, v in data.items() if k in STUDENT_EDITABLE_FIELDS})
    _save_student(student)
    audit.record_create(actor=actor, instance=student)
    return student


@transaction.atomic
def student_update(*, actor, student: Student, version: int | None = None, **changes: Any) -> Student:
    """Apply `changes`; with `version` the save fails with ConflictError when someone saved since."""
    if "class_group" in changes:
        _check_class_group(school_id=student.school_id, class_group=changes["class_group"])
    if "student_id" in changes and changes["student_id"] != student.student_id:
        _check_unique_student_id(school_id=student.school_id, student_id=changes["student_id"], exclude_pk=student.pk)
    if "date_of_birth" in changes:
        _check_date_of_birth(changes["date_of_birth"])
    before = audit.snapshot(student)
    for name, value in changes.items():
        if name in STUDENT_EDITABLE_FIELDS:
            setattr(student, name, value)
    if audit.snapshot(student) == before:
        # Nothing changes: no save, no new version, no audit row; a stale version is still a conflict.
        expect_version(student, version)
        return student
    _save_student(student, version=version)
    audit.record_update(actor=actor, instance=student, before=before)
    return student
