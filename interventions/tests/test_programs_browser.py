"""End to end in Chromium on a phone-sized screen: a counsellor makes a program from a template,
generates a series, enrolls a student from the risk list, takes a session's attendance and sees the
fidelity figure change. The clock is pinned to a Monday after today (cookies stay valid in the real
browser), then moved to just after the first session."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from core.testing.browser import settled
from interventions.models import Enrollment, InterventionSession, SessionAttendance
from interventions.tests.factories import AlertFactory, InterventionTemplateFactory
from students.tests.factories import StudentFactory


def next_monday_morning() -> datetime.datetime:
    today = datetime.date.today()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    return timezone.make_aware(datetime.datetime.combine(monday, datetime.time(7, 0)))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_counsellor_runs_a_program_from_template_to_attendance(live_server, page, school, counselor):
    start = next_monday_morning()
    monday = start.date()
    with time_machine.travel(start, tick=True) as clock:
        template = InterventionTemplateFactory(
            school=school, name="Attendance mentoring", duration_minutes=30, default_weeks=2
        )
        student = StudentFactory(school=school, first_name="Ana", last_name="Diaz")
        AlertFactory(school=school, student=student, severity="high")

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", counselor.username)
        page.fill("input[name=password]", "pass-12345")
        page.click("button[type=submit]")
        expect(page.locator("#programs-dashboard")).to_be_visible()

        page.goto(f"{live_server.url}/programs/")
        form = page.locator("#new-program form")
        form.locator("select[name=template]").select_option(str(template.pk))
        form.locator("input[name=name]").fill("Mentoring group A")
        form.locator("input[name=start_date]").fill(monday.isoformat())
        form.get_by_role("button", name="Create program").click()
        expect(page.locator("h1")).to_have_text("Mentoring group A")
        settled(page)
        page.get_by_role("button", name="Start the program").click()
        expect(page.locator("#messages")).to_contain_text("The program is now active.")
        settled(page)

        page.locator("#generate summary").click()
        series = page.locator("#generate form")
        series.locator("input[name=date_from]").fill(monday.isoformat())
        series.locator("input[name=date_to]").fill((monday + datetime.timedelta(days=11)).isoformat())
        series.locator("input[name=weekdays][value='0']").check()
        series.locator("input[name=weekdays][value='2']").check()
        series.locator("input[name=start]").fill("09:00")
        series.locator("input[name=location]").fill("Room 5")
        series.get_by_role("button", name="Generate sessions").click()
        expect(page.locator("#messages")).to_contain_text("4 sessions scheduled.")
        settled(page)
        expect(page.locator("#fidelity-card")).to_contain_text("No session due yet")

        risk_row = page.locator(f'tr[data-risk-student="{student.pk}"]')
        expect(risk_row).to_contain_text("Consecutive absences (high)")
        risk_row.get_by_role("button", name="Enroll").click()
        expect(page.locator("#messages")).to_contain_text("Ana Diaz enrolled.")
        assert Enrollment.objects.get(student=student).source == "risk_list"

        # The first session has been held: due, not yet delivered.
        clock.move_to(start + datetime.timedelta(hours=2, minutes=40))
        page.reload()
        expect(page.locator("#fidelity-card")).to_contain_text("0 / 1 delivered (0 %)")
        expect(page.locator("#fidelity-card .fidelity-low")).to_be_visible()

        page.locator(".sessions-table tbody tr").first.get_by_role("link", name="Take attendance").click()
        row = page.locator(f'tr[data-student="{student.pk}"]')
        expect(row.locator("input[value=present]")).to_be_checked()
        settled(page)
        row.locator("label:has(input[value=absent])").click()
        expect(row.locator("input[value=absent]")).to_be_checked()
        save = page.get_by_role("button", name="Save attendance")
        expect(save).to_be_in_viewport()
        save.click()
        expect(page.locator("#session-attendance-form")).to_contain_text("Attendance saved.")
        expect(page.locator(".taken-by")).to_have_text(counselor.display_name)
        assert SessionAttendance.objects.get(student=student).status == "absent"
        assert InterventionSession.objects.filter(status="completed").count() == 1

        page.get_by_role("link", name="Program", exact=True).click()
        expect(page.locator("#fidelity-card")).to_contain_text("1 / 1 delivered (100 %)")
        expect(page.locator("#fidelity-card .fidelity-low")).to_have_count(0)
        expect(page.locator(".enrollments-table")).to_contain_text(re.compile(r"0\s*%"))
