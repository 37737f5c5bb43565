"""The alerts' reactions to other apps' events."""

from __future__ import annotations

import datetime

from attendance import events as attendance_events
from attendance.lessons import events as lesson_events
from core.listeners import listens_to
from core.models import School
from interventions.alerts.services import refresh_alerts_for_students
from students.behaviour import events as behaviour_events


@listens_to(attendance_events.REGISTER_SAVED, order=10)
@listens_to(attendance_events.HOLIDAYS_CHANGED, order=10)
def refresh_alerts_after_register(*, school_id: int, student_ids: list[int], as_of: datetime.date, **_) -> None:
    """After a register is committed, the early-warning rules look at the form's students again (after
    a change of the school's holidays, at all its students)."""
    refresh_alerts_for_students(school=School.objects.get(pk=school_id), student_ids=student_ids, as_of=as_of)


@listens_to(lesson_events.LESSON_SAVED, order=10)
def refresh_alerts_after_lesson(*, school_id: int, student_ids: list[int], as_of: datetime.date, **_) -> None:
    """After a lesson's attendance is committed, the rules (missed lessons among them) look again."""
    refresh_alerts_for_students(school=School.objects.get(pk=school_id), student_ids=student_ids, as_of=as_of)


@listens_to(behaviour_events.BEHAVIOUR_SAVED, order=10)
def refresh_alerts_after_behaviour(*, school_id: int, student_ids: list[int], as_of: datetime.date, **_) -> None:
    """A penalty logged or an appeal decided may bring a student to (or back under) the letter threshold."""
    refresh_alerts_for_students(school=School.objects.get(pk=school_id), student_ids=student_ids, as_of=as_of)
