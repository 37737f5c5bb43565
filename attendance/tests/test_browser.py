"""The register in a real browser: a teacher marks two absences, saves, reloads and sees them."""

import pytest

from attendance.models import AttendanceRecord
from students.tests.factories import StudentFactory

PASSWORD = "pass-12345"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_teacher_takes_todays_register(page, live_server, teacher, form, school_day):
    students = [
        StudentFactory(school=form.school, class_group=form, first_name=first, last_name=last)
        for first, last in [("Ada", "Lovelace"), ("Alan", "Turing"), ("Grace", "Hopper"), ("Edsger", "Dijkstra")]
    ]
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", teacher.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    url = f"{live_server.url}/attendance/register/{form.pk}/{school_day.isoformat()}/"
    page.goto(url)
    for student, reason in ((students[0], "Flu"), (students[1], "Dentist")):
        row = page.locator(f"tr[data-student='{student.pk}']")
        row.get_by_text("Absent", exact=True).click()
        reason_box = row.locator("input.reason")
        reason_box.wait_for(state="visible")
        reason_box.fill(reason)
    # Present students have no reason box to fill.
    assert not page.locator(f"tr[data-student='{students[2].pk}'] input.reason").is_visible()
    page.get_by_role("button", name="Save register").click()
    page.locator("text=Register saved.").wait_for()

    page.reload()
    for student, reason in ((students[0], "Flu"), (students[1], "Dentist")):
        row = page.locator(f"tr[data-student='{student.pk}']")
        assert row.locator("input[value='absent']").is_checked()
        assert row.locator("input.reason").input_value() == reason
        assert f"marked by {teacher.display_name}" in row.inner_text()
    assert page.locator(".taken-by").inner_text() == teacher.display_name
    assert AttendanceRecord.objects.filter(date=school_day, status="absent").count() == 2
    assert AttendanceRecord.objects.filter(date=school_day, status="present").count() == 2
