"""Calendar arithmetic that every app uses (no database)."""

from __future__ import annotations

import datetime

from django.utils import timezone


def weekdays_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Monday to Friday from `start` to `end`, both included, oldest first."""
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def day_words(day: datetime.date | datetime.datetime | None) -> str:
    """A day as the pages write it, "7 Dec 2026" (a time in the current time zone; None: ""). What
    `|date:"j M Y"` gives, without its locale lookups: a table writes many (`|row_day`)."""
    if day is None:
        return ""
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day)
    return f"{day.day} {day:%b %Y}"
