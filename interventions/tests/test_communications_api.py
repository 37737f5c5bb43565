"""The contact log's API (SPEC §7): communications/ and communication-templates/, roles, two schools."""

import pytest
from django.core import mail
from django.test import override_settings

from core.models import AuditLog
from core.testing.queries import assert_query_count
from interventions.communications.models import CommunicationLog, CommunicationTemplate
from interventions.tests.communication_factories import CommunicationLogFactory, CommunicationTemplateFactory
from interventions.tests.communications_helpers import FAILING_EMAIL
from students.models import Student
from students.tests.factories import ClassGroupFactory, StudentFactory

pytestmark = pytest.mark.django_db
URL = "/api/interventions/communications/"
TEMPLATES_URL = "/api/interventions/communication-templates/"


@pytest.fixture
def form(school, form_master):
    return ClassGroupFactory(school=school, form_master=form_master)


@pytest.fixture
def student(school, form):
    return StudentFactory(school=school, class_group=form, first_name="Sam", guardian_email="g@example.org")


@pytest.fixture
def template(school):
    return CommunicationTemplateFactory(school=school, channel="email", subject="About {student_first_name}")


def test_counsellor_sends_an_email_from_a_template(client_for, counselor, student, template):
    response = client_for(counselor).post(
        URL, {"student": student.pk, "channel": "email", "template": template.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "sent" and body["recipient"] == "g@example.org"
    assert body["subject"] == "About Sam" and body["template"] == template.pk and body["actor"] == counselor.pk
    assert body["intervention"] is None
    assert mail.outbox[0].to == ["g@example.org"]
    assert AuditLog.objects.filter(action="communication_sent", entity_id=str(body["id"])).exists()


def test_missing_guardian_email_is_a_400_and_nothing_is_logged(client_for, counselor, student):
    Student.objects.filter(pk=student.pk).update(guardian_email="")
    response = client_for(counselor).post(URL, {"student": student.pk, "channel": "email", "body": "Hi"}, format="json")
    assert response.status_code == 400
    assert "no guardian email address" in response.json()["channel"][0]
    assert CommunicationLog.objects.count() == 0


def test_failed_email_is_201_failed_and_the_retry_endpoint_sends_it(client_for, counselor, student):
    client = client_for(counselor)
    with override_settings(EMAIL_BACKEND=FAILING_EMAIL):
        response = client.post(URL, {"student": student.pk, "channel": "email", "body": "Hi"}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "failed" and "mailbox unavailable" in response.json()["error"]
    retried = client.post(f"{URL}{response.json()['id']}/retry/")
    assert retried.status_code == 200 and retried.json()["status"] == "sent"
    assert client.post(f"{URL}{response.json()['id']}/retry/").status_code == 400


def test_letter_endpoint_returns_the_pdf(client_for, counselor, student):
    Student.objects.filter(pk=student.pk).update(guardian_address="1 High Street\nTown")
    client = client_for(counselor)
    response = client.post(URL, {"student": student.pk, "channel": "letter", "body": "Dear {guardian_name}"})
    assert response.status_code == 201
    pdf = client.get(response.json()["letter_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_list_filters_and_constant_queries(client_for, counselor, school, student):
    other = StudentFactory(school=school)
    CommunicationLogFactory(school=school, student=student, channel="phone")
    CommunicationLogFactory(school=school, student=student, channel="email", recipient="g@example.org")
    for _ in range(5):
        CommunicationLogFactory(school=school, student=other, channel="phone")
    client = client_for(counselor)
    with assert_query_count(2):  # count + page, with student, actor and template joined
        response = client.get(URL)
    assert response.json()["count"] == 7
    assert client.get(URL, {"student": student.pk}).json()["count"] == 2
    assert client.get(URL, {"student": student.pk, "channel": "email"}).json()["count"] == 1
    assert client.get(URL, {"intervention": 1}).json()["count"] == 0
    assert client.get(URL, {"channel": "pigeon"}).status_code == 400
    assert client.get(URL, {"student": "x"}).status_code == 400


def test_form_master_reads_and_logs_for_their_forms_students_only(
    client_for, form_master, school, student, other_form_master
):
    elsewhere = StudentFactory(
        school=school, class_group=ClassGroupFactory(school=school, form_master=other_form_master)
    )
    CommunicationLogFactory(school=school, student=student)
    hidden = CommunicationLogFactory(school=school, student=elsewhere)
    client = client_for(form_master)
    assert [row["student"] for row in client.get(URL).json()["results"]] == [student.pk]
    assert client.get(f"{URL}{hidden.pk}/").status_code == 404
    logged = client.post(URL, {"student": student.pk, "channel": "phone", "body": "Reached."}, format="json")
    assert logged.status_code == 201 and logged.json()["status"] == "logged"
    refused = client.post(URL, {"student": elsewhere.pk, "channel": "phone", "body": "Reached."}, format="json")
    assert refused.status_code == 403


def test_teacher_gets_403(client_for, teacher, student):
    client = client_for(teacher)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"student": student.pk, "channel": "phone", "body": "x"}).status_code == 403
    assert client.get(TEMPLATES_URL).status_code == 403


def test_another_school_sees_nothing_and_gets_404(client_for, other_admin, school, student, template):
    log = CommunicationLogFactory(school=school, student=student)
    client = client_for(other_admin)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{log.pk}/").status_code == 404
    assert client.post(f"{URL}{log.pk}/retry/").status_code == 404
    assert client.get(f"{TEMPLATES_URL}{template.pk}/").status_code == 404
    response = client.post(URL, {"student": student.pk, "channel": "phone", "body": "x"}, format="json")
    assert response.status_code == 400 and "student" in response.json()
    response = client.post(URL, {"student": student.pk, "channel": "phone", "body": "x", "template": template.pk})
    assert response.status_code == 400


def test_unauthenticated_is_401(api_client):
    assert api_client.get(URL).status_code == 401


def test_templates_create_checks_placeholders(client_for, counselor, form_master):
    client = client_for(counselor)
    bad = client.post(TEMPLATES_URL, {"name": "Bad", "channel": "sms", "body": "Hi {first_name}"}, format="json")
    assert bad.status_code == 400 and "{first_name}" in bad.json()["body"][0]
    broken = client.post(TEMPLATES_URL, {"name": "Broken", "channel": "sms", "body": "Hi {student_first_name"})
    assert broken.status_code == 400 and "braces" in broken.json()["body"][0]
    good = client.post(
        TEMPLATES_URL,
        {"name": "Absence", "channel": "email", "subject": "{student_first_name}", "body": "Dear {guardian_name}"},
        format="json",
    )
    assert good.status_code == 201 and good.json()["version"] == 1
    assert client.post(TEMPLATES_URL, {"name": "absence", "channel": "email", "body": "x"}).status_code == 400
    assert client_for(form_master).get(TEMPLATES_URL).json()["count"] == 1
    assert client_for(form_master).post(TEMPLATES_URL, {"name": "x", "channel": "sms", "body": "x"}).status_code == 403
    assert AuditLog.objects.filter(entity_type="interventions.communicationtemplate", action="create").count() == 1


def test_templates_list_takes_the_same_queries_for_few_or_many(client_for, form_master, school, template):
    client = client_for(form_master)
    with assert_query_count(2):  # count, page
        response = client.get(TEMPLATES_URL)
    assert response.status_code == 200 and response.json()["count"] == 1
    for index in range(20):
        CommunicationTemplateFactory(school=school, channel=("email", "sms", "letter")[index % 3])
    with assert_query_count(2):
        response = client.get(TEMPLATES_URL, {"page_size": 100})
    assert response.status_code == 200 and len(response.json()["results"]) == 21


def test_templates_list_by_channel_and_a_bad_channel_is_a_400(client_for, form_master, school, template):
    CommunicationTemplateFactory(school=school, channel="sms", name="Late today")
    client = client_for(form_master)
    channels = lambda query: [row["channel"] for row in client.get(TEMPLATES_URL, query).json()["results"]]  # noqa: E731
    assert channels({"channel": " sms "}) == ["sms"]
    assert sorted(channels({"channel": ""})) == sorted([template.channel, "sms"])
    response = client.get(TEMPLATES_URL, {"channel": "pigeon"})
    assert (response.status_code, response.json()) == (
        400,
        {"channel": ["\u201cpigeon\u201d is not a valid channel. Allowed: email, sms, letter, phone, in_person."]},
    )


def test_template_patch_with_a_stale_version_is_409(client_for, counselor, template):
    client = client_for(counselor)
    url = f"{TEMPLATES_URL}{template.pk}/"
    assert client.patch(url, {"body": "New {date}", "version": 1}, format="json").json()["version"] == 2
    stale = client.patch(url, {"body": "Other", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert client.patch(url, {"body": "{oops}", "version": 2}, format="json").status_code == 400
    assert CommunicationTemplate.objects.get().body == "New {date}"
