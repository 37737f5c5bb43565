"""The risk level's reactions to other apps' events: the touched students are computed again once the
write that touched them has committed."""

from __future__ import annotations

import datetime

from attendance import events as attendance_events
from core.listeners import listens_to
from interventions.risk.services import refresh_risk_for_students
from students.behaviour import events as behaviour_events


@listens_to(attendance_events.REGISTER_SAVED, order=20)
def refresh_risk_after_register(*, school_id: int, student_ids: list[int], as_of: datetime.date, **_) -> None:
    refresh_risk_for_students(school_id=school_id, student_ids=student_ids, as_of=as_of)


@listens_to(behaviour_events.BEHAVIOUR_SAVED, order=20)
def refresh_risk_after_behaviour(*, school_id: int, student_ids: list[int], as_of: datetime.date, **_) -> None:
    refresh_risk_for_students(school_id=school_id, student_ids=student_ids, as_of=as_of)


# A lesson's attendance or an assessment's marks saved: the events of attendance.lessons and
# students.academics, by their names (constants in those apps' events.py), with the same payload.
LESSON_SAVED = "attendance.lesson_saved"
ASSESSMENT_SAVED = "students.assessment_saved"


@listens_to(LESSON_SAVED, order=20)
@listens_to(ASSESSMENT_SAVED, order=20)
def refresh_risk_after_lesson_or_assessment(*, school_id: int, student_ids: list[int], as_of=None, **_) -> None:
    refresh_risk_for_students(school_id=school_id, student_ids=student_ids, as_of=as_of)
