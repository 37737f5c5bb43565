"""The set-based reads of the risk computation: one GROUP BY query per indicator over a school (or a
few of its students). Python sees one row per student (per failing subject for the course indicator).

The bare SQL of these queries is what the benchmark times the computation against."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from attendance.models import AttendanceRecord
from interventions.alerts.detection import WEEKDAYS, SchoolCalendar
from students.behaviour.models import COUNTED_PENALTY, BehaviourRecord
from students.models import Student

Status = AttendanceRecord.Status
ATTENDED = (Status.PRESENT, Status.LATE)
MISSED = (Status.ABSENT, Status.EXCUSED)


@dataclass(frozen=True)
class Scope:
    school_id: int
    calendar: SchoolCalendar
    student_ids: tuple[int, ...] | None = None  # None: the whole school


def _students_filter(queryset, scope: Scope, field: str = "student"):
    """Rows of the scope's active students (for a few students, through the student, as detection does)."""
    queryset = queryset.filter(**{f"{field}__status": Student.Status.ACTIVE})
    if scope.student_ids is None:
        return queryset.filter(school_id=scope.school_id)
    return queryset.filter(**{f"{field}__school_id": scope.school_id, f"{field}_id__in": list(scope.student_ids)})


def attendance_sql(scope: Scope, window: int) -> tuple[str, list]:
    """Per student: the last `window` marked school days (attended, missed), the `window` before them,
    and the whole year so far. The records are numbered newest first per student (ROW_NUMBER, on SQLite
    ≥ 3.25 and MariaDB ≥ 10.2), then summed in one GROUP BY."""
    calendar = scope.calendar
    records = _students_filter(
        AttendanceRecord.objects.filter(
            date__gte=calendar.year_start, date__lte=calendar.as_of, date__week_day__in=WEEKDAYS
        ),
        scope,
    )
    if calendar.holidays:
        records = records.exclude(date__in=sorted(calendar.holidays))
    numbered = records.order_by().annotate(
        nth=Window(RowNumber(), partition_by=[F("student_id")], order_by=[F("date").desc()])
    )
    inner, params = numbered.values("student_id", "status", "nth").query.sql_with_params()
    q = connection.ops.quote_name
    attended = "('" + "','".join(ATTENDED) + "')"
    missed = "('" + "','".join(MISSED) + "')"
    sql = (
        f"SELECT r.{q('student_id')},"
        f" SUM(CASE WHEN r.{q('nth')} <= %s THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN r.{q('nth')} <= %s AND r.{q('status')} IN {attended} THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN r.{q('nth')} <= %s AND r.{q('status')} IN {missed} THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN r.{q('nth')} > %s AND r.{q('nth')} <= %s THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN r.{q('nth')} > %s AND r.{q('nth')} <= %s AND r.{q('status')} IN {attended}"
        " THEN 1 ELSE 0 END),"
        " COUNT(*),"
        f" SUM(CASE WHEN r.{q('status')} IN {attended} THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN r.{q('status')} IN {missed} THEN 1 ELSE 0 END)"
        f" FROM ({inner}) r GROUP BY r.{q('student_id')}"
    )
    return sql, [window, window, window, window, 2 * window, window, 2 * window, *params]


ATTENDANCE_COLUMNS = (
    "marked",
    "attended",
    "recent_missed",
    "prev_marked",
    "prev_attended",
    "year_marked",
    "year_attended",
    "year_missed",
)


def attendance_rows(scope: Scope, window: int) -> dict[int, dict]:
    sql, params = attendance_sql(scope, window)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            row[0]: {name: int(value or 0) for name, value in zip(ATTENDANCE_COLUMNS, row[1:], strict=True)}
            for row in cursor.fetchall()
        }


def behaviour_queryset(scope: Scope, window: int):
    """Per student: counted penalties in the last `window` school days and the `window` before, those of
    them under appeal, and rewards."""
    days = scope.calendar.school_days_back(2 * window)
    if not days:
        return None
    start = days[-window] if len(days) >= window else days[0]
    previous_start = days[0]
    records = _students_filter(
        BehaviourRecord.objects.filter(date__gte=previous_start, date__lte=scope.calendar.as_of), scope
    )
    recent = Q(date__gte=start)
    return (
        records.order_by()
        .values("student_id")
        .annotate(
            penalties=Count("id", filter=COUNTED_PENALTY & recent),
            appealed=Count("id", filter=COUNTED_PENALTY & recent & Q(status=BehaviourRecord.Status.APPEALED)),
            prev_penalties=Count("id", filter=COUNTED_PENALTY & ~recent),
            rewards=Count("id", filter=Q(type=BehaviourRecord.Type.REWARD) & recent),
        )
    )


def behaviour_rows(scope: Scope, window: int) -> dict[int, dict]:
    queryset = behaviour_queryset(scope, window)
    if queryset is None:
        return {}
    return {row["student_id"]: row for row in queryset}


def course_rows(scope: Scope, year_start: datetime.date, settings) -> dict[int, dict]:
    """Per student: how many subjects have graded assessments this year, and the subjects whose mean
    graded percentage is below the pass mark plus the margin (with their means). Empty until the
    academics models exist."""
    from interventions.risk import course

    return course.course_rows(scope, year_start, settings)
