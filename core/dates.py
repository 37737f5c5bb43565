"""Calendar arithmetic that every app uses (no database)."""

from __future__ import annotations

import datetime


def weekdays_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Monday to Friday from `start` to `end`, both included, oldest first."""
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days
