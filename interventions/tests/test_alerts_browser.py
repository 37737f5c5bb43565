"""End to end: a teacher records a third absence in a row; the form master sees the alert and acknowledges it.
Also the register API's wiring to the alert refresh, without a browser."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from interventions.models import Alert
from interventions.tests.alerts_helpers import make_form, make_student, mark
from students.tests.factories import AcademicYearFactory


def recent_school_days(count: int) -> list[datetime.date]:
    """The last `count` weekdays up to today, oldest first (the register refuses future days)."""
    days, current = [], timezone.localdate()
    while len(days) < count:
        if current.weekday() < 5:
            days.append(current)
        current -= datetime.timedelta(days=1)
    return list(reversed(days))


def form_around_today(school, form_master):
    today = timezone.localdate()
    year = AcademicYearFactory(
        school=school, start_date=today - datetime.timedelta(days=150), end_date=today + datetime.timedelta(days=200)
    )
    return make_form(school, form_master=form_master, year=year)


@pytest.mark.django_db(transaction=True)
def test_saving_a_register_through_the_api_raises_the_alert_the_same_day(school, form_master, teacher, client_for):
    first, second, third = recent_school_days(3)
    form = form_around_today(school, form_master)
    student = make_student(school, form)
    classmate = make_student(school, form)
    mark(student, {first: "absent", second: "absent"})

    response = client_for(teacher).post(
        "/api/attendance/bulk/",
        {"class_group": form.pk, "date": third.isoformat(), "records": [{"student": student.pk, "status": "absent"}]},
        format="json",
    )

    assert response.status_code == 200, response.content
    alert = Alert.objects.get(student=student, kind=Alert.Kind.CONSECUTIVE_ABSENCES)
    assert (alert.status, alert.assigned_to, alert.details["days"]) == ("open", form_master, 3)
    assert alert.details["last_date"] == third.isoformat()
    assert not Alert.objects.filter(student=classmate).exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_form_master_sees_the_alert_after_the_third_absence_and_acknowledges_it(page, live_server, school, make_user):
    form_master = make_user("form_master", school, username="north-fm1", first_name="Femi", last_name="Okafor")
    make_user("teacher", school, username="north-teacher")
    first, second, third = recent_school_days(3)
    form = form_around_today(school, form_master)
    student = make_student(school, form, first_name="Maya", last_name="Quist")
    mark(student, {first: "absent", second: "absent"})

    def log_in(username):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill("pass-12345")
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(f"{live_server.url}/")

    # The teacher takes the register and marks the third absence in a row.
    log_in("north-teacher")
    page.goto(f"{live_server.url}/attendance/register/{form.pk}/{third.isoformat()}/")
    page.locator(f'input[name="status-{student.pk}"][value="absent"]').check()
    page.get_by_role("button", name="Save register").click()
    expect(page.get_by_text("Register saved.")).to_be_visible()
    page.get_by_role("button", name="Log out north-teacher").click()

    # The form master finds it on the home page and on /alerts/, and acknowledges it.
    log_in("north-fm1")
    expect(page.locator("#dashboard-alerts")).to_contain_text("Maya Quist")
    page.goto(f"{live_server.url}/alerts/")
    alert = Alert.objects.get(student=student, kind=Alert.Kind.CONSECUTIVE_ABSENCES)
    row = page.locator(f"#alert-{alert.pk}")
    expect(row).to_contain_text("Absent 3 school days in a row")
    expect(row.get_by_role("link", name="Record meeting")).to_have_attribute(
        "href", f"/form-master/interventions/?record_for={student.pk}&alert={alert.pk}"
    )
    row.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(f"#alert-{alert.pk} .badge-acknowledged")).to_have_text("Acknowledged")
    alert.refresh_from_db()
    assert (alert.status, alert.version) == (Alert.Status.ACKNOWLEDGED, 2)
