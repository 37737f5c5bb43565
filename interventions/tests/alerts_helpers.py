"""Building attendance histories for the alert tests: one bulk insert per history."""

from __future__ import annotations

import datetime

from django.utils import timezone

from attendance.models import AttendanceRecord, Holiday
from students.tests.factories import AcademicYearFactory, ClassGroupFactory, StudentFactory

YEAR_START = datetime.date(2026, 9, 1)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def school_days(start: datetime.date, end: datetime.date, holidays=()) -> list[datetime.date]:
    days, current = [], start
    while current <= end:
        if current.weekday() < 5 and current not in holidays:
            days.append(current)
        current += datetime.timedelta(days=1)
    return days


def make_form(school, form_master=None, year=None):
    year = year or AcademicYearFactory(school=school, start_date=YEAR_START, end_date=datetime.date(2027, 7, 16))
    return ClassGroupFactory(school=school, academic_year=year, form_master=form_master)


def make_student(school, class_group=None, **kwargs):
    return StudentFactory(school=school, class_group=class_group or make_form(school), **kwargs)


def mark(student, statuses: dict[datetime.date, str]) -> None:
    """Record the given status on each date (one INSERT)."""
    now = timezone.now()
    AttendanceRecord.objects.bulk_create(
        [
            AttendanceRecord(school_id=student.school_id, student=student, date=date, status=status, marked_at=now)
            for date, status in sorted(statuses.items())
        ]
    )


def mark_days(student, days, status="present") -> None:
    mark(student, dict.fromkeys(days, status))


def add_holiday(school, date: datetime.date, name="Holiday") -> Holiday:
    return Holiday.objects.create(school=school, date=date, name=name)
