"""End to end in Chromium, on a phone and a desktop: the progress chart renders with its aim line, and
its figures are behind the table toggle."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from interventions.outcomes.models import ProgressNote
from interventions.tests.factories import EnrollmentFactory, InterventionFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_progress_chart_renders_with_its_aim_line(live_server, page, school, counselor, viewport):
    page.set_viewport_size(viewport)
    program = InterventionFactory(school=school, owner=counselor, name="Reading group")
    enrollment = EnrollmentFactory(
        intervention=program,
        school=school,
        baseline=Decimal("2"),
        goal=Decimal("4"),
        goal_date=program.start_date + datetime.timedelta(days=42),
    )
    now = timezone.now()
    for days_ago, rating in ((9, 2), (6, 3), (3, 3), (1, 4)):
        ProgressNote.objects.create(
            school=school,
            intervention=program,
            student=enrollment.student,
            note="ok",
            rating=rating,
            entered_by=counselor,
            entered_at=now - datetime.timedelta(days=days_ago),
        )

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", counselor.username)
    page.fill("input[name=password]", "pass-12345")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/programs/enrollments/{enrollment.pk}/progress/")

    canvas = page.locator("#progress-chart")
    expect(canvas).to_be_visible()
    page.wait_for_function("window.progressChart !== undefined && window.attendanceChart !== undefined")
    labels = page.evaluate("window.progressChart.data.datasets.map(d => d.label)")
    assert labels[:2] == ["Ratings", "Aim line"] and labels[2].startswith("Trend (")
    aim = page.evaluate("window.progressChart.data.datasets[1].data")
    assert aim == [{"x": 0, "y": 2.0}, {"x": 42, "y": 4.0}]
    assert page.evaluate("Object.keys(window.progressChart.options.plugins.annotation.annotations)") == [
        "baseline",
        "goalDate",
    ]
    box = canvas.bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    expect(page.locator("#verdict")).to_contain_text("track")

    table = page.locator("#chart-table")
    expect(table.locator("table").first).not_to_be_visible()
    table.locator("summary").click()
    expect(table.locator("table").first.locator("tbody tr")).to_have_count(4)
    expect(table).to_contain_text("Baseline at the start")
