"""End to end in Chromium, on a phone and a desktop: a counsellor emails a guardian from a template on the
student's profile and sees it in the contact log."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from core.testing.browser import settled
from interventions.communications.models import CommunicationLog
from interventions.tests.communication_factories import CommunicationTemplateFactory
from students.tests.factories import ClassGroupFactory, StudentFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_counsellor_emails_the_guardian_from_a_template(live_server, page, school, counselor, viewport):
    page.set_viewport_size(viewport)
    student = StudentFactory(
        school=school,
        class_group=ClassGroupFactory(school=school),
        first_name="Sam",
        last_name="Lee",
        guardian_name="Ann Lee",
        guardian_email="ann.lee@example.org",
    )
    template = CommunicationTemplateFactory(
        school=school, name="Absence today", channel="email", subject="{student_first_name} was absent"
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", counselor.username)
    page.fill("input[name=password]", "pass-12345")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/students/{student.pk}/")
    section = page.locator("#contact-log")
    expect(section).to_contain_text("No contact with the guardian recorded yet.")
    section.get_by_role("link", name="Contact guardian").click()

    email = page.locator("#contact-email")
    expect(email).to_be_attached()
    settled(page)
    email.locator("summary").click()
    email.locator("select[name=email-template]").select_option(str(template.pk))
    email.get_by_role("button", name="Send email").click()

    panel = page.locator("#contact-panel")
    expect(panel.locator(".flash-success")).to_have_text("Email sent to ann.lee@example.org.")
    row = panel.locator(".contact-log tbody tr").first
    expect(row).to_contain_text("Sam was absent")
    expect(row.locator(".badge")).to_have_text("Sent")
    assert CommunicationLog.objects.get().status == "sent"
    assert mail.outbox[-1].to == ["ann.lee@example.org"]

    page.get_by_role("link", name="Back to Sam Lee").click()
    expect(page.locator("#contact-log .contact-log tbody tr")).to_have_count(1)
    expect(page.locator("#contact-log")).to_contain_text("Sam was absent")
