"""Building attendance and behaviour for risk tests on dates valid whatever day the suite runs."""

import datetime

from django.utils import timezone

from attendance.models import AttendanceRecord
from students.behaviour.models import BehaviourRecord
from students.tests.fixtures import last_school_weekday


def school_days_back(count: int, end: datetime.date | None = None) -> list[datetime.date]:
    """`count` weekdays ending at `end` (the last school weekday by default), oldest first."""
    day = last_school_weekday(end)
    days = []
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= datetime.timedelta(days=1)
    return list(reversed(days))


def mark(student, statuses: list[str], end: datetime.date | None = None) -> list[datetime.date]:
    """One record per school day, oldest first, ending at `end`: `statuses` in that order."""
    days = school_days_back(len(statuses), end)
    AttendanceRecord.objects.bulk_create(
        [
            AttendanceRecord(
                school_id=student.school_id, student=student, date=day, status=status, marked_at=timezone.now()
            )
            for day, status in zip(days, statuses, strict=True)
        ]
    )
    return days


def attendance(student, *, attended: int, marked: int, end=None):
    """`marked` days of which the first `attended` present and the rest absent (absences most recent)."""
    return mark(student, ["present"] * attended + ["absent"] * (marked - attended), end)


def penalties(student, count: int, *, by, days_ago_school: int = 0, **fields):
    day = school_days_back(days_ago_school + 1)[0]
    return BehaviourRecord.objects.bulk_create(
        [
            BehaviourRecord(
                school_id=student.school_id,
                student=student,
                type=fields.get("type", BehaviourRecord.Type.PENALTY),
                category=BehaviourRecord.Category.BEHAVIOR,
                reason="Disrupted the lesson",
                points=1,
                date=day,
                created_by=by,
                status=fields.get("status", BehaviourRecord.Status.ACTIVE),
                upheld=fields.get("upheld", True),
            )
            for _ in range(count)
        ]
    )
