"""The academic records' own reactions: topic progress from topic-tagged assessments."""

from __future__ import annotations

from core.listeners import listens_to
from students.academics import events, progress


@listens_to(events.ASSESSMENT_SAVED, order=20)
def refresh_topic_progress_after_assessments(*, school_id: int, student_ids, topic_ids=(), **_) -> None:
    progress.refresh_topic_progress(school_id=school_id, student_ids=student_ids, topic_ids=topic_ids)
