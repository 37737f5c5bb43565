"""What the database itself holds for programs, on SQLite and MariaDB alike."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from interventions.models import Enrollment, InterventionSession, ScheduleLock
from interventions.tests.factories import EnrollmentFactory, InterventionFactory, InterventionSessionFactory

pytestmark = pytest.mark.django_db


def test_one_active_enrollment_per_program_and_student():
    """A second active enrollment of the same student in the same program is refused by the database;
    a withdrawn one beside an active one is fine."""
    first = EnrollmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrollmentFactory(intervention=first.intervention, student=first.student)
    Enrollment.objects.filter(pk=first.pk).update(status=Enrollment.Status.WITHDRAWN)
    again = EnrollmentFactory(intervention=first.intervention, student=first.student)
    EnrollmentFactory(intervention=first.intervention, student=first.student, status=Enrollment.Status.EXITED)
    assert again.status == Enrollment.Status.ACTIVE


def test_location_key_ignores_case_and_surrounding_spaces():
    session = InterventionSessionFactory(location="  Room 12B ")
    session.refresh_from_db()
    assert session.location_key == "room 12b"


def test_session_must_end_after_it_starts():
    program = InterventionFactory()
    start = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        InterventionSessionFactory(intervention=program, start_time=start, end_time=start)
    assert not InterventionSession.objects.filter(intervention=program).exists()


def test_program_end_date_not_before_start():
    with pytest.raises(IntegrityError), transaction.atomic():
        InterventionFactory(start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 3, 1))


def test_schedule_lock_keys_unique_per_school():
    program = InterventionFactory()
    ScheduleLock.objects.create(school=program.school, key="facilitator:1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduleLock.objects.create(school=program.school, key="facilitator:1")
