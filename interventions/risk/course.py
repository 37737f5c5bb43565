"""The course indicator's reads: subjects whose mean graded percentage this year is below the pass mark
(or close above it). Pending assessments (no marks yet) count nowhere.

Two GROUP BY queries: the number of graded subjects per student, and the (student, subject) means that
fall below the pass mark plus the margin (HAVING), so Python sees only the subjects that matter."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Avg, Count

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


def course_queries(scope, year_start: datetime.date, settings):
    graded = graded_assessments(scope, year_start)
    limit = Decimal(settings.pass_mark_percent) + Decimal(settings.near_pass_margin)
    subjects = graded.values("student_id").annotate(subjects=Count("subject_id", distinct=True))
    low = (
        graded.values("student_id", "subject_id", "subject__name")
        .annotate(mean=Avg("percentage"), assessments=Count("id"))
        .filter(mean__lt=limit)
    )
    return subjects, low


def course_rows(scope, year_start: datetime.date, settings) -> dict[int, dict]:
    subjects, low = course_queries(scope, year_start, settings)
    rows = {row["student_id"]: {"graded_subjects": row["subjects"], "low": []} for row in subjects}
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
