"""The risk level's reactions to other apps' events: the touched students are computed again once the
write that touched them has committed."""

from __future__ import annotations

import datetime

from attendance import events as attendance_events
from attendance.lessons import events as lesson_events
from core.listeners import listens_to
from interventions.risk.services import refresh_risk_for_students
from students.academics import events as academics_events
from students.behaviour import events as behaviour_events


@listens_to(attendance_events.REGISTER_SAVED, order=20)
@listens_to(attendance_events.HOLIDAYS_CHANGED, order=20)
def refresh_risk_after_register(*, school_id: int, student_ids: list[int], as_of: datetime.date, **_) -> None:
    refresh_risk_for_students(school_id=school_id, student_ids=student_ids, as_of=as_of)


@listens_to(behaviour_events.BEHAVIOUR_SAVED, order=20)
def refresh_risk_after_behaviour(*, school_id: int, student_ids: list[int], as_of: datetime.date, **_) -> None:
    refresh_risk_for_students(school_id=school_id, student_ids=student_ids, as_of=as_of)


@listens_to(lesson_events.LESSON_SAVED, order=20)
@listens_to(academics_events.ASSESSMENT_SAVED, order=20)
def refresh_risk_after_lesson_or_assessment(*, school_id: int, student_ids: list[int], as_of=None, **_) -> None:
    """A lesson's attendance or a form's marks saved: the course (and lesson) figures may have moved."""
    refresh_risk_for_students(school_id=school_id, student_ids=student_ids, as_of=as_of)
