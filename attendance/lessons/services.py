"""Saving a lesson: its topics and every student's attendance in one request, in at most six queries
whatever the form's size, audited, idempotent per (form, subject, date, start time)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Aggregate, CharField, Count, FilteredRelation, Q, Subquery, Value
from django.utils import timezone

from attendance.lessons import events
from attendance.lessons.models import Lesson, LessonAttendance, LessonTopic
from attendance.selectors import holiday_named
from attendance.services import check_register_date
from core import audit
from core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from core.listeners import emit_on_commit
from core.locking import expect_version, versioned_update
from core.permissions import ACADEMIC_RECORDERS, require_admin, require_role
from core.services import audited_delete, bulk_upsert
from students.academics.access import may_record
from students.academics.models import Subject, Topic
from students.models import ClassGroup, Student

Status = LessonAttendance.Status
MAX_NOTES = 255


class GroupConcat(Aggregate):
    """GROUP_CONCAT(x): comma-separated, on SQLite and MySQL/MariaDB alike (their default separator)."""

    function = "GROUP_CONCAT"
    output_field = CharField()


@dataclass
class LessonSaveResult:
    lesson: Lesson
    created: bool
    records_created: int
    records_updated: int
    records_unchanged: int
    student_ids: list[int]
    topic_ids: list[int]
    topics_added: list[int] = field(default_factory=list)
    topics_removed: list[int] = field(default_factory=list)


def _clean_records(records: Iterable[dict]) -> dict[int, tuple[str, int | None, str]]:
    """{student id: (status, understanding, notes)}; every problem reported against `records`."""
    cleaned: dict[int, tuple[str, int | None, str]] = {}
    problems = []
    for index, item in enumerate(records):
        if not isinstance(item, dict):
            problems.append(f"Item {index + 1}: must be an object with student and status.")
            continue
        try:
            student = int(item.get("student"))
        except (TypeError, ValueError):
            problems.append(f"Item {index + 1}: student must be a student id.")
            continue
        status = item.get("status") or Status.PRESENT
        if status not in Status.values:
            problems.append(f"Item {index + 1}: unknown status {status!r} (present, absent or late).")
            continue
        understanding = item.get("understanding")
        if understanding in ("", None):
            understanding = None
        else:
            try:
                understanding = int(understanding)
            except (TypeError, ValueError):
                understanding = 0
            if not 1 <= understanding <= 5:
                problems.append(f"Item {index + 1}: understanding must be 1 to 5, or left out.")
                continue
        notes = item.get("notes") or ""
        if not isinstance(notes, str) or len(notes.strip()) > MAX_NOTES:
            problems.append(f"Item {index + 1}: notes must be text of at most {MAX_NOTES} characters.")
            continue
        if student in cleaned:
            problems.append(f"Item {index + 1}: student {student} appears more than once.")
            continue
        # An absent student was not there to understand anything.
        cleaned[student] = (status, None if status == Status.ABSENT else understanding, notes.strip())
    if problems:
        raise ApplicationError(field_errors={"records": problems})
    return cleaned


def _clean_topic_ids(topic_ids) -> list[int]:
    try:
        cleaned = sorted({int(pk) for pk in topic_ids or []})
    except (TypeError, ValueError):
        raise ApplicationError(field_errors={"topics": ["Topics must be topic ids."]}) from None
    return cleaned


def lesson_save(
    *,
    actor,
    class_group_id: int,
    subject_id: int,
    date: datetime.date,
    start_time: datetime.time,
    topic_ids: Iterable[int] = (),
    records: Iterable[dict] = (),
    expected_version: int | None = None,
) -> LessonSaveResult:
    """Write the lesson of (form, subject, date, start time) with the topics it covered and every active
    student's attendance: present unless `records` says otherwise. Saving it again updates it (who
    recorded it, the topics, the changed records); unchanged records are not written.

    `expected_version` is the lesson version the client loaded (0: none yet); when the lesson was saved
    since, ConflictError and nothing is written. After the commit LESSON_SAVED is emitted (the alerts
    and risk levels of the form's students, the progress in the topics)."""
    require_role(actor, *ACADEMIC_RECORDERS)
    cleaned = _clean_records(records)
    topic_ids = _clean_topic_ids(topic_ids)
    start_time = start_time.replace(second=0, microsecond=0)
    try:
        result = _lesson_save(
            actor=actor,
            class_group_id=class_group_id,
            subject_id=subject_id,
            date=date,
            start_time=start_time,
            topic_ids=topic_ids,
            cleaned=cleaned,
            expected_version=expected_version,
        )
    except IntegrityError:
        # The same lesson (or one of its rows) was created by someone else between our read and write.
        current = (
            Lesson.objects.filter(
                class_group_id=class_group_id, subject_id=subject_id, date=date, start_time=start_time
            )
            .values_list("version", flat=True)
            .first()
        )
        raise ConflictError(
            current_version=current, message="This lesson was saved by someone else at the same moment."
        ) from None
    lesson = result.lesson
    emit_on_commit(
        events.LESSON_SAVED,
        school_id=lesson.school_id,
        student_ids=result.student_ids,
        as_of=timezone.localdate(),
        lesson_id=lesson.pk,
        subject_id=lesson.subject_id,
        topic_ids=sorted(set(result.topic_ids) | set(result.topics_removed)),
    )
    return result


def _form_level(*, actor, class_group_id, subject_id, date, start_time, topic_ids) -> dict:
    """The annotations that say everything about the lesson beside its students, computed once in the
    query that reads the students: the stored lesson (id, version, topics), the subject, whether the
    topics are the subject's, whether the actor may record it, the holiday of the day."""
    school_id = actor.school_id
    key = Lesson.objects.filter(
        school_id=school_id, class_group_id=class_group_id, subject_id=subject_id, date=date, start_time=start_time
    ).order_by()
    lesson_pk = Subquery(key.values("pk")[:1])
    annotations = {
        "lesson_pk": lesson_pk,
        "lesson_version": Subquery(key.values("version")[:1]),
        "lesson_topics": Subquery(
            LessonTopic.objects.filter(lesson_id=lesson_pk)
            .order_by()
            .values("lesson_id")
            .annotate(ids=GroupConcat("topic_id"))
            .values("ids")
        ),
        "subject_name": Subquery(
            Subject.objects.filter(pk=subject_id, school_id=school_id, status=Subject.Status.ACTIVE).values("name")[:1]
        ),
        "may_record": may_record(actor, class_group_id=class_group_id, subject_id=subject_id),
        "holiday": holiday_named(school_id=school_id, date=date),
    }
    if topic_ids:
        annotations["known_topics"] = Subquery(
            Topic.objects.filter(school_id=school_id, subject_id=subject_id, pk__in=topic_ids)
            .order_by()
            .values("subject_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
    else:
        annotations["known_topics"] = Value(0)
    return annotations


FORM_FIELDS = ("name", "school_id", "academic_year__start_date", "academic_year__end_date")


@transaction.atomic
def _lesson_save(
    *, actor, class_group_id, subject_id, date, start_time, topic_ids, cleaned, expected_version
) -> LessonSaveResult:
    school_id = actor.school_id
    level = _form_level(
        actor=actor,
        class_group_id=class_group_id,
        subject_id=subject_id,
        date=date,
        start_time=start_time,
        topic_ids=topic_ids,
    )
    # 1: the form's active students with their attendance at the stored lesson, each row carrying the
    # form-level figures. A form without active students is read on its own (no records to write then).
    rows = list(
        Student.objects.filter(class_group_id=class_group_id, class_group__school_id=school_id, status="active")
        .annotate(
            mark=FilteredRelation("lesson_attendance", condition=Q(lesson_attendance__lesson_id=level["lesson_pk"]))
        )
        .annotate(**level)
        .values(
            "id",
            "mark__id",
            "mark__status",
            "mark__understanding",
            "mark__notes",
            *(f"class_group__{name}" for name in FORM_FIELDS),
            *level,
        )
        .order_by("last_name", "first_name", "id")
    )
    if rows:
        form = {name: rows[0][f"class_group__{name}"] for name in FORM_FIELDS} | {key: rows[0][key] for key in level}
    else:
        form = (
            ClassGroup.objects.filter(pk=class_group_id, school_id=school_id)
            .annotate(**level)
            .values(*FORM_FIELDS, *level)
            .first()
        )
        if form is None:
            raise NotFoundError()
    if form["subject_name"] is None:
        raise ApplicationError(field_errors={"subject": ["Unknown subject, or one no longer taught."]})
    if not form["may_record"]:
        raise PermissionDeniedError("You may record lessons only for your own forms and the subjects you teach.")
    if len(topic_ids) != (form["known_topics"] or 0):
        raise ApplicationError(field_errors={"topics": [f"Choose topics of {form['subject_name']}."]})
    check_register_date(
        date=date,
        year_start=form["academic_year__start_date"],
        year_end=form["academic_year__end_date"],
        holiday=form["holiday"],
    )
    students = {row["id"]: row for row in rows}
    strangers = sorted(set(cleaned) - set(students))
    if strangers:
        raise ApplicationError(
            field_errors={"records": [f"Student {pk} is not in {form['name']}." for pk in strangers]}
        )
    expect_version(
        form["lesson_version"], expected_version, message="This lesson was saved by someone else since you opened it."
    )

    now = timezone.now()
    previous_topics = sorted(int(pk) for pk in (form["lesson_topics"] or "").split(",") if pk)
    # 2: the lesson row: who recorded it and when (a conditional UPDATE keeps two saves apart).
    if form["lesson_pk"] is None:
        lesson = Lesson.objects.create(
            school_id=school_id,
            class_group_id=class_group_id,
            subject_id=subject_id,
            teacher=actor,
            date=date,
            start_time=start_time,
            recorded_at=now,
        )
        before = None
    else:
        lesson = Lesson(
            pk=form["lesson_pk"],
            school_id=school_id,
            class_group_id=class_group_id,
            subject_id=subject_id,
            teacher=actor,
            date=date,
            start_time=start_time,
            recorded_at=now,
            version=form["lesson_version"],
        )
        before = {"version": form["lesson_version"], "topics": previous_topics}
        versioned_update(
            lesson,
            version=form["lesson_version"],
            fields=["teacher", "recorded_at"],
            message="This lesson was saved by someone else at the same moment.",
        )

    # 3–4: the topics, as a change against what was stored (nothing written when unchanged).
    added = sorted(set(topic_ids) - set(previous_topics))
    removed = sorted(set(previous_topics) - set(topic_ids))
    if removed:
        LessonTopic.objects.filter(lesson=lesson, topic_id__in=removed).delete()
    if added:
        LessonTopic.objects.bulk_create([LessonTopic(school_id=school_id, lesson=lesson, topic_id=pk) for pk in added])

    # 5: the attendance that is new or changed, in one upsert.
    upserts, befores = [], []
    for pk, row in students.items():
        status, understanding, notes = cleaned.get(pk, (Status.PRESENT, None, ""))
        if row["mark__id"] is not None and (row["mark__status"], row["mark__understanding"], row["mark__notes"]) == (
            status,
            understanding,
            notes,
        ):
            continue
        upserts.append(
            LessonAttendance(
                school_id=school_id,
                lesson=lesson,
                student_id=pk,
                date=date,
                status=status,
                understanding=understanding,
                notes=notes,
            )
        )
        befores.append(row)
    bulk_upsert(
        LessonAttendance,
        upserts,
        unique_fields=["lesson", "student"],
        update_fields=["status", "understanding", "notes"],
    )

    # 6: the audit rows: one per attendance row written and the lesson's own.
    ip = audit.current_ip.get()
    audit_rows = []
    for record, row in zip(upserts, befores, strict=True):
        previous = None
        if row["mark__id"] is not None:
            previous = {
                "id": row["mark__id"],
                "status": row["mark__status"],
                "understanding": row["mark__understanding"],
                "notes": row["mark__notes"],
            }
        audit_rows.append(
            audit.entry(
                school_id=school_id,
                actor=actor,
                action="create" if previous is None else "update",
                entity_type=audit.entity_type_of(LessonAttendance),
                entity_id=record.pk,
                before=previous,
                after={
                    "id": record.pk,
                    "lesson": lesson.pk,
                    "student": row["id"],
                    "date": date.isoformat(),
                    "status": record.status,
                    "understanding": record.understanding,
                    "notes": record.notes,
                },
                ip=ip,
                created_at=now,
            )
        )
    records_created = sum(1 for row in befores if row["mark__id"] is None)
    records_updated = len(befores) - records_created
    audit_rows.append(
        audit.entry(
            school_id=school_id,
            actor=actor,
            action="create" if before is None else "update",
            instance=lesson,
            before=before,
            after={
                **audit.snapshot(lesson),
                "topics": topic_ids,
                "records_created": records_created,
                "records_updated": records_updated,
            },
            ip=ip,
            created_at=now,
        )
    )
    audit.record_entries(audit_rows)
    return LessonSaveResult(
        lesson=lesson,
        created=before is None,
        records_created=records_created,
        records_updated=records_updated,
        records_unchanged=len(students) - len(befores),
        student_ids=list(students),
        topic_ids=topic_ids,
        topics_added=added,
        topics_removed=removed,
    )


@transaction.atomic
def lesson_delete(*, actor, lesson: Lesson) -> None:
    """Remove a lesson recorded in error (an admin, in Django admin), with its attendance and topics:
    audited row by row; afterwards the students it marked have their alerts, risk and topic progress
    looked at again without it (LESSON_SAVED, as a save would)."""
    require_admin(actor, "Only an admin removes a recorded lesson.")
    student_ids = sorted(LessonAttendance.objects.filter(lesson=lesson).values_list("student_id", flat=True))
    topic_ids = sorted(LessonTopic.objects.filter(lesson=lesson).values_list("topic_id", flat=True))
    lesson_id = lesson.pk
    audited_delete(actor=actor, instance=lesson)
    emit_on_commit(
        events.LESSON_SAVED,
        school_id=lesson.school_id,
        student_ids=student_ids,
        as_of=timezone.localdate(),
        lesson_id=lesson_id,
        subject_id=lesson.subject_id,
        topic_ids=topic_ids,
    )
