"""Percentages and grades: derived from the marks and the school's grade bands, never typed in."""

from __future__ import annotations

from core.services import school_row_ensure
from students.academics.models import Assessment, GradeBands, percentage_of


def grade_bands_ensure(*, school) -> GradeBands:
    """The school's grade bands; created with SPEC's defaults (and audited) when it has none."""
    return school_row_ensure(GradeBands, school=school)


def derive_result(assessment: Assessment, bands: GradeBands) -> None:
    """Set percentage, grade and status from the marks: no marks is pending (no percentage, no grade);
    marks make it graded. A pending assessment counts nowhere."""
    assessment.percentage = percentage_of(assessment.marks_obtained, assessment.total_marks)
    assessment.grade = bands.grade_for(assessment.percentage)
    if assessment.marks_obtained is None:
        assessment.status = Assessment.Status.PENDING
    elif assessment.status == Assessment.Status.PENDING:
        assessment.status = Assessment.Status.GRADED
