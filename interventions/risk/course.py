"""The course indicator's reads: subjects whose mean graded percentage this year is below the pass mark
(or close above it). Pending assessments (no marks yet) count nowhere.

Two GROUP BY queries: per student, the number of graded subjects and the mean graded percentage of the
recent school days and of the year before them (the trend); and the (student, subject) means that fall
below the pass mark plus the margin (HAVING), so Python sees only the subjects that matter."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Avg, Count, Q

from students.academics.models import Assessment


def graded_assessments(scope, year_start: datetime.date):
    from interventions.risk.aggregates import _students_filter

    return _students_filter(
        Assessment.objects.filter(
            assessment_date__gte=year_start,
            assessment_date__lte=scope.calendar.as_of,
            percentage__isnull=False,
        ).exclude(status=Assessment.Status.PENDING),
        scope,
    ).order_by()


def course_queries(scope, year_start: datetime.date, settings, recent_start: datetime.date):
    graded = graded_assessments(scope, year_start)
    limit = Decimal(settings.pass_mark_percent) + Decimal(settings.near_pass_margin)
    recent = Q(assessment_date__gte=recent_start)
    subjects = graded.values("student_id").annotate(
        subjects=Count("subject_id", distinct=True),
        recent_graded=Count("id", filter=recent),
        recent_mean=Avg("percentage", filter=recent),
        earlier_graded=Count("id", filter=~recent),
        earlier_mean=Avg("percentage", filter=~recent),
    )
    low = (
        graded.values("student_id", "subject_id", "subject__name")
        .annotate(mean=Avg("percentage"), assessments=Count("id"))
        .filter(mean__lt=limit)
    )
    return subjects, low


def _mean(value) -> float | None:
    return None if value is None else round(float(value), 1)


def course_rows(scope, year_start: datetime.date, settings) -> dict[int, dict]:
    """Per student: graded subjects, the low subjects, and the recent and earlier means. "Recent" is the
    last `behaviour_window_days` school days (the behaviour indicator's window)."""
    window = scope.calendar.school_days_back(settings.behaviour_window_days)
    recent_start = window[0] if window else scope.calendar.as_of
    subjects, low = course_queries(scope, year_start, settings, recent_start)
    rows = {
        row["student_id"]: {
            "graded_subjects": row["subjects"],
            "low": [],
            "recent_graded": row["recent_graded"],
            "recent_mean": _mean(row["recent_mean"]),
            "earlier_graded": row["earlier_graded"],
            "earlier_mean": _mean(row["earlier_mean"]),
        }
        for row in subjects
    }
    for row in low:
        entry = rows.setdefault(row["student_id"], {"graded_subjects": 0, "low": []})
        entry["low"].append(
            {
                "subject": row["subject__name"],
                "mean": round(float(row["mean"]), 1),
                "assessments": row["assessments"],
            }
        )
    return rows
