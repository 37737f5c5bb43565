"""End to end: a counsellor moves an inquiry across the board and enrols it."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.testing.browser import settled
from students.admissions.models import Inquiry
from students.tests.admissions_helpers import new_inquiry
from students.tests.factories import AcademicYearFactory, ClassGroupFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_counsellor_moves_an_inquiry_across_the_board_and_enrols_it(page, live_server, school, make_user):
    today = timezone.localdate()
    counselor = make_user("counselor", school, username="north-counselor", first_name="Cora", last_name="Counsellor")
    year = AcademicYearFactory(
        school=school,
        name="This year",
        start_date=today - datetime.timedelta(days=100),
        end_date=today + datetime.timedelta(days=200),
    )
    form = ClassGroupFactory(school=school, academic_year=year, name="Form 1A", grade_level=1)
    inquiry = new_inquiry(counselor, today=today, student_name="Rosa Parks", source="referral", received_on=today)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("north-counselor")
    page.get_by_label("Password").fill("pass-12345")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Admissions", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/admissions/")
    settled(page)

    card = page.locator(f"#inquiry-{inquiry.pk}")
    expect(page.locator('.board-column[data-status="new"]').locator(f"#inquiry-{inquiry.pk}")).to_be_visible()
    for status, label in (("contacted", "contacted"), ("follow_up_scheduled", "follow-up scheduled")):
        card.get_by_label("Move Rosa Parks to").select_option(status)
        expect(page.locator("#board .flash")).to_have_text(f"Rosa Parks moved to {label}.")
        column = page.locator(f'.board-column[data-status="{status}"]')
        expect(column.locator(f"#inquiry-{inquiry.pk}")).to_be_visible()
        settled(page)  # the swapped board is live only once htmx has settled it

    card.get_by_role("link", name="Enrol…").click()
    expect(page).to_have_url(re.compile(rf"/admissions/{inquiry.pk}/#enrol$"))
    settled(page)
    page.locator('#enrol-form select[name="class_group"]').select_option(str(form.pk))
    page.locator('#enrol-form input[name="student_id"]').fill("ADM-777")
    page.get_by_role("button", name="Enrol student").click()
    expect(page.locator("#messages .flash")).to_have_text("Rosa Parks enrolled in Form 1A.")
    expect(page.get_by_role("link", name="Rosa Parks (ADM-777)")).to_be_visible()

    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.ENROLLED
    assert (inquiry.student.student_id, inquiry.student.guardian_phone) == ("ADM-777", inquiry.phone)
