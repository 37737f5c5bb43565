"""Every page on a 390 × 844 phone and on a desktop, on the demo data, as each role that can see it: the
page's main action lies inside the viewport's width (no sideways scrolling) and axe-core reports no
serious or critical accessibility violation.

One live server for the module, the demo schools seeded once on a fixed school day (the clock is pinned,
ticking, so the pages look the same whatever day the suite runs), one login per role reused through
Playwright's storage state. A page added later gets a row in PAGES.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from core import demo
from core.tests.phone import (
    AXE_PATH,
    DESKTOP,
    PHONE,
    assert_in_view,
    assert_main_action_in_viewport,
    assert_no_serious_axe_violations,
    assert_no_sideways_scroll,
)

# The demo data is committed once by the module's fixture; each test runs in a transaction that is rolled
# back (the sessions and audit rows its requests write go with it).
pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.own_day]

PASSWORD = "phone-pass-2026"
# A Tuesday in the autumn term: registers were taken on the days before, today's are still to take.
DEMO_DAY = datetime.date(2026, 11, 17)
USERS = {"admin": "north-admin", "form_master": "north-fm1", "teacher": "north-teacher", "counselor": "north-counselor"}
EVERYONE = ("admin", "form_master", "teacher", "counselor")
TAKERS = ("admin", "form_master", "teacher")
MEETING_ROLES = ("admin", "form_master", "counselor")


@dataclass(frozen=True)
class PageCase:
    path: str  # may name {register}, {profile}, {program} or {session}, filled from the demo data
    roles: tuple[str | None, ...]
    main_action: dict[str | None, str]  # role → selector of the page's main action (none: no sideways scroll)
    desktop_role: str | None = "admin"  # the role whose page holds the most, checked at desktop size too


PAGES = {
    "login": PageCase("/accounts/login/", (None,), {None: "button[type=submit]"}, desktop_role=None),
    "dashboard": PageCase(
        "/",
        EVERYONE,
        {
            "admin": ".section-school-figures .register-chip",
            "form_master": ".section-todays-registers .register-chip",
            "teacher": ".section-todays-registers .register-chip",
            "counselor": "#intervention-quick-access a.stat-card",
        },
        desktop_role="form_master",
    ),
    "attendance": PageCase(
        "/attendance/", TAKERS, dict.fromkeys(TAKERS, "#attendance-day .action-link"), desktop_role="form_master"
    ),
    "register": PageCase(
        "{register}", TAKERS, dict.fromkeys(TAKERS, ".register-actions button[type=submit]"), desktop_role="form_master"
    ),
    "students": PageCase("/students/", EVERYONE, dict.fromkeys(EVERYONE, "#student-table .cell-title a")),
    "profile": PageCase(
        "{profile}",
        EVERYONE,
        {
            "admin": "#intervention-timeline .header-action",
            "form_master": "#intervention-timeline .header-action",
            "teacher": "[data-print]",
            "counselor": "[data-print]",
        },
    ),
    "alerts": PageCase(
        "/alerts/",
        EVERYONE,
        {
            # Admins act on every alert, a form master on their forms'; a counsellor reads them all; a
            # teacher sees only those assigned to them (none in the demo): the filter is what is left.
            **dict.fromkeys(("admin", "form_master"), "#alert-table tbody tr button[name=status]"),
            "counselor": "#alert-table tbody tr .cell-title a",
            "teacher": "#alert-filters select[name=status]",
        },
    ),
    "interventions": PageCase(
        "/form-master/interventions/",
        MEETING_ROLES,
        {
            "admin": "#record-meeting-button",
            "form_master": "#record-meeting-button",
            "counselor": "#meetings-table tbody tr .cell-action [role=button]",
        },
    ),
    # Programs, sessions, the contact log and admissions (SPEC §7, §9).
    "programs": PageCase("/programs/", EVERYONE, {}),
    "program": PageCase("{program}", MEETING_ROLES, {}),
    "session": PageCase("{session}", ("admin", "teacher"), {"teacher": "#save-attendance"}, desktop_role="teacher"),
    "contact": PageCase("{profile}contact/", MEETING_ROLES, dict.fromkeys(MEETING_ROLES, "#contact-email summary")),
    "progress": PageCase(
        "{progress}", ("admin", "counselor"), dict.fromkeys(("admin", "counselor"), "button[value=accepted]")
    ),
    "admissions": PageCase(
        "/admissions/", ("admin", "counselor"), dict.fromkeys(("admin", "counselor"), "summary[role=button]")
    ),
    # Risk, lessons and marks, subjects, outcomes and feedback (SPEC §5, §8, §9).
    "risk": PageCase("/risk/", EVERYONE, dict.fromkeys(EVERYONE, "#risk-table .cell-title a")),
    "risk-form": PageCase(
        "/risk/?class_group={form}",
        ("admin", "form_master"),
        dict.fromkeys(("admin", "form_master"), "#risk-table .cell-title a"),
    ),
    "lessons": PageCase("/lessons/", TAKERS, {}, desktop_role="teacher"),
    "marks": PageCase("/marks/", TAKERS, {}, desktop_role="teacher"),
    "subjects": PageCase("/subjects/", ("admin",), {"admin": "#subject-table .cell-title a"}),
    "subject": PageCase("{subject}", ("admin",), {}),
    "feedback-review": PageCase("/interventions/feedback/", ("admin", "counselor"), {}),
    "feedback-analytics": PageCase("/interventions/feedback/analytics/", ("admin", "counselor"), {}),
    "feedback-form": PageCase("{feedback}", (None,), {None: "button[type=submit]"}, desktop_role=None),
}
CASES = [
    pytest.param(name, role, id=f"{name}-{role or 'anonymous'}") for name, case in PAGES.items() for role in case.roles
]
DESKTOP_CASES = [
    pytest.param(name, case.desktop_role, id=f"{name}-{case.desktop_role or 'anonymous'}")
    for name, case in PAGES.items()
]


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """The demo schools on DEMO_DAY, served by a live server for the whole module; emptied afterwards."""
    from attendance.models import AttendanceRecord
    from interventions.feedback.services import feedback_link_create
    from interventions.programs.models import InterventionSession
    from students.academics.models import Subject
    from students.models import ClassGroup

    at = datetime.datetime.combine(DEMO_DAY, datetime.time(10, 30), tzinfo=ZoneInfo(settings.TIME_ZONE))
    # One demo school is enough here (tenancy has its own tests) and seeds in half the time.
    with (
        time_machine.travel(at, tick=True),
        django_db_blocker.unblock(),
        mock.patch.object(demo, "DEMO_SCHOOLS", demo.DEMO_SCHOOLS[:1]),
    ):
        demo.seed(password=PASSWORD, today=DEMO_DAY, log=lambda line: None)
        form = ClassGroup.objects.filter(form_master__username=USERS["form_master"]).order_by("name").first()
        # A student with something to show: absences on the calendar and in the table.
        record = (
            AttendanceRecord.objects.filter(student__class_group=form)
            .exclude(status="present")
            .order_by("student__last_name", "student__first_name")
            .first()
        )
        session = (
            InterventionSession.objects.filter(facilitator__username=USERS["teacher"], start_time__date__lte=DEMO_DAY)
            .exclude(status="cancelled")
            .order_by("-start_time")
            .first()
        )
        # The demo program whose first student meets its exit criteria: a recommendation to decide.
        from interventions.outcomes.models import ExitRecommendation

        recommended = ExitRecommendation.objects.filter(status="pending").order_by("id").first()
        _, token = feedback_link_create(
            actor=None, school_id=form.school_id, intervention=session.intervention, session=session
        )
        paths = {
            "form": form.pk,
            "subject": f"/subjects/{Subject.objects.filter(school_id=form.school_id).order_by('pk').first().pk}/",
            "feedback": f"/feedback/{token}/",
            "program": f"/programs/{session.intervention_id}/",
            "session": f"/programs/sessions/{session.pk}/",
            "register": f"/attendance/register/{form.pk}/{DEMO_DAY.isoformat()}/",
            "profile": f"/students/{record.student_id}/",
            "progress": f"/programs/enrollments/{recommended.enrollment_id}/progress/",
        }
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server.url, paths
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def contexts(browser, demo_site):
    """contexts(role, viewport) → one browser context per role and size for the whole module, signed in
    once through the login form (None: anonymous); each test opens and closes its own page in it."""
    url, _ = demo_site
    # The logins happen here, before any test: their sessions are committed with the demo data, not
    # rolled back with the first test that would use them.
    states = {None: None}
    for role, username in USERS.items():
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}/accounts/login/", wait_until="domcontentloaded")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/", wait_until="domcontentloaded")
        states[role] = context.storage_state()
        context.close()
    opened = {}

    def context_for(role, viewport):
        key = (role, viewport["width"], viewport["height"])
        if key not in opened:
            context = browser.new_context(viewport=viewport, storage_state=states[role])
            context.set_default_timeout(5_000)
            # axe-core in every page from its start: parsed once per page, and out of the page's CSP.
            context.add_init_script(path=str(AXE_PATH))
            opened[key] = context
        return opened[key]

    yield context_for
    for context in opened.values():
        context.close()


@pytest.fixture(scope="module")
def reused_pages(contexts):
    """reused_pages(role, viewport) → the one page of that context that the checks of the page matrix
    navigate in turn. Opening a page costs more than going to another address in it (each new page runs
    axe-core's init script for its blank document too); a navigation starts a new document, so nothing
    of one check's page stays for the next, and those checks change nothing but the address."""
    opened = {}

    def page_for(role, viewport):
        key = (role, viewport["width"], viewport["height"])
        if key not in opened or opened[key].is_closed():
            opened[key] = contexts(role, viewport).new_page()
        return opened[key]

    yield page_for
    for page in opened.values():
        page.close()


@pytest.fixture
def open_page(demo_site, contexts, reused_pages):
    """open_page(role, path, viewport) → a new page of the module's context of `role` at that size;
    with reuse=True, the context's page of the page matrix instead (for checks that only look)."""
    url, paths = demo_site
    pages = []
    listened = []

    def open_(role, path, viewport, *, reuse=False):
        if reuse:
            page = reused_pages(role, viewport)
        else:
            page = contexts(role, viewport).new_page()
            pages.append(page)
        errors = []

        def on_error(exc):
            errors.append(str(exc))

        def on_console(message):
            # A script, style or request the Content-Security-Policy refused is reported on the console.
            if is_csp_violation(message):
                errors.append(message.text)

        page.on("pageerror", on_error)
        page.on("console", on_console)
        listened.append((page, on_error, on_console))
        response = page.goto(url + path.format(**paths))
        assert response.status == 200, f"{path} as {role}: {response.status}"
        assert role is None or "/accounts/login/" not in page.url, f"{path} as {role}: signed out"
        page.script_errors = errors
        return page

    yield open_
    for page, on_error, on_console in listened:
        if not page.is_closed():
            page.remove_listener("pageerror", on_error)
            page.remove_listener("console", on_console)
    for page in pages:
        page.close()


def is_csp_violation(message) -> bool:
    return message.type == "error" and "Content Security Policy" in message.text


@pytest.mark.parametrize(("name", "role"), CASES)
def test_phone_main_action_in_reach_and_no_serious_axe_violations(open_page, name, role):
    case = PAGES[name]
    page = open_page(role, case.path, PHONE, reuse=True)
    assert_no_serious_axe_violations(page, label=f"{name} as {role or 'anonymous'}")
    if role in case.main_action:
        assert_main_action_in_viewport(page, case.main_action[role])
    assert_no_sideways_scroll(page)
    assert page.script_errors == []


@pytest.mark.parametrize(("name", "role"), DESKTOP_CASES)
def test_desktop_no_serious_axe_violations(open_page, name, role):
    case = PAGES[name]
    page = open_page(role, case.path, DESKTOP, reuse=True)
    assert_no_serious_axe_violations(page, label=f"{name} as {role or 'anonymous'}")
    if role in case.main_action:
        assert_main_action_in_viewport(page, case.main_action[role], min_size=None)
    assert_no_sideways_scroll(page)
    assert page.script_errors == []


def test_register_save_button_stays_in_reach_on_a_phone(open_page):
    """The register's save button is on screen at the top of the list and still after scrolling to its
    end; each status is a 44 px target and one tap marks it."""
    page = open_page("form_master", "{register}", PHONE)
    save = page.locator(".register-actions button[type=submit]")
    assert_in_view(page, save)
    labels = page.locator(".register-row").first.locator(".segmented label")
    for index in range(labels.count()):
        box = labels.nth(index).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
    last = page.locator(".register-row").last
    last.locator("label", has_text="Late").click()
    expect(last.locator("input[value=late]")).to_be_checked()
    expect(last.locator("input.reason")).to_be_visible()
    assert_in_view(page, save)


def test_interventions_on_a_phone_table_first_dialog_and_tracker_fit(open_page):
    """Stats fold into one line that opens on tap; the table starts on the first screen; the Record
    meeting dialog fits the screen, keeps the focus and gives it back; the tracker opens focused."""
    page = open_page("form_master", "/form-master/interventions/", PHONE)
    stats = page.locator("details.stats-fold")
    expect(stats).not_to_have_attribute("open", "")
    expect(page.locator("#stats-cards")).to_be_hidden()
    summary = page.locator("#stats-summary")
    expect(summary).to_contain_text("meetings")
    assert page.locator("#meetings-table tbody tr").first.bounding_box()["y"] < PHONE["height"]
    summary.click()
    expect(page.locator('#stats-cards [data-stat="total"]')).to_be_visible()

    opener = page.locator("#record-meeting-button")
    opener.click()
    dialog = page.locator("#record-dialog")
    expect(dialog).to_be_visible()
    assert_in_view(page, dialog)
    assert_no_serious_axe_violations(page)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('record-dialog').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()

    page.locator("#meetings-table tbody tr").first.get_by_role("button", name="Progress").click()
    tracker = page.locator("#tracker-panel")
    expect(tracker.locator("h2")).to_be_focused()
    box = tracker.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_serious_axe_violations(page)


def test_behaviour_quick_log_in_reach_on_a_phone(open_page):
    """The quick-log on the profile, and the one a form master opens from the students list, fit the
    phone: its buttons are 44 px targets inside the viewport, and the opened form passes axe."""
    page = open_page("form_master", "{profile}", PHONE)
    page.locator(".quick-log").scroll_into_view_if_needed()
    assert_main_action_in_viewport(page, ".quick-log .reward-button")
    assert_main_action_in_viewport(page, ".quick-log .penalty-button")

    page = open_page("form_master", "/students/", PHONE)
    page.locator("#student-table .log-behaviour").first.click()
    expect(page.locator("#student-table .quick-log").first).to_be_visible()
    assert_main_action_in_viewport(page, "#student-table .quick-log .reward-button")
    assert_no_serious_axe_violations(page, label="students with the quick-log open as form_master")


def test_progress_chart_page_prints_its_figures_without_buttons_or_forms(open_page):
    """Printed for a review: the verdict, the charts and the figures' table (folded on screen) are on
    paper; navigation, buttons and forms are not."""
    page = open_page("admin", "{progress}", DESKTOP)
    expect(page.locator("#chart-table")).not_to_have_attribute("open", "")
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    for shown in ("h1", "#verdict", "#progress-chart", "#chart-table table"):
        expect(page.locator(shown).first).to_be_visible()
    expect(page.locator("#chart-table > summary")).to_be_hidden()
    for hidden in (".site-header", "main button", "main form", "main [role=button]"):
        expect(page.locator(hidden).locator("visible=true")).to_have_count(0)
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    expect(page.locator("#chart-table")).not_to_have_attribute("open", "")


def test_filter_swap_is_announced(open_page):
    """An htmx swap says what it did through the polite live region."""
    page = open_page("admin", "/alerts/", DESKTOP)
    page.locator("#alert-filters select[name=status]").select_option("all")
    expect(page).to_have_url(re.compile(r"status=all"))
    expect(page.locator("#announcer")).to_have_text(re.compile(r"^\d+ alerts?$"))


@pytest.mark.parametrize("path", ["{profile}", "{program}"])
def test_profile_and_program_print_content_without_navigation_or_buttons(open_page, path):
    """Printed for a meeting with the family: the content, no navigation, buttons or forms."""
    page = open_page("admin", path, DESKTOP)
    page.emulate_media(media="print")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("table").first).to_be_visible()
    for hidden in (".site-header", "main button", "main form", "main [role=button]"):
        expect(page.locator(hidden).locator("visible=true")).to_have_count(0)


def test_api_docs_and_admin_run_under_the_csp(open_page):
    """Swagger UI (its set-up served as a file by the split view) and Django admin break no CSP rule;
    every page carries the policy: no inline script, no framing."""
    page = open_page("admin", "/api/docs/", DESKTOP)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("School Support API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.script_errors == []
    response = page.goto(page.url.split("/api/docs/")[0] + "/admin/")
    policy = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert (policy["script-src"], policy["style-src"], policy["frame-ancestors"]) == ("'self'", "'self'", "'none'")
    expect(page.locator("#site-name")).to_contain_text("School Support administration")
    page.goto(page.url + "students/student/")
    expect(page.locator("#result_list")).to_be_visible()
    assert page.script_errors == []
