"""Contact guardian pages: the profile's contact log, the action page, letters, retries, the meeting page."""

import datetime

import pytest
from django.core import mail
from django.test import Client, override_settings

from core.testing.queries import assert_query_count
from interventions.communications.models import CommunicationLog
from interventions.tests.communication_factories import CommunicationLogFactory, CommunicationTemplateFactory
from interventions.tests.communications_helpers import FAILING_EMAIL
from interventions.tests.factories import InterventionMeetingFactory
from students.models import Student
from students.tests.factories import ClassGroupFactory, StudentFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
IN_TERM = datetime.datetime(2026, 10, 6, 10, 0, tzinfo=datetime.UTC)  # a Tuesday of the factories' school year


@pytest.fixture
def page_client():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def form(school, form_master):
    return ClassGroupFactory(school=school, form_master=form_master)


@pytest.fixture
def student(school, form):
    return StudentFactory(
        school=school, class_group=form, first_name="Sam", last_name="Lee", guardian_email="ann@example.org"
    )


def contact_url(student):
    return f"/students/{student.pk}/contact/"


def test_profile_shows_the_contact_log_and_the_contact_link(page_client, counselor, school, student):
    CommunicationLogFactory(school=school, student=student, body="Reached. Mother will call back.")
    html = page_client(counselor).get(f"/students/{student.pk}/").content.decode()
    assert 'id="contact-log"' in html
    assert "Reached. Mother will call back." in html
    assert f'href="{contact_url(student)}"' in html


def test_teacher_sees_no_contact_log_on_the_profile_and_403_on_the_page(page_client, teacher, school, student):
    CommunicationLogFactory(school=school, student=student, body="Reached.")
    client = page_client(teacher)
    html = client.get(f"/students/{student.pk}/").content.decode()
    assert 'id="contact-log"' not in html and "Reached." not in html
    assert client.get(contact_url(student)).status_code == 403


@pytest.mark.own_day
def test_profile_contact_log_takes_constant_queries(page_client, counselor, school, student, time_machine):
    # The profile's attendance figures read more when today is outside the school year: a day in term.
    time_machine.move_to(IN_TERM)
    client = page_client(counselor)
    CommunicationLogFactory(school=school, student=student)
    with assert_query_count(PROFILE_QUERIES):  # the log: one query, with its templates and who wrote it
        response = client.get(f"/students/{student.pk}/")
    assert response.status_code == 200 and "Reached. All well." in response.content.decode()
    template = CommunicationTemplateFactory(school=school)
    for _ in range(8):
        CommunicationLogFactory(school=school, student=student, template=template, actor=counselor)
    with assert_query_count(PROFILE_QUERIES):
        response = client.get(f"/students/{student.pk}/")
    assert response.content.decode().count('id="contact-') >= 9


# Session, user, student, the profile's sections (attendance, risk, alerts, academics, behaviour, trend,
# programs, meetings), the contact log with its templates and authors.
PROFILE_QUERIES = 22


def test_contact_page_and_its_panel_take_the_same_queries_for_a_short_log_or_a_long_one(
    page_client, counselor, make_user, school, student
):
    CommunicationLogFactory(school=school, student=student)
    CommunicationTemplateFactory(school=school, channel="email")
    client = page_client(counselor)
    # session, user, student, the log, the templates (one read for the email, text and letter forms)
    with assert_query_count(5):
        page = client.get(contact_url(student))
    assert page.status_code == 200
    with assert_query_count(5):  # as the page (the header's school comes with the user)
        panel = client.get(contact_url(student), **HTMX)
    assert panel.status_code == 200
    for index in range(20):
        template = CommunicationTemplateFactory(school=school, channel=("email", "sms", "letter")[index % 3])
        CommunicationLogFactory(
            school=school,
            student=student,
            template=template,
            actor=make_user("form_master", school),
            body=f"Call {index}",
        )
    with assert_query_count(5):
        page = client.get(contact_url(student))
    assert page.status_code == 200 and "Call 19" in page.content.decode()
    with assert_query_count(5):
        panel = client.get(contact_url(student), **HTMX)
    assert panel.status_code == 200 and "Call 19" in panel.content.decode()


def test_send_an_email_from_a_template_on_the_page(page_client, counselor, school, student):
    template = CommunicationTemplateFactory(school=school, channel="email", subject="Hello {student_first_name}")
    client = page_client(counselor)
    page = client.get(contact_url(student)).content.decode()
    assert "Send an email" in page and template.name in page
    response = client.post(
        contact_url(student), {"action": "email", "email-channel": "email", "email-template": template.pk}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Email sent to ann@example.org." in html
    assert "Hello Sam" in html
    assert mail.outbox[0].subject == "Hello Sam"


def test_log_a_call_without_an_outcome_is_an_inline_error(page_client, counselor, student):
    response = page_client(counselor).post(
        contact_url(student), {"action": "phone", "phone-channel": "phone", "phone-body": "x"}, **HTMX
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert CommunicationLog.objects.count() == 0


def test_log_a_call(page_client, form_master, student):
    response = page_client(form_master).post(
        contact_url(student),
        {"action": "phone", "phone-channel": "phone", "phone-outcome": "No answer", "phone-body": "Try tomorrow."},
        **HTMX,
    )
    assert response.status_code == 200 and "Phone call logged." in response.content.decode()
    log = CommunicationLog.objects.get()
    assert (log.channel, log.status, log.body, log.actor) == (
        "phone",
        "logged",
        "No answer. Try tomorrow.",
        form_master,
    )


def test_missing_address_for_a_letter_is_an_inline_error(page_client, counselor, student):
    response = page_client(counselor).post(
        contact_url(student), {"action": "letter", "letter-channel": "letter", "letter-body": "Dear {guardian_name}"}
    )
    assert response.status_code == 400
    assert "no guardian postal address" in response.content.decode()


def test_print_a_letter_downloads_the_pdf(page_client, counselor, student):
    Student.objects.filter(pk=student.pk).update(guardian_address="1 High Street\nTown")
    client = page_client(counselor)
    response = client.post(
        contact_url(student), {"action": "letter", "letter-channel": "letter", "letter-body": "Dear {guardian_name}"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    log = CommunicationLog.objects.get()
    again = client.get(f"{contact_url(student)}{log.pk}/letter.pdf")
    assert again.content.startswith(b"%PDF")


def test_retry_a_failed_email_from_the_page(page_client, counselor, student):
    client = page_client(counselor)
    with override_settings(EMAIL_BACKEND=FAILING_EMAIL):
        response = client.post(contact_url(student), {"action": "email", "email-body": "Hi"}, **HTMX)
    assert "could not be sent" in response.content.decode()
    log = CommunicationLog.objects.get()
    assert log.status == "failed"
    assert "Retry" in response.content.decode()
    response = client.post(f"{contact_url(student)}{log.pk}/retry/", **HTMX)
    assert response.status_code == 200 and "Email sent to ann@example.org." in response.content.decode()
    log.refresh_from_db()
    assert log.status == "sent"


def test_form_master_of_another_form_gets_403_and_another_school_404(
    page_client, other_form_master, other_admin, student
):
    assert page_client(other_form_master).get(contact_url(student)).status_code == 403
    assert page_client(other_admin).get(contact_url(student)).status_code == 404


def test_meeting_page_shows_the_contact_log_and_contact_guardian(page_client, school, form_master, student):
    meeting = InterventionMeetingFactory(school=school, student=student, created_by=form_master)
    CommunicationLogFactory(school=school, student=student, body="Reached. Agreed the plan.")
    html = page_client(form_master).get(f"/form-master/interventions/{meeting.pk}/").content.decode()
    assert "Reached. Agreed the plan." in html
    assert f"{contact_url(student)}?meeting={meeting.pk}" in html
    back = page_client(form_master).get(f"{contact_url(student)}?meeting={meeting.pk}").content.decode()
    assert f'href="/form-master/interventions/{meeting.pk}/"' in back


def test_contact_from_a_program_page_is_linked_to_the_program(page_client, school, counselor, student):
    from interventions.tests.factories import EnrollmentFactory, InterventionFactory

    program = InterventionFactory(school=school, owner=counselor, name="Reading group")
    enrollment = EnrollmentFactory(intervention=program, school=school, student=student)
    client = page_client(counselor)
    progress = client.get(f"/programs/enrollments/{enrollment.pk}/progress/").content.decode()
    assert f"{contact_url(student)}?enrollment={enrollment.pk}" in progress
    url = f"{contact_url(student)}?enrollment={enrollment.pk}"
    response = client.post(
        url, {"action": "phone", "phone-outcome": "Reached", "phone-body": "Doing well in the group."}, **HTMX
    )
    assert response.status_code == 200 and "about Reading group" in response.content.decode()
    assert CommunicationLog.objects.get().intervention == program
    api = client.get("/api/interventions/communications/", {"intervention": program.pk}).json()
    assert api["count"] == 1 and api["results"][0]["intervention"] == program.pk


def test_each_form_offers_its_channels_templates_and_refuses_any_other(
    page_client, counselor, other_admin, school, student
):
    email = CommunicationTemplateFactory(school=school, channel="email", name="Absence email")
    text = CommunicationTemplateFactory(school=school, channel="sms", name="Absence text")
    elsewhere = CommunicationTemplateFactory(school=other_admin.school, channel="email", name="Their email")
    client = page_client(counselor)
    html = client.get(contact_url(student)).content.decode()
    email_select = html[
        html.index('name="email-template"') : html.index("</select>", html.index('name="email-template"'))
    ]
    text_select = html[html.index('name="sms-template"') : html.index("</select>", html.index('name="sms-template"'))]
    assert f'value="{email.pk}">Absence email' in email_select and "Absence text" not in email_select
    assert f'value="{text.pk}">Absence text' in text_select and "Absence email" not in text_select
    assert "Their email" not in html

    for wrong in (text, elsewhere):
        response = client.post(
            contact_url(student), {"action": "email", "email-channel": "email", "email-template": wrong.pk}, **HTMX
        )
        body = response.content.decode()
        assert response.status_code == 400
        assert "Select a valid choice. That choice is not one of the available choices." in body
    assert not CommunicationLog.objects.exists() and not mail.outbox


def test_a_refused_send_reads_the_templates_once_for_the_check_and_the_forms_shown_again(
    page_client, counselor, school, student
):
    template = CommunicationTemplateFactory(school=school, channel="sms")
    client = page_client(counselor)
    # session, user, student, the templates (the submitted form's check and every form shown), the log
    with assert_query_count(5):
        response = client.post(
            contact_url(student), {"action": "email", "email-channel": "email", "email-template": template.pk}, **HTMX
        )
    assert response.status_code == 400 and "Select a valid choice." in response.content.decode()
