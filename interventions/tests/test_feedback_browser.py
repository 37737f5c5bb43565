"""End to end: a family opens a feedback link, submits a negative comment, and the program's owner
finds it in their review list and resolves it."""

import pytest
from playwright.sync_api import expect

from core.testing.browser import settled
from interventions.feedback import services
from interventions.feedback.models import Feedback
from interventions.tests.factories import InterventionFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_family_answers_negatively_and_the_owner_resolves_it(page, live_server, school, make_user):
    owner = make_user("counselor", school, username="north-counselor", first_name="Cora", last_name="Counsellor")
    program = InterventionFactory(school=school, name="Homework club", owner=owner, status="completed")
    _, token = services.feedback_link_create(actor=owner, school_id=school.pk, intervention=program)

    # The family: no login, one question.
    page.goto(f"{live_server.url}/feedback/{token}/")
    expect(page.get_by_role("heading", name="How was Homework club?")).to_be_visible()
    page.get_by_label("2").check()
    page.get_by_label("Anything you would like to tell us?").fill(
        "The room was cold, the session started late and it was a waste of time."
    )
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    page.goto(f"{live_server.url}/feedback/{token}/")
    expect(page.get_by_text("Page not found")).to_be_visible()  # works once

    # The owner: the negative answer is in their review list; they resolve it.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("north-counselor")
    page.get_by_label("Password").fill("pass-12345")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Feedback", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/interventions/feedback/")
    feedback = Feedback.objects.get()
    row = page.locator(f"#feedback-{feedback.pk}")
    expect(row).to_contain_text("Negative")
    expect(row).to_contain_text("2/5")
    settled(page)
    row.get_by_label(f"What was done about feedback {feedback.pk}").fill("Moved the club to the library.")
    row.get_by_role("button", name="Resolve").click()
    expect(page.locator(f"#feedback-{feedback.pk}")).to_contain_text("Saved: Resolved.")
    feedback.refresh_from_db()
    assert (feedback.status, feedback.resolution, feedback.reviewed_by) == (
        "resolved",
        "Moved the club to the library.",
        owner,
    )
