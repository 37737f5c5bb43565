"""The lessons' own reactions: topic progress from lesson understanding (students.academics.progress)."""

from __future__ import annotations

from attendance.lessons import events
from attendance.lessons.models import LessonAttendance
from core.listeners import listens_to
from students.academics import progress


@progress.evidence_source
def lesson_evidence(*, school_id: int, student_ids: list[int], topic_ids: list[int]):
    """Each lesson covering one of the topics that the student attended (present or late)."""
    rows = (
        LessonAttendance.objects.filter(
            school_id=school_id,
            student_id__in=student_ids,
            status__in=[LessonAttendance.Status.PRESENT, LessonAttendance.Status.LATE],
            lesson__lesson_topics__topic_id__in=topic_ids,
        )
        .values_list("student_id", "lesson__lesson_topics__topic_id", "date", "understanding")
        .order_by()
    )
    for student_id, topic_id, day, understanding in rows:
        yield student_id, topic_id, progress.Evidence(date=day, order=0, level=understanding)


@listens_to(events.LESSON_SAVED, order=20)
def refresh_topic_progress_after_lesson(*, school_id: int, student_ids, topic_ids, **_) -> None:
    progress.refresh_topic_progress(school_id=school_id, student_ids=student_ids, topic_ids=topic_ids)
