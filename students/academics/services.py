"""Every write to the academic records: subjects and topics (admins), subject enrollments and their CSV
import, assessments one at a time or a whole form's marks at once. Each write is one transaction with
its audit rows; assessments emit ASSESSMENT_SAVED after the commit."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.db.models import FilteredRelation, Q, Subquery
from django.utils import timezone

from core import audit
from core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from core.listeners import emit_on_commit
from core.locking import expect_version
from core.models import User
from core.numbers import plain_number
from core.permissions import ACADEMIC_RECORDERS, require_admin, require_role
from core.services import audited_delete, audited_update, bulk_upsert
from students.academics import events
from students.academics.access import SUBJECT_MANAGER, may_record
from students.academics.grading import derive_result, grade_bands_ensure
from students.academics.models import Assessment, GradeBands, Subject, SubjectEnrollment, Topic
from students.models import ClassGroup, Student

MAX_MARKS = Decimal("9999.99")
MAX_TITLE = 200

# Subjects and topics -------------------------------------------------------------------------------


def _clean_subject(*, name: str, code: str, status: str) -> dict:
    errors: dict[str, list[str]] = {}
    name, code = (name or "").strip(), (code or "").strip().upper()
    if not name:
        errors["name"] = ["Give the subject a name."]
    elif len(name) > 100:
        errors["name"] = ["At most 100 characters."]
    if not code:
        errors["code"] = ["Give the subject a short code (e.g. MATH)."]
    elif len(code) > 20 or not all(ch.isalnum() or ch in "-_" for ch in code):
        errors["code"] = ["At most 20 letters, digits, - or _."]
    if status not in Subject.Status.values:
        errors["status"] = ["Active or inactive."]
    if errors:
        raise ApplicationError(field_errors=errors)
    return {"name": name, "code": code, "status": status}


def _check_unique_code(*, school_id: int, code: str, exclude_pk: int | None = None) -> None:
    # Codes are upper-cased when saved, so SQLite and MariaDB's case-blind index agree.
    clash = Subject.objects.filter(school_id=school_id, code=code)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ApplicationError(field_errors={"code": [f"The school already has a subject with code {code}."]})


@transaction.atomic
def subject_create(*, actor, name: str, code: str, description: str = "", status: str = "active") -> Subject:
    require_role(actor, SUBJECT_MANAGER)
    data = _clean_subject(name=name, code=code, status=status)
    _check_unique_code(school_id=actor.school_id, code=data["code"])
    subject = Subject(school_id=actor.school_id, description=(description or "").strip(), **data)
    try:
        with transaction.atomic():
            subject.save()
    except IntegrityError:
        raise ApplicationError(field_errors={"code": ["That code was taken at the same moment."]}) from None
    audit.record_create(actor=actor, instance=subject)
    return subject


@transaction.atomic
def subject_update(*, actor, subject: Subject, **changes: Any) -> Subject:
    require_role(actor, SUBJECT_MANAGER)
    if subject.school_id != actor.school_id:
        raise NotFoundError()
    before = audit.snapshot(subject)
    merged = {
        "name": changes.get("name", subject.name),
        "code": changes.get("code", subject.code),
        "status": changes.get("status", subject.status),
    }
    data = _clean_subject(**merged)
    _check_unique_code(school_id=subject.school_id, code=data["code"], exclude_pk=subject.pk)
    for name, value in data.items():
        setattr(subject, name, value)
    if "description" in changes:
        subject.description = (changes["description"] or "").strip()
    if audit.snapshot(subject) == before:
        return subject
    subject.save()
    audit.record_update(actor=actor, instance=subject, before=before)
    return subject


def _clean_topic(*, name, order_index, estimated_duration_minutes, difficulty_level) -> dict:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Give the topic a name."]
    elif len(name) > 200:
        errors["name"] = ["At most 200 characters."]
    if order_index is not None and (not isinstance(order_index, int) or not 0 <= order_index <= 10_000):
        errors["order_index"] = ["A whole number from 0 to 10000."]
    if estimated_duration_minutes is not None and (
        not isinstance(estimated_duration_minutes, int) or not 1 <= estimated_duration_minutes <= 10_000
    ):
        errors["estimated_duration_minutes"] = ["Minutes, from 1 to 10000, or left out."]
    if difficulty_level not in Topic.Difficulty.values:
        errors["difficulty_level"] = ["Easy, medium or hard."]
    if errors:
        raise ApplicationError(field_errors=errors)
    return {
        "name": name,
        "order_index": order_index,
        "estimated_duration_minutes": estimated_duration_minutes,
        "difficulty_level": difficulty_level,
    }


@transaction.atomic
def topic_create(
    *,
    actor,
    subject: Subject,
    name: str,
    order_index: int | None = None,
    estimated_duration_minutes: int | None = None,
    difficulty_level: str = "medium",
) -> Topic:
    """A topic of `subject`; without an order_index it comes after the subject's last topic."""
    require_role(actor, SUBJECT_MANAGER)
    if subject.school_id != actor.school_id:
        raise NotFoundError()
    data = _clean_topic(
        name=name,
        order_index=order_index,
        estimated_duration_minutes=estimated_duration_minutes,
        difficulty_level=difficulty_level,
    )
    if Topic.objects.filter(subject=subject, name=data["name"]).exists():
        raise ApplicationError(field_errors={"name": [f"{subject.name} already has a topic of that name."]})
    if data["order_index"] is None:
        last = Topic.objects.filter(subject=subject).order_by("-order_index").values_list("order_index", flat=True)
        data["order_index"] = (last.first() or 0) + 1
    topic = Topic(school_id=subject.school_id, subject=subject, **data)
    try:
        with transaction.atomic():
            topic.save()
    except IntegrityError:
        raise ApplicationError(field_errors={"name": ["That topic was added at the same moment."]}) from None
    audit.record_create(actor=actor, instance=topic)
    return topic


@transaction.atomic
def topic_update(*, actor, topic: Topic, **changes: Any) -> Topic:
    require_role(actor, SUBJECT_MANAGER)
    if topic.school_id != actor.school_id:
        raise NotFoundError()
    before = audit.snapshot(topic)
    data = _clean_topic(
        name=changes.get("name", topic.name),
        order_index=changes.get("order_index", topic.order_index),
        estimated_duration_minutes=changes.get("estimated_duration_minutes", topic.estimated_duration_minutes),
        difficulty_level=changes.get("difficulty_level", topic.difficulty_level),
    )
    if Topic.objects.filter(subject_id=topic.subject_id, name=data["name"]).exclude(pk=topic.pk).exists():
        raise ApplicationError(field_errors={"name": ["The subject already has a topic of that name."]})
    for name, value in data.items():
        setattr(topic, name, value)
    if audit.snapshot(topic) == before:
        return topic
    topic.save()
    audit.record_update(actor=actor, instance=topic, before=before)
    return topic


# Assessments -------------------------------------------------------------------------------------


def _parse_marks(value, *, total: Decimal | None) -> Decimal | None:
    """Marks obtained: None (pending) or a number from 0 to the total with at most two decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("Marks must be a number.")
    try:
        marks = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError("Marks must be a number.") from None
    if not marks.is_finite():
        raise ValueError("Marks must be a number.")
    if marks != marks.quantize(Decimal("0.01")):
        raise ValueError("At most two decimals.")
    if marks < 0:
        raise ValueError("Marks cannot be negative.")
    if total is not None and marks > total:
        raise ValueError(f"At most {plain_number(total)}, the total marks.")
    return marks.quantize(Decimal("0.01"))


def _clean_header(*, title, assessment_type, total_marks, assessment_date) -> dict:
    errors: dict[str, list[str]] = {}
    title = (title or "").strip() if isinstance(title, str) else ""
    if not title:
        errors["title"] = ["Give the assessment a title."]
    elif len(title) > MAX_TITLE:
        errors["title"] = [f"At most {MAX_TITLE} characters."]
    if assessment_type not in Assessment.Type.values:
        errors["assessment_type"] = ["Quiz, assignment, project, exam or practical."]
    try:
        total = _parse_marks(total_marks, total=None)
    except ValueError:
        total = None
    if total is None or total <= 0:
        errors["total_marks"] = ["Total marks must be a number more than 0."]
    elif total > MAX_MARKS:
        errors["total_marks"] = [f"At most {plain_number(MAX_MARKS)}."]
    if not isinstance(assessment_date, datetime.date):
        errors["assessment_date"] = ["A date."]
    if errors:
        raise ApplicationError(field_errors=errors)
    return {
        "title": title,
        "assessment_type": assessment_type,
        "total_marks": total,
        "assessment_date": assessment_date,
    }


def _check_date(assessment_date: datetime.date, *, has_marks: bool, year_start=None, year_end=None) -> None:
    if has_marks and assessment_date > timezone.localdate():
        raise ApplicationError(
            field_errors={"assessment_date": ["Marks cannot be entered for a date still to come; leave them pending."]}
        )
    if year_start is not None and not (year_start <= assessment_date <= year_end):
        raise ApplicationError(field_errors={"assessment_date": ["That day is outside the form's academic year."]})


class MarksError(ApplicationError):
    """A whole form's marks refused: `student_errors` maps a student id to its problems (nothing saved)."""

    def __init__(self, student_errors: dict[int, list[str]], names: dict[int, str] | None = None):
        self.student_errors = student_errors
        names = names or {}
        super().__init__(
            field_errors={
                "marks": [
                    f"{names.get(pk, f'Student {pk}')}: {' '.join(messages)}" for pk, messages in student_errors.items()
                ]
            }
        )

    def as_dict(self) -> dict:
        return {"marks": {str(pk): messages for pk, messages in self.student_errors.items()}}


@dataclass
class BulkMarksResult:
    created: int
    updated: int
    unchanged: int
    student_ids: list[int]
    assessments: list[Assessment] = field(default_factory=list)


BAND_FIELDS = ("a_min", "b_min", "c_min", "d_min")


def assessment_bulk_save(
    *,
    actor,
    class_group_id: int,
    subject_id: int,
    title: str,
    assessment_type: str,
    total_marks,
    assessment_date: datetime.date,
    marks: Iterable[dict],
    topic_id: int | None = None,
) -> BulkMarksResult:
    """One assessment for a whole form: a row per active student of the form, with the marks given
    (`marks_obtained` null or left out: pending). All or nothing: any bad mark refuses the save, with
    every student's problems. Saving the same (subject, type, title, date) again updates the rows: the
    marks given, the total, the topic; students left out keep what they had. A mark may carry the
    `version` its row was loaded at: ConflictError when the row was saved since.

    Three queries (plus a read-back on MySQL 8) whatever the form's size: the form's students with
    their stored rows and every form-level figure (the subject, the topic, the grade bands, whether
    the actor may record), the upsert, the audit rows."""
    require_role(actor, *ACADEMIC_RECORDERS)
    header = _clean_header(
        title=title, assessment_type=assessment_type, total_marks=total_marks, assessment_date=assessment_date
    )
    total = header["total_marks"]
    given: dict[int, dict] = {}
    student_errors: dict[int, list[str]] = {}
    problems = []
    for index, item in enumerate(marks or []):
        try:
            pk = int(item.get("student")) if isinstance(item, dict) else None
        except (TypeError, ValueError):
            pk = None
        if pk is None:
            problems.append(f"Item {index + 1}: student must be a student id.")
            continue
        if pk in given or pk in student_errors:
            student_errors.setdefault(pk, []).append("Listed more than once.")
            continue
        try:
            value = _parse_marks(item.get("marks_obtained"), total=total)
        except ValueError as exc:
            student_errors.setdefault(pk, []).append(str(exc))
            continue
        feedback = item.get("feedback")
        if feedback is not None and (not isinstance(feedback, str) or len(feedback) > 2000):
            student_errors.setdefault(pk, []).append("Feedback must be text of at most 2000 characters.")
            continue
        version = item.get("version")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 0):
            student_errors.setdefault(pk, []).append("Version must be a whole number.")
            continue
        given[pk] = {"marks": value, "feedback": feedback, "version": version}
    if problems:
        raise ApplicationError(field_errors={"marks": problems})
    with transaction.atomic():
        result = _bulk_save(
            actor=actor,
            class_group_id=class_group_id,
            subject_id=subject_id,
            topic_id=topic_id,
            header=header,
            given=given,
            student_errors=student_errors,
        )
    if result.student_ids:
        emit_on_commit(
            events.ASSESSMENT_SAVED,
            school_id=actor.school_id,
            student_ids=result.student_ids,
            as_of=timezone.localdate(),
            subject_id=subject_id,
            topic_ids=[topic_id] if topic_id else [],
        )
    return result


def _bulk_save(*, actor, class_group_id, subject_id, topic_id, header, given, student_errors) -> BulkMarksResult:
    school_id = actor.school_id
    bands = GradeBands.objects.filter(school_id=school_id).order_by()
    level = {
        "subject_name": Subquery(
            Subject.objects.filter(pk=subject_id, school_id=school_id, status=Subject.Status.ACTIVE).values("name")[:1]
        ),
        "may_record": may_record(actor, class_group_id=class_group_id, subject_id=subject_id),
        **{f"band_{name}": Subquery(bands.values(name)[:1]) for name in BAND_FIELDS},
    }
    if topic_id is not None:
        level["topic_name"] = Subquery(
            Topic.objects.filter(pk=topic_id, subject_id=subject_id, school_id=school_id).values("name")[:1]
        )
    key = Q(
        assessments__subject_id=subject_id,
        assessments__assessment_type=header["assessment_type"],
        assessments__title=header["title"],
        assessments__assessment_date=header["assessment_date"],
    )
    stored_fields = ("id", "marks_obtained", "total_marks", "topic_id", "feedback", "version", "status", "teacher_id")
    students = (
        Student.objects.filter(class_group_id=class_group_id, class_group__school_id=school_id, status="active")
        .annotate(row=FilteredRelation("assessments", condition=key))
        .annotate(**level)
        .values(
            "id",
            "first_name",
            "last_name",
            "class_group__name",
            "class_group__academic_year__start_date",
            "class_group__academic_year__end_date",
            *(f"row__{name}" for name in stored_fields),
            *level,
        )
        .order_by("last_name", "first_name", "id")
    )
    if connections[Student.objects.db].features.has_select_for_update:
        # Two people saving the same form's marks at once: the second waits, then sees the first's rows.
        students = students.select_for_update()
    # 1: the students, their stored rows and the form-level figures.
    rows = list(students)
    if not rows:
        form = (
            ClassGroup.objects.filter(pk=class_group_id, school_id=school_id).annotate(**level).values(*level).first()
        )
        if form is None:
            raise NotFoundError()
        first = form
    else:
        first = rows[0]
    if first["subject_name"] is None:
        raise ApplicationError(field_errors={"subject": ["Unknown subject, or one no longer taught."]})
    if not first["may_record"]:
        raise PermissionDeniedError("You may enter marks only for your own forms and the subjects you teach.")
    if topic_id is not None and first.get("topic_name") is None:
        raise ApplicationError(field_errors={"topic": [f"Choose a topic of {first['subject_name']}."]})
    names = {row["id"]: f"{row['last_name']}, {row['first_name']}" for row in rows}
    for pk in given.keys() | student_errors.keys():
        if pk not in names:
            student_errors.setdefault(pk, []).append("Not a student of this form.")
    for row in rows:
        expect_version(
            row["row__version"],
            given.get(row["id"], {}).get("version"),
            message=f"The marks of {names[row['id']]} were saved by someone else since you opened them.",
        )
    if student_errors:
        raise MarksError(student_errors, names)
    if rows:
        _check_date(
            header["assessment_date"],
            has_marks=any(item["marks"] is not None for item in given.values()),
            year_start=first["class_group__academic_year__start_date"],
            year_end=first["class_group__academic_year__end_date"],
        )
    band_values = {name: first[f"band_{name}"] for name in BAND_FIELDS}
    grading = GradeBands(**band_values) if band_values["a_min"] is not None else GradeBands()

    now = timezone.now()
    upserts, befores = [], []
    for row in rows:
        item = given.get(row["id"])
        stored = row["row__id"] is not None
        if item is None and stored:
            continue  # left out: keeps what it had
        assessment = Assessment(
            school_id=school_id,
            student_id=row["id"],
            subject_id=subject_id,
            topic_id=topic_id,
            class_group_id=class_group_id,
            teacher_id=actor.pk,
            created_at=now,
            updated_at=now,
            version=(row["row__version"] or 0) + 1,
            status=row["row__status"] or Assessment.Status.PENDING,
            feedback=(item or {}).get("feedback")
            if (item or {}).get("feedback") is not None
            else (row["row__feedback"] or ""),
            **header,
            marks_obtained=(item or {}).get("marks"),
        )
        derive_result(assessment, grading)
        if stored and (
            row["row__marks_obtained"],
            row["row__total_marks"],
            row["row__topic_id"],
            row["row__feedback"],
        ) == (assessment.marks_obtained, assessment.total_marks, assessment.topic_id, assessment.feedback):
            continue
        upserts.append(assessment)
        befores.append(row)
    # 2: the new and changed rows in one upsert.
    bulk_upsert(
        Assessment,
        upserts,
        unique_fields=["student", "subject", "assessment_type", "title", "assessment_date"],
        update_fields=[
            "topic",
            "class_group",
            "total_marks",
            "marks_obtained",
            "percentage",
            "grade",
            "teacher",
            "feedback",
            "status",
            "version",
            "updated_at",
        ],
    )
    # 3: the audit rows.
    audit_rows = []
    for assessment, row in zip(upserts, befores, strict=True):
        if row["row__id"] is not None:
            before = {
                "id": row["row__id"],
                "marks_obtained": _text(row["row__marks_obtained"]),
                "total_marks": _text(row["row__total_marks"]),
                "topic": row["row__topic_id"],
                "feedback": row["row__feedback"],
                "version": row["row__version"],
                "status": row["row__status"],
            }
        else:
            before = None
        audit_rows.append(
            audit.entry(
                actor=actor,
                action="create" if before is None else "update",
                instance=assessment,
                before=before,
                after=audit.snapshot(assessment),
            )
        )
    audit.record_entries(audit_rows)
    created = sum(1 for row in befores if row["row__id"] is None)
    return BulkMarksResult(
        created=created,
        updated=len(befores) - created,
        unchanged=len(rows) - len(befores),
        student_ids=[a.student_id for a in upserts],
        assessments=upserts,
    )


def _text(value) -> str | None:
    return None if value is None else str(value)


@transaction.atomic
def assessment_create(
    *,
    actor,
    student_id: int,
    subject_id: int,
    assessment_type: str,
    title: str,
    total_marks,
    assessment_date: datetime.date,
    marks_obtained=None,
    topic_id: int | None = None,
    feedback: str = "",
) -> Assessment:
    """One student's assessment (pending without marks). The same (student, subject, type, title, date)
    twice is refused: the marks of an existing one are entered through the form's marks sheet."""
    require_role(actor, *ACADEMIC_RECORDERS)
    header = _clean_header(
        title=title, assessment_type=assessment_type, total_marks=total_marks, assessment_date=assessment_date
    )
    try:
        marks = _parse_marks(marks_obtained, total=header["total_marks"])
    except ValueError as exc:
        raise ApplicationError(field_errors={"marks_obtained": [str(exc)]}) from None
    student = (
        Student.objects.for_actor(actor).select_related("class_group__academic_year").filter(pk=student_id).first()
    )
    if student is None:
        raise ApplicationError(field_errors={"student": ["Unknown student."]})
    subject = Subject.objects.for_actor(actor).filter(pk=subject_id, status=Subject.Status.ACTIVE).first()
    if subject is None:
        raise ApplicationError(field_errors={"subject": ["Unknown subject, or one no longer taught."]})
    topic = None
    if topic_id is not None:
        topic = Topic.objects.filter(pk=topic_id, subject=subject).first()
        if topic is None:
            raise ApplicationError(field_errors={"topic": [f"Choose a topic of {subject.name}."]})
    if student.class_group_id is None:
        allowed = actor.role == User.Role.ADMIN
    else:
        allowed = (
            ClassGroup.objects.filter(pk=student.class_group_id)
            .annotate(ok=may_record(actor, class_group_id=student.class_group_id, subject_id=subject.pk))
            .values_list("ok", flat=True)
            .first()
        )
    if not allowed:
        raise PermissionDeniedError("You may enter marks only for your own forms and the subjects you teach.")
    year = student.class_group.academic_year if student.class_group_id else None
    _check_date(
        header["assessment_date"],
        has_marks=marks is not None,
        year_start=year.start_date if year else None,
        year_end=year.end_date if year else None,
    )
    if (feedback or "") and len(feedback) > 2000:
        raise ApplicationError(field_errors={"feedback": ["At most 2000 characters."]})
    assessment = Assessment(
        school_id=student.school_id,
        student=student,
        subject=subject,
        topic=topic,
        class_group_id=student.class_group_id,
        teacher=actor,
        marks_obtained=marks,
        feedback=(feedback or "").strip(),
        **header,
    )
    derive_result(assessment, grade_bands_ensure(school=student.school))
    duplicate = Assessment.objects.filter(
        student=student,
        subject=subject,
        assessment_type=header["assessment_type"],
        title=header["title"],
        assessment_date=header["assessment_date"],
    )
    if duplicate.exists():
        raise ApplicationError(
            field_errors={"title": ["This student already has this assessment on that day; enter its marks instead."]}
        )
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError:
        raise ApplicationError(field_errors={"title": ["This assessment was saved at the same moment."]}) from None
    audit.record_create(actor=actor, instance=assessment)
    emit_on_commit(
        events.ASSESSMENT_SAVED,
        school_id=assessment.school_id,
        student_ids=[student.pk],
        as_of=timezone.localdate(),
        subject_id=subject.pk,
        topic_ids=[topic.pk] if topic else [],
    )
    return assessment


# Subject enrollments: the CSV import ---------------------------------------------------------------

SUBJECTS_COLUMNS = ("student_id", "subject_code", "subject_name", "teacher", "enrollment_date", "status")


class SubjectsImportError(ApplicationError):
    """A subjects CSV that cannot be imported; `lines` lists every problem as (line number, reason)."""

    def __init__(self, lines: list[tuple[int, str]]):
        self.lines = lines
        super().__init__(field_errors={"file": [f"Line {number}: {reason}" for number, reason in lines]})


@dataclass
class SubjectsImportResult:
    enrollments_created: int = 0
    enrollments_updated: int = 0
    unchanged: int = 0
    subjects_created: list[str] = field(default_factory=list)


CORRECTED_BY_ADMINS = "Only an admin corrects an assessment here; teachers use the marks sheet."


def _assessment_changed(assessment: Assessment, before: dict | None = None) -> None:
    # The student's course figures may have moved (both students' and topics', when the admin moved it).
    before = before or {}
    student_ids = sorted({assessment.student_id, before.get("student_id", assessment.student_id)})
    topic_ids = sorted({t for t in (assessment.topic_id, before.get("topic_id")) if t is not None})
    emit_on_commit(
        events.ASSESSMENT_SAVED,
        school_id=assessment.school_id,
        student_ids=student_ids,
        as_of=timezone.localdate(),
        subject_id=assessment.subject_id,
        topic_ids=topic_ids,
    )


@transaction.atomic
def assessment_correct(*, actor, assessment: Assessment, before: dict) -> Assessment:
    """An assessment corrected in Django admin by an admin: its marks from 0 to its total (two decimals at
    most), its percentage, grade and status derived again, audited; the student's risk and topic progress
    react as to marks entered (ASSESSMENT_SAVED)."""
    require_admin(actor, CORRECTED_BY_ADMINS)
    try:
        assessment.marks_obtained = _parse_marks(assessment.marks_obtained, total=assessment.total_marks)
    except ValueError as exc:
        raise ApplicationError(field_errors={"marks_obtained": [str(exc)]}) from None
    derive_result(assessment, grade_bands_ensure(school=assessment.school))
    audited_update(actor=actor, instance=assessment, before=before)
    _assessment_changed(assessment, before)
    return assessment


@transaction.atomic
def assessment_delete(*, actor, assessment: Assessment) -> None:
    """Remove an assessment recorded in error (an admin, in Django admin): audited; the student's risk and
    topic progress react without it."""
    require_admin(actor, CORRECTED_BY_ADMINS)
    audited_delete(actor=actor, instance=assessment)
    _assessment_changed(assessment)


def subjects_import(*, actor, school, text: str) -> SubjectsImportResult:
    """Who takes which subject with which teacher, from a CSV (columns SUBJECTS_COLUMNS; student_id and
    subject_code required): all lines or none. A subject code unknown in the school is created when the
    line names the subject (subject_name); teacher is a staff username of the school (blank: none);
    enrollment_date YYYY-MM-DD (blank: today); status active, completed or dropped (blank: active).
    An existing (student, subject) enrollment is updated. Every bad line is reported with its number."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in ("student_id", "subject_code") if name not in (reader.fieldnames or [])]
    if missing:
        raise SubjectsImportError([(1, f"missing column(s): {', '.join(missing)}")])
    students = {s.student_id.casefold(): s for s in Student.objects.filter(school=school)}
    subjects = {s.code: s for s in Subject.objects.filter(school=school)}
    staff = {u.username.casefold(): u for u in User.objects.filter(school=school, is_active=True)}
    today = timezone.localdate()
    problems: list[tuple[int, str]] = []
    rows, new_subjects = [], {}
    for line, raw in enumerate(reader, start=2):
        raw = {key: (value or "").strip() for key, value in raw.items() if key}
        errors = []
        student = students.get(raw.get("student_id", "").casefold())
        if not raw.get("student_id"):
            errors.append("student_id is required")
        elif student is None:
            errors.append(f"no student {raw['student_id']!r} in the school")
        code = raw.get("subject_code", "").upper()
        if not code:
            errors.append("subject_code is required")
        elif code not in subjects and code not in new_subjects:
            name = raw.get("subject_name", "")
            if not name:
                errors.append(f"unknown subject {code!r}: give subject_name to create it")
            elif len(name) > 100 or len(code) > 20:
                errors.append("subject_name at most 100 characters, subject_code at most 20")
            else:
                new_subjects[code] = name
        teacher = None
        if raw.get("teacher"):
            teacher = staff.get(raw["teacher"].casefold())
            if teacher is None:
                errors.append(f"no staff member {raw['teacher']!r} in the school")
        day = today
        if raw.get("enrollment_date"):
            try:
                day = datetime.date.fromisoformat(raw["enrollment_date"])
            except ValueError:
                errors.append("enrollment_date must be YYYY-MM-DD")
        status = raw.get("status") or SubjectEnrollment.Status.ACTIVE
        if status not in SubjectEnrollment.Status.values:
            errors.append("status must be active, completed or dropped")
        if errors:
            problems.append((line, "; ".join(errors)))
        else:
            rows.append((line, student, code, teacher, day, status))
    seen: dict[tuple[int, str], int] = {}
    for line, student, code, *_ in rows:
        if (student.pk, code) in seen:
            problems.append((line, f"repeats line {seen[(student.pk, code)]} (same student and subject)"))
        seen.setdefault((student.pk, code), line)
    if problems:
        raise SubjectsImportError(sorted(problems))
    if not rows:
        raise SubjectsImportError([(1, "the file has no enrollments")])
    try:
        return _write_subjects(actor=actor, school=school, rows=rows, subjects=subjects, new_subjects=new_subjects)
    except IntegrityError:
        raise SubjectsImportError(
            [(1, "a subject or enrollment was saved by someone else at the same moment")]
        ) from None


@transaction.atomic
def _write_subjects(*, actor, school, rows, subjects, new_subjects) -> SubjectsImportResult:
    """The lines' enrollments written in one upsert (per batch), and their audit rows in one insert: the
    same handful of queries for a file of any length (each new subject adds its row and audit row)."""
    result = SubjectsImportResult()
    actor = actor if actor is not None and actor.is_authenticated else None
    for code, name in sorted(new_subjects.items()):
        subject = Subject.objects.create(school=school, code=code, name=name)
        audit.record_create(actor=actor, instance=subject)
        subjects[code] = subject
        result.subjects_created.append(code)
    stored = {
        (e.student_id, e.subject_id): e
        for e in SubjectEnrollment.objects.filter(
            school=school, student_id__in=[r[1].pk for r in rows], subject__in=[subjects[r[2]] for r in rows]
        )
    }
    written, befores = [], {}
    for _line, student, code, teacher, day, status in rows:
        subject = subjects[code]
        enrollment = stored.get((student.pk, subject.pk))
        before = None
        if enrollment is None:
            enrollment = SubjectEnrollment(school=school, student=student, subject=subject)
        else:
            befores[(student.pk, subject.pk)] = before = audit.snapshot(enrollment)
        enrollment.teacher, enrollment.enrollment_date, enrollment.status = teacher, day, status
        if before is not None and audit.snapshot(enrollment) == before:
            result.unchanged += 1
            continue
        written.append(enrollment)
    if not written:
        return result
    bulk_upsert(
        SubjectEnrollment,
        written,
        unique_fields=["student", "subject"],
        update_fields=["teacher", "enrollment_date", "status"],
        batch_size=500,
    )
    now = timezone.now()
    entries = []
    for enrollment in written:
        before = befores.get((enrollment.student_id, enrollment.subject_id))
        action = "create" if before is None else "update"
        entries.append(
            audit.entry(
                actor=actor,
                action=action,
                instance=enrollment,
                before=before,
                after=audit.snapshot(enrollment),
                created_at=now,
            )
        )
        if before is None:
            result.enrollments_created += 1
        else:
            result.enrollments_updated += 1
    audit.record_entries(entries, batch_size=500)
    return result
