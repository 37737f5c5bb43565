"""The roster: importing a school's students and forms from CSV (all lines or none) and exporting
them in the same columns, so an export can be edited and imported again."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import audit
from core.errors import ApplicationError
from core.locking import next_versions_of_locked
from core.models import AuditLog
from core.services import bulk_insert, bulk_upsert
from students.models import ClassGroup, Student
from students.selectors import current_academic_year

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
ROSTER_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "guardian_name",
    "guardian_phone",
    "guardian_email",
)
# Read when the file has the column, so that a file without it (an export edited and imported again) leaves
# the addresses as they are; an export does not write it (letters need it, a spreadsheet does not).
OPTIONAL_COLUMNS = ("guardian_address",)
GUARDIAN_ADDRESS_LIMIT = 500
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
    # Everything wrong with the line; it is imported only when the whole file has none.
    problems: list[str] = field(default_factory=list)
    grade_level_given: bool = False
    form: ClassGroup | None = None
    student: Student | None = None


@dataclass
class _NewForm:
    name: str
    grade_level: int
    line: int


def _id_key(student_id: str) -> str:
    # Admission numbers are compared ignoring case, as MariaDB's default collation compares them: the
    # same answer on SQLite, and no duplicate that MariaDB's unique index would refuse.
    return student_id.casefold()


def _form_key(name: str) -> str:
    # "form  2a" names "Form 2A".
    return " ".join(name.split()).casefold()


def _find(value: str, *, exact: dict, folded: dict, key) -> tuple[Any, list]:
    """The row spelt `value`, else the one row equal to it under `key`; (None, rows) when several are."""
    if value in exact:
        return exact[value], []
    candidates = folded.get(key(value), [])
    if len(candidates) == 1:
        return candidates[0], []
    return None, candidates


def _index(rows: Iterable, *, attribute: str, key) -> tuple[dict, dict]:
    exact, folded = {}, {}
    for row in rows:
        value = getattr(row, attribute)
        exact[value] = row
        folded.setdefault(key(value), []).append(row)
    return exact, folded


def _read_rows(text: str) -> list[_RosterRow]:
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in ROSTER_COLUMNS if name not in header]
    if missing:
        raise RosterError([(1, f"missing column(s): {', '.join(missing)}")])
    reader.fieldnames = header
    with_address = "guardian_address" in header
    rows, seen = [], {}
    for record in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in record.values() if isinstance(value, str)):
            continue  # blank line
        value = {name: (record.get(name) or "").strip() for name in ROSTER_COLUMNS}
        problems = []
        student_id = value["student_id"]
        if not student_id:
            problems.append("student_id is empty")
        elif len(student_id) > 32:
            problems.append("student_id is longer than 32 characters")
        elif _id_key(student_id) in seen:
            first_line, first_spelling = seen[_id_key(student_id)]
            spelt = "" if first_spelling == student_id else f", as {first_spelling}"
            problems.append(f"duplicate student_id {student_id} (also on line {first_line}{spelt})")
        else:
            seen[_id_key(student_id)] = (line, student_id)
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
            else:
                if date_of_birth >= timezone.localdate():
                    problems.append(f"date_of_birth {value['date_of_birth']} is not in the past")
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
                grade_level = None
                problems.append(f"bad grade_level {value['grade_level']!r} (a whole number from 1 to 13)")
        class_group = value["class_group"]
        if not class_group:
            problems.append("class_group is empty")
        elif len(class_group) > 50:
            problems.append("class_group is longer than 50 characters")
            class_group = ""
        if value["guardian_email"]:
            try:
                validate_email(value["guardian_email"])
            except ValidationError:
                problems.append(f"bad guardian_email {value['guardian_email']!r}")
        for name, limit in (("guardian_name", 200), ("guardian_phone", 50)):
            if len(value[name]) > limit:
                problems.append(f"{name} is longer than {limit} characters")
        optional = {}
        if with_address:
            address = "\n".join(part.strip() for part in (record.get("guardian_address") or "").strip().splitlines())
            if len(address) > GUARDIAN_ADDRESS_LIMIT:
                problems.append(f"guardian_address is longer than {GUARDIAN_ADDRESS_LIMIT} characters")
            optional["guardian_address"] = address
        rows.append(
            _RosterRow(
                line=line,
                student_id=student_id,
                class_group=class_group,
                grade_level=grade_level,
                grade_level_given=bool(value["grade_level"]),
                problems=problems,
                values={
                    "first_name": value["first_name"],
                    "last_name": value["last_name"],
                    "date_of_birth": date_of_birth,
                    "gender": gender,
                    "guardian_name": value["guardian_name"],
                    "guardian_phone": value["guardian_phone"],
                    "guardian_email": value["guardian_email"],
                    **optional,
                },
            )
        )
    return rows


def _match_forms(rows: list[_RosterRow], existing: Iterable[ClassGroup]) -> dict[str, _NewForm]:
    """Set each row's existing form, named in any case and spacing; return the forms to create, by key.

    A form that does not exist is created when a line of the file gives its grade_level; the other
    lines naming it need not. A name that matches an existing form ignoring case is that form.
    """
    exact, folded = _index(existing, attribute="name", key=_form_key)
    new_forms: dict[str, _NewForm] = {}
    unknown = []
    for row in rows:
        if not row.class_group:
            continue  # already a problem of the line
        row.form, several = _find(row.class_group, exact=exact, folded=folded, key=_form_key)
        if several:
            names = ", ".join(repr(form.name) for form in sorted(several, key=lambda form: form.name))
            row.problems.append(f"form {row.class_group!r} matches more than one form: {names}")
        elif row.form is None:
            unknown.append(row)
    for row in unknown:
        if row.grade_level is None:
            continue
        planned = new_forms.get(_form_key(row.class_group))
        if planned is None:
            new_forms[_form_key(row.class_group)] = _NewForm(row.class_group, row.grade_level, row.line)
        elif planned.grade_level != row.grade_level:
            row.problems.append(
                f"form {row.class_group!r} is given grade_level {row.grade_level} here "
                f"but {planned.grade_level} on line {planned.line}"
            )
    for row in unknown:
        # A bad grade_level is the line's problem already.
        if _form_key(row.class_group) not in new_forms and not row.grade_level_given:
            row.problems.append(f"unknown form {row.class_group!r} (give a grade_level to create it)")
    return new_forms


def _match_students(rows: list[_RosterRow], existing: Iterable[Student]) -> None:
    """Set each row's existing student: the same student_id, or the one that differs only in case."""
    exact, folded = _index(existing, attribute="student_id", key=_id_key)
    for row in rows:
        if not row.student_id:
            continue
        row.student, several = _find(row.student_id, exact=exact, folded=folded, key=_id_key)
        if several:
            ids = ", ".join(sorted(student.student_id for student in several))
            row.problems.append(f"student_id {row.student_id} matches more than one student: {ids}")


def decode_roster(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise RosterError([(line, "the file is not UTF-8 text (save it as CSV UTF-8)")]) from None


def roster_import(*, actor, school, text: str) -> RosterResult:
    """Import a roster CSV into `school`: all lines or none.

    Existing students (same student_id, in any case) are updated, new ones created. Forms of the current
    academic year are matched by name in any case and spacing; a form unknown there is created when a
    line gives its grade_level, and without one the line is refused. Every bad line is reported with its
    line number and all its problems; nothing is written then.
    """
    rows = _read_rows(text)
    try:
        with transaction.atomic():
            return _import_rows(actor=actor, school=school, rows=rows)
    except IntegrityError:
        # What MariaDB's collation also takes as equal (accents, for one) and Python does not.
        raise RosterError(
            [(1, "a student_id or form name clashes with one the database already holds under another spelling")]
        ) from None


def _import_rows(*, actor, school, rows: list[_RosterRow]) -> RosterResult:
    year = current_academic_year(school_id=school.pk, on=timezone.localdate())
    if year is None:
        raise RosterError([(1, "the school has no current academic year to put forms in")])
    new_forms = _match_forms(rows, ClassGroup.objects.filter(school=school, academic_year=year))
    # The whole school, matched here, so that case is ignored alike on every database; one query. The
    # rows stay locked until the import commits, so the versions read are the ones written over.
    _match_students(rows, Student.objects.filter(school=school).select_for_update())
    errors = [(row.line, "; ".join(row.problems)) for row in rows if row.problems]
    if errors:
        raise RosterError(errors)
    if not rows:
        raise RosterError([(1, "the file has no students")])
    return _write_roster(actor=actor, school=school, year=year, rows=rows, new_forms=new_forms)


def _write_roster(*, actor, school, year, rows: list[_RosterRow], new_forms: dict[str, _NewForm]) -> RosterResult:
    result = RosterResult()
    now = timezone.now()
    created_forms = bulk_insert(
        ClassGroup,
        [
            ClassGroup(school=school, academic_year=year, name=planned.name, grade_level=planned.grade_level)
            for planned in new_forms.values()
        ],
        key=["academic_year", "name"],
    )
    forms_by_key = {_form_key(form.name): form for form in created_forms}
    result.forms_created = sorted(planned.name for planned in new_forms.values())

    to_create, to_update, audit_rows = [], [], []
    for row in rows:
        form = row.form or forms_by_key[_form_key(row.class_group)]
        values = {**row.values, "class_group_id": form.pk}
        student = row.student
        if student is None:
            to_create.append(
                Student(school=school, student_id=row.student_id, created_at=now, updated_at=now, **values)
            )
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
        # Locked since read (`_import_rows`): the version grows by one, written by the upsert below.
        next_versions_of_locked([student])
        student.updated_at = now
        to_update.append(student)
        audit_rows.append(_audit_row(actor=actor, school=school, action="update", student=student, before=before))
    if to_update:
        # An upsert on rows that exist: one plain multi-row statement per batch, where bulk_update builds
        # a CASE per field and row (seconds of Python for a school's roster).
        bulk_upsert(
            Student,
            to_update,
            unique_fields=["school", "student_id"],
            update_fields=[*ROSTER_FIELDS, *OPTIONAL_COLUMNS, "class_group", "version", "updated_at"],
            batch_size=500,
        )
    if to_create:
        bulk_insert(Student, to_create, key=["school", "student_id"], batch_size=500)
        audit_rows += [_audit_row(actor=actor, school=school, action="create", student=s) for s in to_create]
    audit_rows += [
        audit.entry(actor=actor, action="create", instance=form, after=audit.snapshot(form), created_at=now)
        for form in created_forms
    ]
    audit.record_entries(audit_rows, batch_size=500)
    result.created = len(to_create)
    result.updated = len(to_update)
    return result


def _audit_row(*, actor, school, action: str, student: Student, before: dict | None = None) -> AuditLog:
    return audit.entry(actor=actor, action=action, instance=student, before=before, after=audit.snapshot(student))


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
