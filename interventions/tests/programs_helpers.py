"""Fixtures and builders shared by the program tests. The clock is pinned to a Monday morning, so the
dates below are school days whatever day the suite runs."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from interventions.models import Enrollment
from interventions.tests.factories import EnrollmentFactory, InterventionFactory, InterventionSessionFactory
from students.tests.factories import ClassGroupFactory, StudentFactory

MONDAY = datetime.date(2026, 3, 2)  # a Monday in term
NOW = datetime.datetime(2026, 3, 2, 7, 30, tzinfo=datetime.UTC)


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


def at(offset: int, hour: int, minute: int = 0) -> datetime.datetime:
    """`offset` days after MONDAY at hour:minute, in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day(offset), datetime.time(hour, minute)))


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def fm_form(school, form_master):
    return ClassGroupFactory(school=school, form_master=form_master, name="Form 2B")


@pytest.fixture
def student(school, fm_form):
    return StudentFactory(school=school, class_group=fm_form, first_name="Sam", last_name="Lee")


@pytest.fixture
def other_student(school):
    return StudentFactory(school=school, first_name="Ola", last_name="Berg")


@pytest.fixture
def program(clock, school, counselor):
    return make_program(owner=counselor, name="Reading group")


def make_program(*, owner, **fields):
    values = {
        "school": owner.school,
        "owner": owner,
        "start_date": day(-14),
        "end_date": day(60),
        "status": "active",
        "duration_minutes": 45,
    }
    values.update(fields)
    return InterventionFactory(**values)


def make_session(program, *, start, minutes=45, **fields):
    values = {"facilitator": program.owner, "location": "Room 12"}
    values.update(fields)
    return InterventionSessionFactory(
        intervention=program,
        school=program.school,
        start_time=start,
        end_time=start + datetime.timedelta(minutes=minutes),
        **values,
    )


def enroll(program, student, **fields):
    values = {"enrolled_at": timezone.make_aware(datetime.datetime.combine(program.start_date, datetime.time(6)))}
    values.update(fields)
    return EnrollmentFactory(intervention=program, school=program.school, student=student, **values)


def active_enrollments(program):
    return Enrollment.objects.filter(intervention=program, status="active")
