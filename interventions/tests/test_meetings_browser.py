"""End to end in Chromium: record a meeting from an alert, follow it up, filter the table."""

import re

import pytest
from playwright.sync_api import expect

from interventions.models import Alert, InterventionMeeting
from interventions.tests.factories import AlertFactory
from students.tests.factories import ClassGroupFactory, StudentFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_form_master_records_from_alert_and_follows_up(live_server, page, school, form_master):
    form = ClassGroupFactory(school=school, form_master=form_master, name="Form 2B")
    student = StudentFactory(school=school, class_group=form, first_name="Sam", last_name="Lee")
    alert = AlertFactory(school=school, student=student, severity=Alert.Severity.HIGH)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", form_master.username)
    page.fill("input[name=password]", "pass-12345")
    page.click("button[type=submit]")
    expect(page.locator("#intervention-quick-access")).to_be_visible()

    page.goto(f"{live_server.url}/form-master/interventions/?record_for={student.pk}&alert={alert.pk}")
    dialog = page.locator("#record-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("select[name=student]")).to_have_value(str(student.pk))
    dialog.locator("select[name=root_cause]").select_option("family")
    dialog.locator("textarea[name=intervention_notes]").fill("Met Sam with the guardian.")
    # Leave the plan blank first: the error appears inline, in the dialog.
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator("#id_action_plan-errors")).to_contain_text("This field is required.")
    dialog.locator("textarea[name=action_plan]").fill("Daily check-in for two weeks.")
    dialog.locator("button[type=submit]").click()

    expect(page.locator("#messages")).to_contain_text("Meeting recorded for Sam Lee. The alert was acknowledged.")
    row = page.locator("#meetings-table tbody tr").first
    expect(row).to_contain_text("Sam Lee")
    expect(row.locator(".badge-open")).to_have_text("Open")
    expect(page.locator('[data-stat="open"] .value')).to_have_text("1")
    alert.refresh_from_db()
    assert alert.status == "acknowledged"

    row.get_by_role("button", name="Progress").click()
    tracker = page.locator("#tracker-panel")
    expect(tracker.locator("select[name=status] option")).to_have_count(4)  # keep + monitoring, escalated, closed
    tracker.locator("textarea[name=update_text]").fill("Came in every day this week.")
    tracker.locator("select[name=status]").select_option("monitoring")
    tracker.locator("button[type=submit]").click()
    expect(tracker).to_contain_text("Update added.")
    tracker.locator("textarea[name=update_text]").fill("Still coming in, on time too.")
    tracker.locator("select[name=status]").select_option("improving")
    tracker.locator("button[type=submit]").click()
    expect(tracker.locator(".progress-history li")).to_have_count(2)
    expect(tracker.locator(".progress-history li").first).to_contain_text("Still coming in")

    # The table and its stats cards reload after the move.
    expect(page.locator('[data-stat="improving"] .value')).to_have_text("1")
    expect(page.locator('[data-stat="open"] .value')).to_have_text("0")
    expect(page.locator("#meetings-table tbody tr").first.locator(".badge-improving")).to_have_text("Improving")

    page.locator("select[name=status]").first.select_option("open")
    expect(page.locator("#meetings-table")).to_contain_text("No meetings match.")
    expect(page).to_have_url(re.compile(r"status=open"))
    page.locator("#meeting-filters select[name=status]").select_option("improving")
    expect(page.locator("#meetings-table tbody tr")).to_have_count(1)
    expect(page.locator("#meetings-table")).to_contain_text("Sam Lee")
    assert InterventionMeeting.objects.get().status == "improving"
