"""Reads of lessons: lists with their topics and attendance, and what the lesson page shows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import FilteredRelation, Prefetch, Q, QuerySet

from attendance.lessons.models import Lesson, LessonAttendance, LessonTopic
from attendance.selectors import holiday_named, holiday_on
from students.academics.models import Subject, Topic
from students.models import ClassGroup, Student

# The school day's periods, offered on the lesson page (the API takes any start time).
PERIODS = [
    (datetime.time(8, 30), "Period 1"),
    (datetime.time(9, 20), "Period 2"),
    (datetime.time(10, 30), "Period 3"),
    (datetime.time(11, 20), "Period 4"),
    (datetime.time(13, 0), "Period 5"),
    (datetime.time(13, 50), "Period 6"),
    (datetime.time(14, 40), "Period 7"),
]


def lesson_list(
    *,
    actor,
    class_group: int | None = None,
    subject: int | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[Lesson]:
    """The school's lessons, newest first, with their topics and attendance (three queries a page)."""
    queryset = Lesson.objects.for_actor(actor).prefetch_related(
        Prefetch("lesson_topics", queryset=LessonTopic.objects.order_by("topic_id")),
        Prefetch("attendance", queryset=LessonAttendance.objects.order_by("student_id")),
    )
    if class_group is not None:
        queryset = queryset.filter(class_group_id=class_group)
    if subject is not None:
        queryset = queryset.filter(subject_id=subject)
    if start is not None:
        queryset = queryset.filter(date__gte=start)
    if end is not None:
        queryset = queryset.filter(date__lte=end)
    return queryset.order_by("-date", "-start_time", "id")


@dataclass
class LessonLine:
    student: Student
    status: str
    understanding: int | None
    notes: str


@dataclass
class LessonSheet:
    class_group: ClassGroup
    subject: Subject
    date: datetime.date
    start_time: datetime.time
    lesson: Lesson | None
    lines: list[LessonLine]
    topics: list[Topic]
    covered: set[int]
    suggested: set[int]
    holiday: str | None = None  # the school's holiday on that day, if it is one

    @property
    def version(self) -> int:
        return self.lesson.version if self.lesson else 0

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(LessonAttendance.Status.values, 0)
        for line in self.lines:
            counts[line.status] += 1
        return counts


def lesson_sheet(
    *, class_group: ClassGroup, subject: Subject, date: datetime.date, start_time: datetime.time, suggest: int = 2
) -> LessonSheet:
    """The lesson of (form, subject, date, period) as stored, or everyone present when it is new, with
    the subject's topics. When nothing is covered yet, the next `suggest` topics are suggested: those
    after the furthest topic (by order_index) already covered with this form. Five queries; the school's
    holiday on that day comes with the students (a sixth query for a form without any)."""
    lesson = (
        Lesson.objects.select_related("teacher")
        .filter(class_group=class_group, subject=subject, date=date, start_time=start_time)
        .first()
    )
    condition = Q(lesson_attendance__lesson_id=lesson.pk if lesson else 0)
    rows = (
        Student.objects.filter(class_group=class_group, status=Student.Status.ACTIVE)
        .annotate(
            mark=FilteredRelation("lesson_attendance", condition=condition),
            holiday=holiday_named(school_id=class_group.school_id, date=date),
        )
        .values(
            "id",
            "student_id",
            "first_name",
            "last_name",
            "mark__status",
            "mark__understanding",
            "mark__notes",
            "holiday",
        )
        .order_by("last_name", "first_name", "id")
    )
    rows = list(rows)
    lines = [
        LessonLine(
            student=Student(
                pk=row["id"], student_id=row["student_id"], first_name=row["first_name"], last_name=row["last_name"]
            ),
            status=row["mark__status"] or LessonAttendance.Status.PRESENT,
            understanding=row["mark__understanding"],
            notes=row["mark__notes"] or "",
        )
        for row in rows
    ]
    topics = list(Topic.objects.filter(subject=subject).order_by("order_index", "id"))
    covered = set(LessonTopic.objects.filter(lesson=lesson).values_list("topic_id", flat=True)) if lesson else set()
    suggested: set[int] = set()
    if not covered:
        taught = set(
            LessonTopic.objects.filter(lesson__class_group=class_group, lesson__subject=subject).values_list(
                "topic_id", flat=True
            )
        )
        furthest = max((t.order_index for t in topics if t.pk in taught), default=None)
        upcoming = [t for t in topics if t.pk not in taught and (furthest is None or t.order_index > furthest)]
        suggested = {t.pk for t in upcoming[:suggest]}
    return LessonSheet(
        holiday=rows[0]["holiday"] if rows else holiday_on(school_id=class_group.school_id, date=date),
        class_group=class_group,
        subject=subject,
        date=date,
        start_time=start_time,
        lesson=lesson,
        lines=lines,
        topics=topics,
        covered=covered,
        suggested=suggested,
    )


def recent_lessons(*, actor, limit: int = 10) -> list[Lesson]:
    """The latest lessons recorded by the actor (admins: the school's). One query."""
    queryset = Lesson.objects.for_actor(actor).select_related("class_group", "subject")
    if actor.role != "admin":
        queryset = queryset.filter(teacher=actor)
    return list(queryset.order_by("-date", "-start_time")[:limit])
