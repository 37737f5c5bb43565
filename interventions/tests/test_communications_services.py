"""The contact log's services: placeholders, every channel's success and failure, retry, roles."""

import datetime

import pytest
from django.core import mail
from django.test import override_settings

from core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from core.models import AuditLog
from interventions.communications import placeholders, services
from interventions.communications.models import Channel, CommunicationLog
from interventions.tests.communication_factories import CommunicationTemplateFactory
from interventions.tests.communications_helpers import FAILING_EMAIL, FAILING_SMS
from students.tests.factories import ClassGroupFactory, StudentFactory

pytestmark = pytest.mark.django_db
Status = CommunicationLog.Status
ON = datetime.date(2026, 10, 6)


@pytest.fixture
def student(school):
    return StudentFactory(
        school=school,
        first_name="Sam",
        last_name="Lee",
        guardian_name="Ann Lee",
        guardian_email="ann.lee@example.org",
        guardian_phone="+44 7700 900111",
        guardian_address="12 Mill Lane\nNorthtown\nNT1 4AB",
    )


@pytest.fixture
def template(school):
    return CommunicationTemplateFactory(school=school, channel=Channel.EMAIL)


def test_placeholders_known_pass_and_literal_braces_are_allowed():
    assert placeholders.placeholder_errors("Dear {guardian_name}, {{not a placeholder}} on {date}") == []


@pytest.mark.parametrize(
    "text",
    ["Hello {student_name}", "Hello {student_first_name.__class__}", "{date:%Y}", "{date!r}", "Hello {", "}", "{0}"],
)
def test_unknown_or_malformed_placeholders_are_refused(text):
    assert placeholders.placeholder_errors(text)


def test_template_with_an_unknown_placeholder_is_refused_when_saved(counselor):
    with pytest.raises(ApplicationError) as exc:
        services.template_create(actor=counselor, name="Bad", channel="email", subject="Hi {nme}", body="Body {x}")
    assert set(exc.value.field_errors) == {"subject", "body"}
    assert "{nme}" in exc.value.field_errors["subject"][0]


def test_template_update_is_versioned(counselor):
    template = services.template_create(actor=counselor, name="Absence", channel="sms", body="{student_first_name}")
    services.template_update(actor=counselor, template=template, version=1, body="{student_first_name} absent")
    assert template.version == 2
    with pytest.raises(ConflictError):
        services.template_update(actor=counselor, template=template, version=1, body="again")
    assert AuditLog.objects.filter(entity_type="interventions.communicationtemplate", action="update").count() == 1


def test_form_master_may_not_write_templates(form_master):
    with pytest.raises(PermissionDeniedError):
        services.template_create(actor=form_master, name="x", channel="email", body="x")


def test_email_from_a_template_goes_to_the_guardian_and_is_logged_with_its_audit_row(counselor, student, template):
    log = services.communication_send(actor=counselor, student=student, channel="email", template=template, on=ON)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ann.lee@example.org"]
    assert message.subject == "Sam was absent"
    assert message.body == "Dear Ann Lee, Sam Lee was absent on 6 October 2026. North High"
    assert (log.status, log.recipient, log.template, log.actor, log.error) == (
        Status.SENT,
        "ann.lee@example.org",
        template,
        counselor,
        "",
    )
    assert log.sent_at is not None
    entry = AuditLog.objects.get(action="communication_sent", entity_id=str(log.pk))
    assert entry.after["status"] == "sent" and entry.actor == counselor


def test_a_refused_email_is_a_failed_row_with_the_error_and_a_retry_sends_it(counselor, student, template):
    with override_settings(EMAIL_BACKEND=FAILING_EMAIL):
        log = services.communication_send(actor=counselor, student=student, channel="email", template=template)
    assert log.status == Status.FAILED and log.sent_at is None
    assert "mailbox unavailable" in log.error
    assert len(mail.outbox) == 0

    with override_settings(EMAIL_BACKEND=FAILING_EMAIL):
        again = services.communication_retry(actor=counselor, log_id=log.pk)
    assert (again.status, again.attempts) == (Status.FAILED, 2)

    retried = services.communication_retry(actor=counselor, log_id=log.pk)
    assert (retried.status, retried.attempts, retried.error) == (Status.SENT, 3, "")
    assert len(mail.outbox) == 1
    assert CommunicationLog.objects.count() == 1
    assert AuditLog.objects.filter(action="communication_sent", entity_id=str(log.pk)).count() == 3
    with pytest.raises(ApplicationError):
        services.communication_retry(actor=counselor, log_id=log.pk)  # sent: nothing to retry


def test_sms_goes_through_the_file_backend(counselor, student, tmp_path):
    with override_settings(SMS_FILE_PATH=str(tmp_path)):
        log = services.communication_send(
            actor=counselor, student=student, channel="sms", body="{student_first_name} absent on {date}", on=ON
        )
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    assert files[0].read_text() == "To: +44 7700 900111\n\nSam absent on 6 October 2026\n"
    assert (log.status, log.recipient, log.body) == (Status.SENT, "+44 7700 900111", "Sam absent on 6 October 2026")


def test_a_refused_sms_is_failed_and_retried(counselor, student, tmp_path):
    with override_settings(SMS_BACKEND=FAILING_SMS):
        log = services.communication_send(actor=counselor, student=student, channel="sms", body="Call us")
    assert log.status == Status.FAILED and "provider refused" in log.error
    with override_settings(SMS_FILE_PATH=str(tmp_path)):
        services.communication_retry(actor=counselor, log_id=log.pk)
    log.refresh_from_db()
    assert log.status == Status.SENT and len(list(tmp_path.iterdir())) == 1


def test_a_letter_is_a_pdf_with_the_address_block(counselor, student):
    log = services.communication_send(
        actor=counselor, student=student, channel="letter", subject="Attendance", body="Dear {guardian_name}"
    )
    assert log.status == Status.SENT
    assert log.recipient == "Ann Lee\n12 Mill Lane\nNorthtown\nNT1 4AB"
    pdf = services.letter_pdf(log)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1000


@pytest.mark.parametrize(
    ("channel", "cleared", "message"),
    [
        ("email", "guardian_email", "no guardian email address"),
        ("sms", "guardian_phone", "no guardian phone number"),
        ("phone", "guardian_phone", "no guardian phone number"),
        ("letter", "guardian_address", "no guardian postal address"),
    ],
)
def test_no_address_or_phone_for_the_channel_is_refused_and_nothing_is_logged(
    counselor, student, channel, cleared, message
):
    setattr(student, cleared, "")
    with pytest.raises(ApplicationError) as exc:
        services.communication_send(actor=counselor, student=student, channel=channel, body="Hello")
    assert message in exc.value.field_errors["channel"][0]
    assert CommunicationLog.objects.count() == 0
    assert len(mail.outbox) == 0


@pytest.mark.parametrize("channel", ["phone", "in_person"])
def test_a_call_or_visit_records_its_outcome(counselor, student, channel):
    log = services.communication_send(actor=counselor, student=student, channel=channel, body="No answer.")
    assert (log.status, log.body) == (Status.LOGGED, "No answer.")
    with pytest.raises(ApplicationError) as exc:
        services.communication_send(actor=counselor, student=student, channel=channel, body="  ")
    assert "body" in exc.value.field_errors


def test_a_template_of_another_channel_is_refused(counselor, student, template):
    with pytest.raises(ApplicationError) as exc:
        services.communication_send(actor=counselor, student=student, channel="sms", template=template)
    assert "template" in exc.value.field_errors


def test_form_master_contacts_their_forms_students_only(school, form_master, other_form_master, teacher):
    mine = StudentFactory(school=school, class_group=ClassGroupFactory(school=school, form_master=form_master))
    theirs = StudentFactory(school=school, class_group=ClassGroupFactory(school=school, form_master=other_form_master))
    log = services.communication_send(actor=form_master, student=mine, channel="phone", body="Reached.")
    assert log.actor == form_master
    with pytest.raises(PermissionDeniedError):
        services.communication_send(actor=form_master, student=theirs, channel="phone", body="Reached.")
    with pytest.raises(PermissionDeniedError):
        services.communication_send(actor=teacher, student=mine, channel="phone", body="Reached.")


def test_another_schools_admin_cannot_contact_or_retry(other_admin, counselor, student):
    with pytest.raises(PermissionDeniedError):
        services.communication_send(actor=other_admin, student=student, channel="phone", body="Reached.")
    with override_settings(EMAIL_BACKEND=FAILING_EMAIL):
        log = services.communication_send(actor=counselor, student=student, channel="email", body="Hello")

    with pytest.raises(NotFoundError):
        services.communication_retry(actor=other_admin, log_id=log.pk)
