"""Fixtures for the students and attendance tests: a current academic year around today and forms."""

import datetime

import pytest
from django.utils import timezone

from students.tests.factories import AcademicYearFactory, ClassGroupFactory, StudentFactory


def last_school_weekday(day: datetime.date | None = None) -> datetime.date:
    """`day` (today by default) or, on a weekend, the Friday before."""
    day = day or timezone.localdate()
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def previous_weekday(day: datetime.date) -> datetime.date:
    day -= datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


@pytest.fixture
def school_day():
    return last_school_weekday()


@pytest.fixture
def year(school):
    today = timezone.localdate()
    return AcademicYearFactory(
        school=school,
        name="This year",
        start_date=today - datetime.timedelta(days=150),
        end_date=today + datetime.timedelta(days=150),
        is_current=True,
    )


@pytest.fixture
def other_year(other_school):
    today = timezone.localdate()
    return AcademicYearFactory(
        school=other_school,
        name="This year",
        start_date=today - datetime.timedelta(days=150),
        end_date=today + datetime.timedelta(days=150),
        is_current=True,
    )


@pytest.fixture
def form(school, year, form_master):
    return ClassGroupFactory(school=school, academic_year=year, name="Form 2A", grade_level=2, form_master=form_master)


@pytest.fixture
def form_b(school, year, other_form_master):
    return ClassGroupFactory(
        school=school, academic_year=year, name="Form 2B", grade_level=2, form_master=other_form_master
    )


@pytest.fixture
def other_form(other_school, other_year):
    return ClassGroupFactory(school=other_school, academic_year=other_year, name="Form 2A", grade_level=2)


@pytest.fixture
def make_students():
    def make(form, count):
        return StudentFactory.create_batch(count, school=form.school, class_group=form)

    return make
