"""Writes of students and forms: each in one transaction with its audit rows."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from typing import Any, Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connections, transaction
from django.utils import timezone

from core import audit
from core.errors import ApplicationError
from core.models import AuditLog
from students.models import ClassGroup, Student
from students.selectors import current_academic_year

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
)


def _check_class_group(*, school_id: int, class_group: ClassGroup | None) -> None:
    if class_group is not None and class_group.school_id != school_id:
        # Never say that the other school's form exists.
        raise ApplicationError(field_errors={"class_group": ["Unknown form."]})


def _check_unique_student_id(*, school_id: int, student_id: str, exclude_pk: int | None = None) -> None:
    clash = Student.objects.filter(school_id=school_id, student_id=student_id)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ApplicationError(field_errors={"student_id": ["A student with this admission number already exists."]})


@transaction.atomic
def student_create(*, actor, school_id: int, **data: Any) -> Student:
    _check_class_group(school_id=school_id, class_group=data.get("class_group"))
    _check_unique_student_id(school_id=school_id, student_id=data["student_id"])
    student = Student(school_id=school_id, **{k: v for k, v in data.items() if k in STUDENT_EDITABLE_FIELDS})
    student.save()
    audit.record_create(actor=actor, instance=student)
    return student


@transaction.atomic
def student_update(*, actor, student: Student, version: int | None = None, **changes: Any) -> Student:
    """Apply `changes`; with `version` the save fails with ConflictError when someone saved since."""
    if "class_group" in changes:
        _check_class_group(school_id=student.school_id, class_group=changes["class_group"])
    if "student_id" in changes and changes["student_id"] != student.student_id:
        _check_unique_student_id(school_id=student.school_id, student_id=changes["student_id"], exclude_pk=student.pk)
    before = audit.snapshot(student)
    for name, value in changes.items():
        if name in STUDENT_EDITABLE_FIELDS:
            setattr(student, name, value)
    if version is not None:
        student.version = version
    student.save()
    audit.record_update(actor=actor, instance=student, before=before)
    return student


# Roster import ----------------------------------------------------------------------------------------

ROSTER_COLUMNS = (
    "student_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "class_group",
    "grade_level",
    "guardian_name",
    "guardian_phone",
    "guardian_email",
)
ROSTER_FIELDS = ("first_name", "last_name", "date_of_birth", "gender", "guardian_name", "guardian_phone", "guardian_email")
GENDER_ALIASES = {"f": "female", "female": "female", "m": "male", "male": "male", "o": "other", "other": "other"}


class RosterError(ApplicationError):
    """A roster that cannot be imported; `lines` lists every problem as (line number, reason)."""

    def __init__(self, lines: list[tuple[int, str]]):
        self.lines = lines
        super().__init__(field_errors={"file": [f"Line {number}: {reason}" for number, reason in lines]})


@dataclass
class RosterResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    forms_created: list[str] = field(default_factory=list)


@dataclass
class _RosterRow:
    line: int
    student_id: str
    class_group: str
    grade_level: int | None
    values: dict[str, Any]


def _read_rows(text: str) -> tuple[list[_RosterRow], list[tuple[int, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in ROSTER_COLUMNS if name not in header]
    if missing:
        return [], [(1, f"missing column(s): {', '.join(missing)}")]
    reader.fieldnames = header
    rows, errors, seen = [], [], {}
    for record in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in record.values() if isinstance(value, str)):
            continue  # blank line
        value = {name: (record.get(name) or "").strip() for name in ROSTER_COLUMNS}
        problems = []
        if not value["student_id"]:
            problems.append("student_id is empty")
        elif len(value["student_id"]) > 32:
            problems.append("student_id is longer than 32 characters")
        elif value["student_id"] in seen:
            problems.append(f"duplicate student_id {value['student_id']} (also on line {seen[value['student_id']]})")
        else:
            seen[value["student_id"]] = line
        for name in ("first_name", "last_name"):
            if not value[name]:
                problems.append(f"{name} is empty")
            elif len(value[name]) > 100:
                problems.append(f"{name} is longer than 100 characters")
        date_of_birth = None
        if value["date_of_birth"]:
            try:
                date_of_birth = datetime.date.fromisoformat(value["date_of_birth"])
            except ValueError:
                problems.append(f"bad date_of_birth {value['date_of_birth']!r} (use YYYY-MM-DD)")
        gender = ""
        if value["gender"]:
            gender = GENDER_ALIASES.get(value["gender"].lower(), "")
            if not gender:
                problems.append(f"unknown gender {value['gender']!r} (female, male or other)")
        grade_level = None
        if value["grade_level"]:
            try:
                grade_level = int(value["grade_level"])
                if not 1 <= grade_level <= 13:
                    raise ValueError
            except ValueError:
                problems.append(f"bad grade_level {value['grade_level']!r} (a whole number from 1 to 13)")
        if not value["class_group"]:
            problems.append("class_group is empty")
        elif len(value["class_group"]) > 50:
            problems.append("class_group is longer than 50 characters")
        if value["guardian_email"]:
            try:
                validate_email(value["guardian_email"])
            except ValidationError:
                problems.append(f"bad guardian_email {value['guardian_email']!r}")
        for name, limit in (("guardian_name", 200), ("guardian_phone", 50)):
            if len(value[name]) > limit:
                problems.append(f"{name} is longer than {limit} characters")
        if problems:
            errors.append((line, "; ".join(problems)))
            continue
        rows.append(
            _RosterRow(
                line=line,
                student_id=value["student_id"],
                class_group=value["class_group"],
                grade_level=grade_level,
                values={
                    "first_name": value["first_name"],
                    "last_name": value["last_name"],
                    "date_of_birth": date_of_birth,
                    "gender": gender,
                    "guardian_name": value["guardian_name"],
                    "guardian_phone": value["guardian_phone"],
                    "guardian_email": value["guardian_email"],
                },
            )
        )
    return rows, errors


def decode_roster(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError([(1, "the file is not UTF-8 text (save it as CSV UTF-8)")]) from None


def roster_import(*, actor, school, text: str) -> RosterResult:
    """Import a roster CSV into `school`: all lines or none.

    Existing students (same student_id) are updated, new ones created. A form unknown in the current
    academic year is created when its line gives a grade_level; without one the line is refused.
    Every bad line is reported with its line number; nothing is written then.
    """
    rows, errors = _read_rows(text)
    year = current_academic_year(school_id=school.pk, on=timezone.localdate())
    if year is None:
        raise RosterError([(1, "the school has no current academic year to put forms in")])
    forms = {form.name: form for form in ClassGroup.objects.filter(school=school, academic_year=year)}
    new_forms: dict[str, int] = {}
    for row in rows:
        if row.class_group in forms:
            continue
        if row.grade_level is None and row.class_group not in new_forms:
            errors.append((row.line, f"unknown form {row.class_group!r} (give a grade_level to create it)"))
        elif row.class_group not in new_forms:
            new_forms[row.class_group] = row.grade_level
    if errors:
        raise RosterError(sorted(errors))
    if not rows:
        raise RosterError([(1, "the file has no students")])

    result = RosterResult()
    now = timezone.now()
    with transaction.atomic():
        created_forms = ClassGroup.objects.bulk_create(
            [ClassGroup(school=school, academic_year=year, name=name, grade_level=grade) for name, grade in new_forms.items()]
        )
        if created_forms and created_forms[0].pk is None:
            # Backends that do not return ids from a bulk insert (MySQL): read them back.
            created_forms = list(ClassGroup.objects.filter(academic_year=year, name__in=list(new_forms)))
        for form in created_forms:
            forms[form.name] = form
        result.forms_created = sorted(new_forms)

        existing = {s.student_id: s for s in Student.objects.filter(school=school, student_id__in=[r.student_id for r in rows])}
        to_create, to_update, audit_rows = [], [], []
        for row in rows:
            values = {**row.values, "class_group_id": forms[row.class_group].pk}
            student = existing.get(row.student_id)
            if student is None:
                to_create.append(Student(school=school, student_id=row.student_id, created_at=now, updated_at=now, **values))
                continue
            before = audit.snapshot(student)
            changed = False
            for name, value in values.items():
                if getattr(student, name) != value:
                    setattr(student, name, value)
                    changed = True
            if not changed:
                result.unchanged += 1
                continue
            student.version += 1
            student.updated_at = now
            to_update.append(student)
            audit_rows.append(_audit_row(actor=actor, school=school, action="update", student=student, before=before))
        if to_update:
            # An upsert on rows that exist: one plain multi-row statement per batch, where bulk_update builds
            # a CASE per field and row (seconds of Python for a school's roster).
            has_target = connections[Student.objects.db].features.supports_update_conflicts_with_target
            Student.objects.bulk_create(
                to_update,
                update_conflicts=True,
                unique_fields=["school", "student_id"] if has_target else None,
                update_fields=[*ROSTER_FIELDS, "class_group", "version", "updated_at"],
                batch_size=500,
            )
        if to_create:
            Student.objects.bulk_create(to_create, batch_size=500)
            if to_create[0].pk is None:
                ids = dict(
                    Student.objects.filter(school=school, student_id__in=[s.student_id for s in to_create]).values_list(
                        "student_id", "pk"
                    )
                )
                for student in to_create:
                    student.pk = ids[student.student_id]
            audit_rows += [_audit_row(actor=actor, school=school, action="create", student=s) for s in to_create]
        audit_rows += [
            AuditLog(
                school=school,
                actor=_actor(actor),
                action="create",
                entity_type="students.classgroup",
                entity_id=str(form.pk),
                after=audit.snapshot(form),
                ip=audit.current_ip.get(),
                created_at=now,
            )
            for form in created_forms
        ]
        AuditLog.objects.bulk_create(audit_rows, batch_size=500)
    result.created = len(to_create)
    result.updated = len(to_update)
    return result


def _actor(actor):
    return actor if actor is not None and getattr(actor, "pk", None) else None


def _audit_row(*, actor, school, action: str, student: Student, before: dict | None = None) -> AuditLog:
    return AuditLog(
        school=school,
        actor=_actor(actor),
        action=action,
        entity_type="students.student",
        entity_id=str(student.pk),
        before=before,
        after=audit.snapshot(student),
        ip=audit.current_ip.get(),
        created_at=timezone.now(),
    )


def students_csv_rows(students: Iterable[Student]) -> Iterable[list[str]]:
    """The roster columns, so an export can be edited and imported again."""
    yield list(ROSTER_COLUMNS)
    for s in students:
        form = s.class_group
        yield [
            s.student_id,
            s.first_name,
            s.last_name,
            s.date_of_birth.isoformat() if s.date_of_birth else "",
            s.gender,
            form.name if form else "",
            str(form.grade_level) if form else "",
            s.guardian_name,
            s.guardian_phone,
            s.guardian_email,
        ]
