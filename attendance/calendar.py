"""The attendance calendar of a student's year, laid out for a server-rendered heat map."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from attendance.models import AttendanceRecord


@dataclass
class CalendarDay:
    day: int
    state: str  # a record's status, or weekend / holiday / unmarked / future / none (no such date)
    title: str


@dataclass
class CalendarMonth:
    label: str
    days: list[CalendarDay]


def year_calendar(
    *,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    records: list[AttendanceRecord],
    holidays: dict[datetime.date, str],
) -> list[CalendarMonth]:
    """One row per month from `start` to `end`, 31 cells per row, each cell a day's state."""
    by_date = {r.date: r for r in records}
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        length = calendar.monthrange(year, month)[1]
        days = []
        for number in range(1, 32):
            if number > length:
                days.append(CalendarDay(day=number, state="none", title=""))
                continue
            date = datetime.date(year, month, number)
            label = date.strftime("%a %d %b %Y")
            record = by_date.get(date)
            if date < start or date > end:
                state, title = "none", ""
            elif record is not None:
                state = record.status
                title = f"{label}: {record.get_status_display()}" + (f" ({record.reason})" if record.reason else "")
            elif date.weekday() >= 5:
                state, title = "weekend", f"{label}: weekend"
            elif date in holidays:
                state, title = "holiday", f"{label}: {holidays[date]}"
            elif date > today:
                state, title = "future", label
            else:
                state, title = "unmarked", f"{label}: register not taken"
            days.append(CalendarDay(day=number, state=state, title=title))
        months.append(CalendarMonth(label=datetime.date(year, month, 1).strftime("%b %Y"), days=days))
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return months


LEGEND = [
    ("present", "Present"),
    ("late", "Late"),
    ("excused", "Excused"),
    ("absent", "Absent"),
    ("unmarked", "Not taken"),
    ("holiday", "Holiday"),
    ("weekend", "Weekend"),
]
