"""Taking the register: one form's day written in a handful of queries, audited, with optimistic locking."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from attendance import events
from attendance.models import AttendanceRecord, Holiday, Register
from attendance.selectors import holiday_named, holiday_on, register_marks, register_students
from core import audit
from core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from core.listeners import emit_on_commit
from core.locking import conflict, expect_version, versioned_update
from core.permissions import REGISTER_TAKERS, require_admin, require_role
from core.services import audited_create, audited_delete, audited_update, bulk_upsert
from students.models import ClassGroup, Student

Status = AttendanceRecord.Status
NEEDS_REASON = (Status.ABSENT, Status.LATE, Status.EXCUSED)
MAX_REASON = 255


@dataclass
class RegisterSaveResult:
    register: Register
    created: int
    updated: int
    unchanged: int
    student_ids: list[int]


def can_take_register(actor, class_group: ClassGroup) -> bool:
    """Teachers, form masters and admins take the register of any form of their school: a form master
    covers a colleague's form as any teacher would; their own forms are listed first."""
    return actor.role in REGISTER_TAKERS and actor.school_id == class_group.school_id


def register_date_problem(*, date: datetime.date, year_start, year_end, holiday: str | None) -> str | None:
    """Why no register (or lesson) can be taken on `date`, or None when it can: a page says it above
    the sheet; the services refuse the save with it (check_register_date)."""
    if date > timezone.localdate():
        return "The register cannot be taken for a future date."
    if date.weekday() >= 5:
        return "That day is a weekend, not a school day."
    if holiday:
        return f"That day is a holiday ({holiday}), not a school day."
    if not (year_start <= date <= year_end):
        return "That day is outside the form's academic year."
    return None


def check_register_date(*, date: datetime.date, year_start, year_end, holiday: str | None) -> None:
    problem = register_date_problem(date=date, year_start=year_start, year_end=year_end, holiday=holiday)
    if problem:
        raise ApplicationError(field_errors={"date": [problem]})


class RecordsError(ApplicationError):
    """Problems with some of the records sent: `field_errors["records"]` says them by item (the API);
    `student_errors` maps each student id named to what is wrong with their record (a page names the
    student); `other_errors` are those of items that name no student."""

    def __init__(self, messages: list[str], student_errors: dict[int, list[str]], other_errors: list[str]):
        self.student_errors = student_errors
        self.other_errors = other_errors
        super().__init__(field_errors={"records": messages})


class _Problems:
    def __init__(self):
        self.messages: list[str] = []
        self.student_errors: dict[int, list[str]] = {}
        self.other_errors: list[str] = []

    def add(self, message: str, *, about: str, student: int | None = None) -> None:
        """`message` for the API; `about` the same problem said of the student (or of the item)."""
        self.messages.append(message)
        if student is None:
            self.other_errors.append(message)
        else:
            self.student_errors.setdefault(student, []).append(about)

    def raise_any(self) -> None:
        if self.messages:
            raise RecordsError(self.messages, self.student_errors, self.other_errors)


def _clean_records(records: Iterable[dict]) -> dict[int, tuple[str, str]]:
    """{student id: (status, reason)}; every problem reported against `records`."""
    cleaned: dict[int, tuple[str, str]] = {}
    problems = _Problems()
    for index, item in enumerate(records):
        item_label = f"Item {index + 1}"
        if not isinstance(item, dict):
            problems.add(f"{item_label}: must be an object with student, status and reason.", about="")
            continue
        student, status = item.get("student"), item.get("status")
        reason = (item.get("reason") or "").strip() if isinstance(item.get("reason") or "", str) else None
        try:
            student = int(student)
        except (TypeError, ValueError):
            problems.add(f"{item_label}: student must be a student id.", about="")
            continue
        if status not in Status.values:
            problems.add(
                f"{item_label}: unknown status {status!r} (present, absent, late or excused).",
                about=f"unknown status \u201c{status}\u201d (present, absent, late or excused).",
                student=student,
            )
            continue
        if reason is None or len(reason) > MAX_REASON:
            problems.add(
                f"{item_label}: reason must be text of at most {MAX_REASON} characters.",
                about=f"reason must be text of at most {MAX_REASON} characters.",
                student=student,
            )
            continue
        if student in cleaned:
            problems.add(
                f"{item_label}: student {student} appears more than once.",
                about="appears more than once.",
                student=student,
            )
            continue
        cleaned[student] = (status, reason if status in NEEDS_REASON else "")
    problems.raise_any()
    return cleaned


def register_save(
    *,
    actor,
    class_group_id: int,
    date: datetime.date,
    records: Iterable[dict],
    expected_version: int | None = None,
) -> RegisterSaveResult:
    """Write (form, date)'s register: every active student of the form, present unless `records` says
    otherwise. An idempotent upsert: unchanged records keep who marked them.

    `expected_version` is the register version the client loaded (0: it saw no register); when the
    register was saved since, ConflictError is raised and nothing is written. Five queries (plus
    savepoints) whatever was there before: the form with its register and holiday, the students with
    their records of the day, the register, the records' upsert, the audit rows.
    """
    require_role(actor, *REGISTER_TAKERS)
    cleaned = _clean_records(records)
    try:
        result = _register_save(
            actor=actor, class_group_id=class_group_id, date=date, cleaned=cleaned, expected_version=expected_version
        )
    except IntegrityError:
        # Someone created the register (or a record) of that day between our read and our write.
        raise conflict(Register, class_group_id=class_group_id, date=date) from None
    _judged_again(school_id=result.register.school_id, student_ids=result.student_ids)
    return result


def _judged_again(*, school_id: int, student_ids: list[int], event: str = events.REGISTER_SAVED) -> None:
    """Once the write commits, the students' alerts and risk are looked at again, as of today whatever day
    the write was about: correcting last week's register must neither resolve an alert that holds today
    nor raise one that held only then."""
    emit_on_commit(event, school_id=school_id, student_ids=student_ids, as_of=timezone.localdate())


@transaction.atomic
def _register_save(*, actor, class_group_id, date, cleaned, expected_version) -> RegisterSaveResult:
    day_register = Register.objects.filter(class_group_id=OuterRef("pk"), date=date)
    # 1: the form (of the actor's school), its academic year, that day's register and holiday.
    class_group = (
        ClassGroup.objects.for_actor(actor)
        .select_related("academic_year")
        .annotate(
            register_id=Subquery(day_register.values("pk")[:1]),
            register_version=Subquery(day_register.values("version")[:1]),
            holiday=holiday_named(school_id=OuterRef("school_id"), date=date),
        )
        .filter(pk=class_group_id)
        .first()
    )
    if class_group is None:
        raise NotFoundError()
    if not can_take_register(actor, class_group):
        raise PermissionDeniedError("Your role does not allow taking this register.")
    year = class_group.academic_year
    check_register_date(date=date, year_start=year.start_date, year_end=year.end_date, holiday=class_group.holiday)

    # 2: the form's active students with what is recorded for them that day.
    rows = {row["id"]: row for row in register_students(class_group_id=class_group.pk, date=date)}
    strangers = sorted(set(cleaned) - set(rows))
    problems = _Problems()
    for pk in strangers:
        problems.add(f"Student {pk} is not in {class_group.name}.", about=f"not in {class_group.name}.", student=pk)
    problems.raise_any()
    expect_version(
        class_group.register_version,
        expected_version,
        message="This register was changed by someone else since you opened it.",
    )

    now = timezone.now()
    # 3: the register row: who took it and when (a conditional UPDATE keeps concurrent saves apart).
    if class_group.register_id is None:
        register = Register.objects.create(
            school_id=class_group.school_id, class_group=class_group, date=date, taken_by=actor, taken_at=now
        )
        register_before = None
    else:
        new_version = versioned_update(
            Register, pk=class_group.register_id, version=class_group.register_version, taken_by=actor, taken_at=now
        )
        register = Register(
            pk=class_group.register_id,
            school_id=class_group.school_id,
            class_group=class_group,
            date=date,
            taken_by=actor,
            taken_at=now,
            version=new_version,
        )
        register_before = {"version": class_group.register_version}

    # 4: the records that are new or changed, in one upsert.
    upserts, befores = [], []
    for pk, row in rows.items():
        status, reason = cleaned.get(pk, (Status.PRESENT, ""))
        if row["day__id"] is not None and (row["day__status"], row["day__reason"]) == (status, reason):
            continue
        upserts.append(
            AttendanceRecord(
                school_id=class_group.school_id,
                student_id=pk,
                date=date,
                status=status,
                reason=reason,
                marked_by=actor,
                marked_at=now,
            )
        )
        befores.append(row)
    bulk_upsert(
        AttendanceRecord,
        upserts,
        unique_fields=["student", "date"],
        update_fields=["status", "reason", "marked_by", "marked_at"],
    )

    # 5: the audit rows: one per record written and the register's own, in one insert.
    ip = audit.current_ip.get()
    audit_rows = []
    for record, row in zip(upserts, befores, strict=False):
        before = None
        if row["day__id"] is not None:
            before = {
                "id": row["day__id"],
                "student": row["id"],
                "date": date.isoformat(),
                "status": row["day__status"],
                "reason": row["day__reason"],
                "marked_by": row["day__marked_by_id"],
            }
        audit_rows.append(
            audit.entry(
                actor=actor,
                action="create" if before is None else "update",
                entity_type=audit.entity_type_of(AttendanceRecord),
                entity_id=record.pk,
                school_id=class_group.school_id,
                before=before,
                after={
                    "id": record.pk,
                    "student": row["id"],
                    "date": date.isoformat(),
                    "status": record.status,
                    "reason": record.reason,
                    "marked_by": actor.pk,
                },
                ip=ip,
                created_at=now,
            )
        )
    created = sum(1 for row in befores if row["day__id"] is None)
    updated = len(befores) - created
    audit_rows.append(
        audit.entry(
            actor=actor,
            action="create" if register_before is None else "update",
            instance=register,
            before=register_before,
            after={**audit.snapshot(register), "records_created": created, "records_updated": updated},
            ip=ip,
            created_at=now,
        )
    )
    audit.record_entries(audit_rows)
    return RegisterSaveResult(
        register=register,
        created=created,
        updated=updated,
        unchanged=len(rows) - created - updated,
        student_ids=list(rows),
    )


CORRECTED_BY_ADMINS = "Only an admin corrects a single attendance record; others take the register."


def _record_changed(record: AttendanceRecord, before: dict | None = None) -> None:
    # The same reaction as a register save: the student's alerts and risk are looked at again, as of today
    # (both students', when the mark was moved from one to another).
    student_ids = sorted({record.student_id, (before or {}).get("student_id", record.student_id)})
    _judged_again(school_id=record.school_id, student_ids=student_ids)


@transaction.atomic
def attendance_record_save(*, actor, record: AttendanceRecord, before: dict | None = None) -> AttendanceRecord:
    """One student's mark of one day, added (`before` None) or corrected in Django admin, by an admin.

    The day must be one the student's form can have a register for (a past or present school day of the
    form's academic year, not a weekend or holiday), the rule of the register page; a reason is kept only
    for absent, late or excused. Audited; the student's alerts and risk react as to a register save."""
    require_admin(actor, CORRECTED_BY_ADMINS)
    student = Student.objects.select_related("class_group__academic_year").filter(pk=record.student_id).first()
    if student is None or student.class_group is None:
        raise ApplicationError(
            field_errors={"student": ["This student is in no form: a mark belongs to a form's register."]}
        )
    year = student.class_group.academic_year
    holiday = holiday_on(school_id=student.school_id, date=record.date)
    check_register_date(date=record.date, year_start=year.start_date, year_end=year.end_date, holiday=holiday)
    if record.status not in NEEDS_REASON:
        record.reason = ""
    if before is None:
        audited_create(actor=actor, instance=record)
    else:
        audited_update(actor=actor, instance=record, before=before)
    _record_changed(record, before)
    return record


HOLIDAYS_BY_ADMINS = "Only an admin sets the school's holidays."


@transaction.atomic
def holiday_save(*, actor, holiday: Holiday, before: dict | None = None) -> Holiday:
    """A school holiday added (`before` None) or corrected in Django admin, by an admin: audited, and the
    school's alerts and risk are judged again, as of today, since its school days are not what they were
    (a day that becomes a holiday no longer counts as missed)."""
    require_admin(actor, HOLIDAYS_BY_ADMINS)
    if before is None:
        audited_create(actor=actor, instance=holiday)
    else:
        audited_update(actor=actor, instance=holiday, before=before)
    _holidays_changed(holiday.school_id)
    return holiday


@transaction.atomic
def holiday_delete(*, actor, holiday: Holiday) -> None:
    """A holiday removed in Django admin, by an admin: audited, and the school judged again as for a save."""
    require_admin(actor, HOLIDAYS_BY_ADMINS)
    audited_delete(actor=actor, instance=holiday)
    _holidays_changed(holiday.school_id)


def _holidays_changed(school_id: int) -> None:
    student_ids = list(
        Student.objects.filter(school_id=school_id, status=Student.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if student_ids:
        _judged_again(school_id=school_id, student_ids=student_ids, event=events.HOLIDAYS_CHANGED)


@transaction.atomic
def register_delete(*, actor, register: Register) -> None:
    """Remove a register taken in error (an admin, in Django admin) with the marks it holds (its form's
    students' records of its day): each audited, and their alerts and risk react as to a register save."""
    require_admin(actor, "Only an admin removes a register; others correct it on the register page.")
    marks = list(register_marks(register))
    audited_delete(actor=actor, instance=register, along=marks)
    if marks:
        _judged_again(school_id=register.school_id, student_ids=sorted({mark.student_id for mark in marks}))


@transaction.atomic
def attendance_record_delete(*, actor, record: AttendanceRecord) -> None:
    """Remove a mark recorded in error (an admin, in Django admin): audited, and the student's alerts and
    risk react as to a register save."""
    require_admin(actor, CORRECTED_BY_ADMINS)
    audited_delete(actor=actor, instance=record)
    _record_changed(record)
