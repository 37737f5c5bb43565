"""Races between two real connections on MariaDB/MySQL: the database keeps one active case and one winner."""

import pytest

from interventions.models import InterventionMeeting
from interventions.tests.meetings_helpers import (  # noqa: F401 - fixtures
    client_of,
    fm_form,
    make_meeting,
    meeting_payload,
    race,
    student,
)

URL = "/api/interventions/meetings/"
pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db(transaction=True)]


def test_two_racing_creates_of_the_same_active_case(form_master, admin_user, student):
    payload = meeting_payload(student)
    responses = race(
        [
            lambda: client_of(form_master).post(URL, payload, format="json"),
            lambda: client_of(admin_user).post(URL, payload, format="json"),
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 400], [r.content for r in responses]
    loser = next(r for r in responses if r.status_code == 400)
    assert "already has an active intervention for Family" in loser.json()["root_cause"][0]
    assert InterventionMeeting.objects.filter(student=student, root_cause="family").count() == 1


def test_two_racing_patches_with_the_same_version(form_master, admin_user, student):
    meeting = make_meeting(student=student, created_by=form_master, action_plan="original")
    url = f"{URL}{meeting.pk}/"
    plans = {"fm": "plan of the form master", "admin": "plan of the admin"}
    responses = race(
        [
            lambda: client_of(form_master).patch(url, {"action_plan": plans["fm"], "version": 1}, format="json"),
            lambda: client_of(admin_user).patch(url, {"action_plan": plans["admin"], "version": 1}, format="json"),
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409], [r.content for r in responses]
    winner = next(r for r in responses if r.status_code == 200).json()
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["current_version"] == 2
    meeting.refresh_from_db()
    assert meeting.version == 2
    assert meeting.action_plan == winner["action_plan"]
    assert winner["action_plan"] in plans.values()


def test_two_racing_status_changes_without_a_version_are_judged_one_after_the_other(form_master, admin_user, student):
    """Without `version` the row is locked before the move is judged: the second request sees the first's
    result (closed) and is refused with a 400, never a 409 for a version it did not send."""
    meeting = make_meeting(student=student, created_by=form_master, status="monitoring")
    payload = {"meeting": meeting.pk, "update_text": "Closing the case.", "status": "closed"}
    responses = race(
        [
            lambda: client_of(form_master).post(f"{URL}progress/", payload, format="json"),
            lambda: client_of(admin_user).post(f"{URL}progress/", payload, format="json"),
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 400], [r.content for r in responses]
    loser = next(r for r in responses if r.status_code == 400).json()
    assert loser == {"meeting": ["This meeting is closed; record a new meeting instead."]}
    meeting.refresh_from_db()
    assert (meeting.status, meeting.version) == ("closed", 2)
    assert meeting.progress_updates.count() == 1
