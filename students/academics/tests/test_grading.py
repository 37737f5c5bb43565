"""Grade bands: SPEC defaults, a school's own bands, the edges, and pending assessments."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core.models import AuditLog
from students.academics.grading import derive_result, grade_bands_ensure
from students.academics.models import Assessment, GradeBands, percentage_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("percentage", "grade"),
    [
        ("100", "A"),
        ("80", "A"),
        ("79.99", "B"),
        ("70", "B"),
        ("69.99", "C"),
        ("60", "C"),
        ("59.99", "D"),
        ("50", "D"),
        ("49.99", "F"),
        ("0", "F"),
    ],
)
def test_default_bands_at_their_edges(school, percentage, grade):
    bands = grade_bands_ensure(school=school)
    assert bands.grade_for(Decimal(percentage)) == grade


def test_the_default_bands_are_created_once_and_audited(school):
    first = grade_bands_ensure(school=school)
    second = grade_bands_ensure(school=school)
    assert first.pk == second.pk
    assert (first.a_min, first.b_min, first.c_min, first.d_min) == (80, 70, 60, 50)
    assert AuditLog.objects.filter(entity_type="students.gradebands", action="create").count() == 1


def test_a_schools_own_bands_are_used(school, other_school):
    GradeBands.objects.create(school=school, a_min=90, b_min=75, c_min=55, d_min=40)
    mine, theirs = grade_bands_ensure(school=school), grade_bands_ensure(school=other_school)
    assert [mine.grade_for(Decimal(p)) for p in ("85", "55", "45", "39")] == ["B", "C", "D", "F"]
    assert [theirs.grade_for(Decimal(p)) for p in ("85", "55", "45", "39")] == ["A", "D", "F", "F"]


def test_bands_must_descend(school):
    with pytest.raises(IntegrityError), transaction.atomic():
        GradeBands.objects.create(school=school, a_min=70, b_min=70, c_min=60, d_min=50)


def test_percentage_is_rounded_to_two_places():
    assert percentage_of(Decimal("2"), Decimal("3")) == Decimal("66.67")
    assert percentage_of(None, Decimal("3")) is None


def test_derived_result_and_pending(school):
    bands = grade_bands_ensure(school=school)
    graded = Assessment(total_marks=Decimal("40"), marks_obtained=Decimal("27"))
    derive_result(graded, bands)
    assert (graded.percentage, graded.grade, graded.status) == (Decimal("67.50"), "C", "graded")

    pending = Assessment(total_marks=Decimal("40"), marks_obtained=None, status="graded")
    derive_result(pending, bands)
    assert (pending.percentage, pending.grade, pending.status) == (None, "", "pending")
