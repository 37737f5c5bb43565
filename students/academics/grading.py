"""Percentages and grades: derived from the marks and the school's grade bands, never typed in."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from core import audit
from students.academics.models import Assessment, GradeBands, percentage_of


def grade_bands_ensure(*, school) -> GradeBands:
    """The school's grade bands; created with SPEC's defaults (and audited) when it has none."""
    existing = GradeBands.objects.filter(school=school).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            bands = GradeBands.objects.create(school=school)
            audit.record_create(actor=None, instance=bands)
            return bands
    except IntegrityError:
        # Created at the same moment by another process.
        return GradeBands.objects.get(school=school)


def derive_result(assessment: Assessment, bands: GradeBands) -> None:
    """Set percentage, grade and status from the marks: no marks is pending (no percentage, no grade);
    marks make it graded. A pending assessment counts nowhere."""
    assessment.percentage = percentage_of(assessment.marks_obtained, assessment.total_marks)
    assessment.grade = bands.grade_for(assessment.percentage)
    if assessment.marks_obtained is None:
        assessment.status = Assessment.Status.PENDING
    elif assessment.status == Assessment.Status.PENDING:
        assessment.status = Assessment.Status.GRADED
