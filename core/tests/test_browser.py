"""End to end in Chromium: a form master signs in through the real login form and sees their home page."""

import re

import pytest
from playwright.sync_api import expect

from core.models import AuditLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_form_master_logs_in_and_sees_the_dashboard(page, live_server, make_user, school):
    make_user("form_master", school, username="north-fm1", first_name="Femi", last_name="Okafor")

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_label("Username").fill("north-fm1")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")

    page.get_by_label("Password").fill("pass-12345")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Good day, Femi Okafor")
    nav = page.locator("ul.main-nav")
    expect(nav.get_by_role("link")).to_have_text(
        ["Home", "Attendance", "Students", "Alerts", "Interventions", "Programs", "Lessons", "Marks", "Risk"]
    )
    expect(nav.get_by_role("link", name="Admin")).to_have_count(0)

    # htmx requests carry the CSRF token from <body hx-headers>: a session POST to the API succeeds.
    page.wait_for_function("() => window.htmx !== undefined")  # deferred: may run after the heading shows
    with page.expect_response(lambda r: r.url.endswith("/api/audit/")) as posted:
        page.evaluate("htmx.ajax('POST', '/api/audit/', {values: {action: 'viewed_report'}, swap: 'none'})")
    assert posted.value.status == 201
    assert AuditLog.objects.get(action="client.viewed_report").actor.username == "north-fm1"

    page.get_by_role("button", name="Log out north-fm1").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
