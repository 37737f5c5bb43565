"""Demo lessons: a term of maths and science lessons for the first two forms, taught by the demo
teacher, topics in syllabus order, attendance consistent with the morning register, understanding
ratings, and one student per form who skips lessons after registration lately (a missed-lessons alert).
Topic progress is then computed from them by its rule."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from attendance.lessons.models import Lesson, LessonAttendance, LessonTopic
from attendance.models import AttendanceRecord
from core import audit
from core.demo import DemoSchool, demo_step
from students.academics import progress
from students.academics.models import Subject, Topic
from students.models import ClassGroup, Student

# (subject code, period start, weekdays it is taught on: Monday 0 … Friday 4)
TIMETABLE = [("MATH", datetime.time(9, 20), (0, 1, 2, 3)), ("SCI", datetime.time(11, 20), (1, 3, 4))]
LESSONS_PER_TOPIC = 3


@demo_step(order=25, name="a term of lessons")
def seed_lessons(demo: DemoSchool) -> None:
    school, year = demo.school, demo.extra.get("academic_year")
    if year is None or Lesson.objects.filter(school=school).exists():
        return
    subjects = {s.code: s for s in Subject.objects.filter(school=school, code__in=[t[0] for t in TIMETABLE])}
    forms = list(ClassGroup.objects.filter(academic_year=year).order_by("grade_level", "name")[:2])
    if len(subjects) < len(TIMETABLE) or not forms:
        return
    teacher = demo.users["teacher"]
    register = {
        (student_id, day): status
        for student_id, day, status in AttendanceRecord.objects.filter(
            school=school, student__class_group__in=forms
        ).values_list("student_id", "date", "status")
    }
    days = sorted({day for _, day in register})
    if not days:
        return
    recent = set(days[-8:])
    rng = random.Random(f"lessons-{school.code}")
    topics = {code: list(Topic.objects.filter(subject=s).order_by("order_index")) for code, s in subjects.items()}
    pupils = {
        f.pk: list(Student.objects.filter(class_group=f, status=Student.Status.ACTIVE).order_by("pk")) for f in forms
    }
    now = timezone.now()
    lessons, plans = [], []
    for form in forms:
        # The fourth student skips a lesson every other day lately, though registered present.
        skipper = pupils[form.pk][3] if len(pupils[form.pk]) > 3 else None
        for code, start, weekdays in TIMETABLE:
            taught = 0
            for day in days:
                if day.weekday() not in weekdays:
                    continue
                lesson = Lesson(
                    school=school,
                    class_group=form,
                    subject=subjects[code],
                    teacher=teacher,
                    date=day,
                    start_time=start,
                    recorded_at=timezone.make_aware(datetime.datetime.combine(day, start)),
                )
                syllabus = topics[code]
                topic = syllabus[min(len(syllabus) - 1, taught // LESSONS_PER_TOPIC)] if syllabus else None
                lessons.append(lesson)
                plans.append((lesson, topic, form, skipper, day))
                taught += 1
    Lesson.objects.bulk_create(lessons, batch_size=1000)
    stored = {
        (l.class_group_id, l.subject_id, l.date, l.start_time): l.pk
        for l in Lesson.objects.filter(school=school)  # noqa: E741
    }
    links, marks = [], []
    for lesson, topic, form, skipper, day in plans:
        lesson.pk = stored[(form.pk, lesson.subject_id, day, lesson.start_time)]
        if topic is not None:
            links.append(LessonTopic(school=school, lesson_id=lesson.pk, topic=topic))
        for student in pupils[form.pk]:
            at_register = register.get((student.pk, day))
            status, understanding = "present", None
            if (
                at_register in ("absent", "excused")
                or student == skipper
                and day in recent
                and day.toordinal() % 2 == 0
            ):
                status = "absent"
            elif at_register == "late" and lesson.start_time.hour < 10:
                status = "late"
            if status != "absent" and rng.random() < 0.5:
                understanding = max(1, min(5, round(rng.gauss(3.4, 1))))
            marks.append(
                LessonAttendance(
                    school=school,
                    lesson_id=lesson.pk,
                    student=student,
                    date=day,
                    status=status,
                    understanding=understanding,
                )
            )
    LessonTopic.objects.bulk_create(links, batch_size=2000)
    LessonAttendance.objects.bulk_create(marks, batch_size=2000)
    audit.record_created_rows(Lesson.objects.filter(school=school).order_by("pk").iterator(chunk_size=2000))
    audit.record_created_rows(LessonTopic.objects.filter(school=school).order_by("pk").iterator(chunk_size=2000))
    audit.record_created_rows(LessonAttendance.objects.filter(school=school).order_by("pk").iterator(chunk_size=2000))
    written = 0
    for form in forms:
        ids = [s.pk for s in pupils[form.pk]]
        for code in subjects:
            written += progress.refresh_topic_progress(
                school_id=school.pk, student_ids=ids, topic_ids=[t.pk for t in topics[code]]
            )
    demo.log(
        f"{school.code}: {len(lessons)} lessons for {', '.join(f.name for f in forms)}, "
        f"{len(marks)} lesson attendance rows, {written} topic progress rows (now {now:%H:%M})"
    )
