"""Sending feedback links after a session or at a program's end, through the contact log."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from core.testing.queries import assert_query_count
from interventions.feedback.models import Feedback, FeedbackLink
from interventions.models import CommunicationLog
from interventions.tests.factories import (
    EnrollmentFactory,
    InterventionFactory,
    InterventionSessionFactory,
    SessionAttendanceFactory,
)
from students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db
URL = "/api/interventions/feedback/links/"


@pytest.fixture
def finished_session(school, counselor):
    program = InterventionFactory(school=school, name="Study skills", owner=counselor)
    session = InterventionSessionFactory(
        intervention=program,
        facilitator=counselor,
        start_time=timezone.now() - datetime.timedelta(days=1),
        status="completed",
    )
    # names no page text contains, so the public page showing them can only be a leak
    attended = StudentFactory(
        school=school, first_name="Qwertyuiop", last_name="Zyxwvutsrq", guardian_email="mum@example.org"
    )
    no_email = StudentFactory(school=school, guardian_email="")
    absent = StudentFactory(school=school, guardian_email="dad@example.org")
    SessionAttendanceFactory(session=session, student=attended, status="present")
    SessionAttendanceFactory(session=session, student=no_email, status="tardy")
    SessionAttendanceFactory(session=session, student=absent, status="absent")
    return program, session, attended, no_email


def test_a_finished_sessions_attendees_get_a_link_through_the_contact_log(client_for, counselor, finished_session):
    program, session, attended, no_email = finished_session
    response = client_for(counselor).post(
        URL, {"intervention": program.pk, "session": session.pk, "channel": "email"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["sent"], body["failed"]) == (1, 0)
    assert len(body["skipped"]) == 1 and no_email.full_name in body["skipped"][0]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mum@example.org"]
    log = CommunicationLog.objects.get()
    assert (log.student, log.intervention, log.channel, log.status) == (attended, program, "email", "sent")
    link = FeedbackLink.objects.get()
    assert (link.student, link.session, link.feedback_type, link.sent_to) == (
        attended,
        session,
        "session",
        "mum@example.org",
    )
    token = re.search(r"/feedback/([^/\s]+)/", mail.outbox[0].body).group(1)
    client = client_for(counselor)
    client.logout()
    page = client.get(f"/feedback/{token}/").content.decode()
    assert "How was Study skills?" in page
    assert attended.first_name not in page and attended.last_name not in page
    client.post(f"/feedback/{token}/", {"rating": "2", "comments": "The room was cold and it was boring."})
    feedback = Feedback.objects.get()
    assert (feedback.student, feedback.intervention, feedback.session, feedback.sentiment) == (
        attended,
        program,
        session,
        "negative",
    )


def test_links_wait_for_the_session_or_the_programs_end(client_for, counselor, school):
    program = InterventionFactory(school=school, owner=counselor, status="active")
    EnrollmentFactory(intervention=program)
    session = InterventionSessionFactory(intervention=program, status="scheduled")
    client = client_for(counselor)
    early = client.post(URL, {"intervention": program.pk}, format="json")
    assert early.status_code == 400 and "intervention" in early.json()
    not_yet = client.post(URL, {"intervention": program.pk, "session": session.pk}, format="json")
    assert not_yet.status_code == 400 and "session" in not_yet.json()
    assert not FeedbackLink.objects.exists() and not mail.outbox


def test_a_programs_students_get_a_link_at_its_end_by_sms(client_for, counselor, school):
    program = InterventionFactory(school=school, owner=counselor, status="completed")
    EnrollmentFactory(intervention=program, student=StudentFactory(school=school, guardian_phone="+44 7700 900999"))
    EnrollmentFactory(intervention=program, status="withdrawn")
    body = client_for(counselor).post(URL, {"intervention": program.pk, "channel": "sms"}, format="json").json()
    assert body["sent"] == 1
    assert FeedbackLink.objects.get().feedback_type == "program"
    assert CommunicationLog.objects.get().channel == "sms"


def test_only_owners_counsellors_and_admins_send_links(client_for, teacher, other_admin, finished_session):
    program, session, _, _ = finished_session
    assert client_for(teacher).post(URL, {"intervention": program.pk}, format="json").status_code == 403
    assert client_for(other_admin).post(URL, {"intervention": program.pk}, format="json").status_code == 404


def test_sending_takes_a_fixed_number_of_queries_per_student(client_for, counselor, school):
    """Each student's link and message are written apart (in a savepoint of their own), so that one
    failure does not stop the others: the queries grow with the students, by the same number each."""
    client = client_for(counselor)
    for size in (1, 6):
        program = InterventionFactory(school=school, owner=counselor, status="completed")
        for _ in range(size):
            EnrollmentFactory(
                intervention=program, student=StudentFactory(school=school, guardian_email="g@example.org")
            )
        # program, its students; for each: savepoint, the link and its audit row (in a savepoint), the
        # message and its audit row (in a savepoint), the link's address, release
        with assert_query_count(2 + 11 * size):
            body = client.post(URL, {"intervention": program.pk, "channel": "email"}, format="json").json()
        assert body["sent"] == size


def test_the_review_page_sends_links_for_a_finished_session(client, counselor, finished_session):
    program, session, attended, _ = finished_session
    client.force_login(counselor)
    page = client.get("/interventions/feedback/").content.decode()
    assert f'<option value="{program.pk}">Study skills</option>' in page

    response = client.post(
        "/interventions/feedback/",
        {"intervention": program.pk, "session": session.pk, "channel": "email"},
        follow=True,
    )

    assert response.redirect_chain == [("/interventions/feedback/", 302)]
    assert "Feedback links: 1 sent, 0 failed." in response.content.decode()
    assert FeedbackLink.objects.get().student == attended


def test_the_review_page_refuses_a_program_it_does_not_offer(client, counselor, other_admin, finished_session):
    """Another school's program, or a counsellor's pick of a session of another program: an error beside
    the field, a 400, the choices kept, and nothing sent."""
    program, session, _, _ = finished_session
    elsewhere = InterventionFactory(school=other_admin.school, name="Their club", owner=other_admin)
    other = InterventionFactory(school=program.school, name="Chess", owner=counselor)
    client.force_login(counselor)

    foreign = client.post("/interventions/feedback/", {"intervention": elsewhere.pk, "channel": "email"})
    mismatched = client.post(
        "/interventions/feedback/", {"intervention": other.pk, "session": session.pk, "channel": "email"}
    )

    assert foreign.status_code == 400 and "Select a valid choice." in foreign.content.decode()
    assert "Their club" not in foreign.content.decode()
    assert mismatched.status_code == 400 and "Pick a session of this program." in mismatched.content.decode()
    assert f'<option value="{other.pk}" selected>Chess</option>' in mismatched.content.decode()
    assert not FeedbackLink.objects.exists() and not mail.outbox
