"""Races between real connections on MariaDB/MySQL: two overlapping writes, one wins, the other gets a
400 naming the clash; never two 201s, never a 500."""

import datetime

import pytest
import time_machine

from interventions.models import Enrollment, InterventionSession
from interventions.tests.meetings_helpers import client_of, race
from interventions.tests.programs_helpers import NOW, at, enroll, make_program, make_session
from students.tests.factories import StudentFactory

pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pinned():
    with time_machine.travel(NOW, tick=True):
        yield


def session_payload(start, facilitator, location):
    return {
        "start_time": start.isoformat(),
        "end_time": (start + datetime.timedelta(minutes=45)).isoformat(),
        "location": location,
        "facilitator": facilitator.pk,
    }


@pytest.mark.parametrize("shared", ["facilitator", "location"])
def test_two_racing_overlapping_sessions(pinned, school, counselor, make_user, teacher, shared):
    colleague = make_user("counselor", school)
    first, second = make_program(owner=counselor, name="Reading"), make_program(owner=colleague, name="Mentoring")
    other_teacher = make_user("teacher", school)
    if shared == "facilitator":
        payloads = [session_payload(at(1, 10), teacher, "A"), session_payload(at(1, 10, 30), teacher, "B")]
    else:
        payloads = [
            session_payload(at(1, 10), teacher, "Room 9"),
            session_payload(at(1, 10, 30), other_teacher, " room 9"),
        ]
    responses = race(
        [
            lambda: client_of(counselor).post(
                f"/api/interventions/programs/{first.pk}/sessions/", payloads[0], format="json"
            ),
            lambda: client_of(colleague).post(
                f"/api/interventions/programs/{second.pk}/sessions/", payloads[1], format="json"
            ),
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 400], [r.content for r in responses]
    loser = next(r for r in responses if r.status_code == 400).json()
    assert "clashes with" in loser["start_time"][0]
    assert InterventionSession.objects.count() == 1


def test_enrollment_racing_a_session(pinned, school, counselor, make_user):
    """One program has a session at 10:00; the student is in another program, which books 10:15 while
    the student is being enrolled in the first: one of the two is refused."""
    colleague = make_user("counselor", school)
    first, second = make_program(owner=counselor, name="Reading"), make_program(owner=colleague, name="Mentoring")
    student = StudentFactory(school=school, first_name="Sam", last_name="Lee")
    make_session(first, start=at(1, 10), location="A")
    enroll(second, student)
    responses = race(
        [
            lambda: client_of(counselor).post(
                f"/api/interventions/programs/{first.pk}/enrollments/", {"student": student.pk}, format="json"
            ),
            lambda: client_of(colleague).post(
                f"/api/interventions/programs/{second.pk}/sessions/",
                session_payload(at(1, 10, 15), colleague, "B"),
                format="json",
            ),
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 400], [r.content for r in responses]
    body = next(r for r in responses if r.status_code == 400).json()
    assert "Sam Lee" in " ".join(body.get("student", []) + body.get("start_time", []))
    enrolled = Enrollment.objects.filter(intervention=first, status="active").exists()
    booked = InterventionSession.objects.filter(intervention=second).exists()
    assert enrolled != booked
