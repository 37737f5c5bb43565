"""The profile's ABC panel in a real browser on a phone-sized screen: it changes after a behaviour
quick-log (htmx, without a reload) and after the form's register is saved."""

import datetime

import pytest

from interventions.risk import services
from interventions.risk.tests.helpers import attendance
from students.academics.tests.factories import SubjectEnrollmentFactory
from students.tests.factories import StudentFactory

PASSWORD = "pass-12345"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_abc_panel_follows_a_behaviour_log_and_a_register_save(page, live_server, teacher, school, form, school_day):
    kofi = StudentFactory(school=school, class_group=form, first_name="Kofi", last_name="Mensah", gender="male")
    SubjectEnrollmentFactory(school=school, student=kofi, teacher=teacher)  # behaviour for his form is hers to log
    # 40 present days before the register's day (which stays unmarked until the register is saved).
    attendance(kofi, attended=40, marked=40, end=school_day - datetime.timedelta(days=1))
    services.compute_for_school(school=school)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", teacher.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/students/{kofi.pk}/")
    panel = page.locator("#abc-panel")
    assert "No counted penalty" in panel.inner_text()
    assert panel.locator("h2 .risk-level").get_attribute("data-level") == "0"

    # Each reload of the panel answers slowly, so the third save's event arrives while the second's reload
    # is still in flight: the panel must still end on the third (a queued request on a swapped-out panel
    # would be dropped).
    def slow_panel(route):
        response = route.fetch()  # the panel as the server has it now, delivered late
        page.wait_for_timeout(1500)
        route.fulfill(response=response)

    page.route(f"**/risk/students/{kofi.pk}/", slow_panel)
    log = page.locator(f"#behaviour-log-{kofi.pk}")
    for n in range(3):
        page.locator(f"#behaviour-log-{kofi.pk} input[name=reason]").fill(f"Phone out in class ({n + 1})")
        page.locator(f"#behaviour-log-{kofi.pk}").get_by_role("button", name="− Penalty").click()
        log = page.locator(f"#behaviour-log-{kofi.pk}")
        log.locator(f"text=Phone out in class ({n + 1})").first.wait_for()
    # The panel reloads itself on the behaviour-saved event: behaviour level 2, without a page reload.
    page.locator("#abc-panel >> text=3 counted penalties in the last 45 school days").wait_for()
    assert page.locator("#abc-panel h2 .risk-level").get_attribute("data-level") == "2"

    # Today's register marks Kofi absent: the profile's attendance figures now count that day.
    page.goto(f"{live_server.url}/attendance/register/{form.pk}/{school_day.isoformat()}/")
    page.locator(f"tr[data-student='{kofi.pk}'] label[title='Absent']").click()
    page.get_by_role("button", name="Save register").click()
    page.locator("text=Register saved.").wait_for()
    page.goto(f"{live_server.url}/students/{kofi.pk}/")
    assert "Attended 40 of all 41 marked school days" in page.locator("#abc-panel").inner_text()
