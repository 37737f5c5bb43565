"""The page shell: login/logout, the home page per role, navigation, messages, htmx/CSRF, 403/404."""

import re

import pytest
from django.contrib import messages
from django.shortcuts import render
from django.urls import include, path
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from core import audit, sections
from core.errors import ApplicationError, ConflictError
from core.testing.queries import assert_query_count
from students.tests.fixtures import form, year  # noqa: F401

pytestmark = pytest.mark.django_db


def with_flash(request):
    messages.success(request, "Saved the register.")
    return render(request, "core/dashboard.html", {"sections": []})


def raise_boom(request):
    raise RuntimeError("secret-internal-detail")


def raise_refusal(request):
    raise ApplicationError(field_errors={"end_date": ["Must be on or after the start date."]})


def raise_conflict(request):
    raise ConflictError(current_version=3)


urlpatterns = [
    path("flash/", with_flash),
    path("boom/", raise_boom),
    path("refused/", raise_refusal),
    path("conflict/", raise_conflict),
    path("", include("school_support.urls")),
]


@pytest.fixture
def no_sections(monkeypatch):
    """The home page as it is before any app registers a section."""
    # Import the apps' sections first: imported while the list is swapped, they would register into
    # the throw-away list and be lost for the rest of the test process.
    autodiscover_modules("sections")
    monkeypatch.setattr(sections, "_sections", [])


def nav_labels(html: str) -> list[str]:
    nav = html.split('<ul class="main-nav">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', nav)


class TestLogin:
    def test_login_page_renders_the_form(self, client):
        response = client.get("/accounts/login/")
        html = response.content.decode()
        assert response.status_code == 200
        assert 'name="username"' in html and 'name="password"' in html
        assert "csrfmiddlewaretoken" in html
        assert 'class="main-nav"' not in html

    def test_login_with_the_form_lands_on_the_dashboard(self, client, form_master, no_sections):
        response = client.post("/accounts/login/", {"username": "north-fm1", "password": "pass-12345"}, follow=True)
        assert response.redirect_chain == [("/", 302)]
        html = response.content.decode()
        assert f"Good day, {form_master.display_name}" in html
        assert "Form master · North High" in html

    def test_wrong_password_shows_an_inline_error_without_hint(self, client, form_master):
        response = client.post("/accounts/login/", {"username": "north-fm1", "password": "nope"})
        assert response.status_code == 200
        html = response.content.decode()
        assert 'role="alert"' in html
        assert "Please enter a correct username and password" in html
        assert 'value="north-fm1"' in html

    def test_next_is_honoured(self, client, form_master):
        response = client.post(
            "/accounts/login/?next=/api/auth/me/",
            {"username": "north-fm1", "password": "pass-12345", "next": "/api/auth/me/"},
        )
        assert response["Location"] == "/api/auth/me/"

    def test_logout_is_a_post_that_returns_to_login(self, client, form_master):
        client.force_login(form_master)
        assert client.get("/accounts/logout/").status_code == 405
        response = client.post("/accounts/logout/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/"
        assert client.get("/")["Location"] == "/accounts/login/?next=/"


class TestDashboard:
    def test_anonymous_is_sent_to_login(self, client):
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/"

    def test_shell_renders_cleanly_with_no_sections(self, client, teacher, no_sections):
        client.force_login(teacher)
        with assert_query_count(2):
            response = client.get("/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "Nothing needs your attention right now." in html
        assert "Teacher · North High" in html

    @pytest.mark.parametrize(
        "role, expected",
        [
            (
                "admin",
                [
                    "Home",
                    "Attendance",
                    "Students",
                    "Alerts",
                    "Interventions",
                    "Programs",
                    "Admissions",
                    "Lessons",
                    "Marks",
                    "Subjects",
                    "Risk",
                    "Feedback",
                    "Admin",
                    "API",
                ],
            ),
            (
                "form_master",
                ["Home", "Attendance", "Students", "Alerts", "Interventions", "Programs", "Lessons", "Marks", "Risk"],
            ),
            ("teacher", ["Home", "Attendance", "Students", "Alerts", "Programs", "Lessons", "Marks", "Risk"]),
            (
                "counselor",
                ["Home", "Students", "Alerts", "Interventions", "Programs", "Admissions", "Risk", "Feedback"],
            ),
        ],
    )
    def test_navigation_by_role(self, client, make_user, school, role, expected, no_sections):
        client.force_login(make_user(role, school, username=f"nav-{role}"))
        html = client.get("/").content.decode()
        assert nav_labels(html) == expected
        assert 'aria-current="page">Home<' in html
        assert f"Log out nav-{role}" in html

    def test_admin_sees_recent_changes_of_their_school_only(self, client, admin_user, teacher, other_admin):
        audit.record(actor=teacher, action="update", entity_type="students.student", entity_id=41)
        audit.record(actor=other_admin, action="delete", entity_type="students.student", entity_id=99)
        client.force_login(admin_user)
        html = client.get("/").content.decode()
        assert "Recent changes" in html
        assert "Student #41" in html
        assert f"by {teacher.display_name}" in html
        assert "#99" not in html

    def test_recent_changes_query_count_is_flat(self, client, admin_user, make_user, school, monkeypatch):
        from core.dashboard_sections import recent_activity_section

        autodiscover_modules("sections")
        monkeypatch.setattr(
            sections, "_sections", [s for s in sections._sections if s.build is recent_activity_section]
        )
        client.force_login(admin_user)
        audit.record(actor=admin_user, action="create", entity_type="x", entity_id=1)
        with assert_query_count(3):
            client.get("/")
        for n in range(10):
            audit.record(
                actor=make_user("teacher", school, username=f"t{n}"), action="create", entity_type="x", entity_id=n
            )
        with assert_query_count(3):
            html = client.get("/").content.decode()
        assert html.count("<li>") >= 8

    def test_an_admins_whole_dashboard_takes_the_same_queries_for_few_and_many_rows(
        self, client, admin_user, form_master, counselor, school, form
    ):
        """Every section filled, then each with many more rows. Session, user; needs a first step (1);
        alerts: counts, top five; meetings: counts, first overdue; programs: today's sessions, programs
        behind their plan, the risk list (3); admissions due; feedback: rows, count; school figures: year,
        forms, students, registers, today's holiday (asked on a weekday only), the week's rate; recent
        changes (the header's school comes with the user)."""
        queries = 21 + (timezone.localdate().weekday() < 5)
        client.force_login(admin_user)
        client.get("/")
        fill_every_dashboard_section(school, form, form_master, counselor, 2)
        with assert_query_count(queries):
            html = client.get("/").content.decode()
        assert all(marker in html for marker in DASHBOARD_SECTIONS)
        assert html.count("Needy") >= 2
        fill_every_dashboard_section(school, form, form_master, counselor, 15)
        with assert_query_count(queries):
            response = client.get("/")
        html = response.content.decode()
        assert response.status_code == 200 and all(marker in html for marker in DASHBOARD_SECTIONS)
        first_step = html[html.index('id="dashboard-first-step"') :].split("</article>", 1)[0]
        assert first_step.count("<li>") == 10 and "See them all" in first_step

    def test_other_roles_do_not_see_recent_changes(self, client, teacher):
        audit.record(actor=teacher, action="update", entity_type="students.student", entity_id=41)
        client.force_login(teacher)
        assert "Recent changes" not in client.get("/").content.decode()


DASHBOARD_SECTIONS = (
    'id="dashboard-first-step"',
    'id="dashboard-alerts"',
    'id="intervention-quick-access"',
    'id="programs-dashboard"',
    'id="admissions-due"',
    'id="feedback-to-review"',
    'class="section-school-figures"',
    'class="recent-activity"',
)


def fill_every_dashboard_section(school, form, form_master, counselor, count):
    """`count` rows of each kind the admin's dashboard lists: students at risk with an open alert and an
    overdue meeting, sessions today of programs behind their plan, inquiries due, negative feedback,
    audit rows."""
    import datetime

    from attendance.models import Register
    from interventions.feedback.models import Feedback
    from interventions.models import Alert
    from interventions.risk import services as risk_services
    from interventions.risk.tests.helpers import attendance
    from interventions.tests.factories import (
        AlertFactory,
        InterventionFactory,
        InterventionMeetingFactory,
        InterventionSessionFactory,
    )
    from students.models import Inquiry
    from students.tests.factories import InquiryFactory, StudentFactory

    today = timezone.localdate()
    noon = timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))
    for n in range(count):
        student = StudentFactory(school=school, class_group=form, last_name=f"Needy{n}")
        attendance(student, attended=30, marked=45)
        AlertFactory(school=school, student=student, severity=(Alert.Severity.HIGH, Alert.Severity.LOW)[n % 2])
        meeting = InterventionMeetingFactory(
            school=school,
            student=student,
            created_by=form_master,
            meeting_date=today - datetime.timedelta(days=40),
            follow_up_date=today - datetime.timedelta(days=1 + n),
            status=("open", "escalated")[n % 2],
        )
        # An old case: it does not count as the first step of the last 30 days.
        type(meeting).objects.filter(pk=meeting.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
        program = InterventionFactory(school=school, owner=counselor)
        InterventionSessionFactory(intervention=program, start_time=noon)
        InterventionSessionFactory(intervention=program, start_time=noon - datetime.timedelta(days=7))
        InquiryFactory(
            school=school,
            counselor=counselor,
            status=Inquiry.Status.NEW,
            next_follow_up_date=today - datetime.timedelta(days=n % 3),
        )
        Feedback.objects.create(
            school=school,
            intervention=program,
            rating=1,
            comments="Nobody came.",
            sentiment=Feedback.Sentiment.NEGATIVE,
        )
        audit.record(actor=form_master, action="update", entity_type="students.student", entity_id=student.pk)
    Register.objects.get_or_create(
        school=school, class_group=form, date=today, defaults={"taken_by": form_master, "taken_at": timezone.now()}
    )
    risk_services.compute_for_school(school=school)


class TestShell:
    def test_htmx_and_css_are_served_locally_with_csrf_on_body(self, client, teacher, no_sections):
        client.force_login(teacher)
        html = client.get("/").content.decode()
        assert '<script src="/static/vendor/htmx.min.js"' in html
        assert "/static/vendor/pico.min.css" in html
        assert not re.search(r'(src|href)="(https?:)?//', html)
        token = re.search(r"""hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", html)
        assert token and len(token.group(1)) >= 32

    def test_pages_vary_on_hx_request(self, client, teacher, no_sections):
        client.force_login(teacher)
        assert "HX-Request" in client.get("/")["Vary"]

    @pytest.mark.urls("core.tests.test_pages")
    def test_messages_are_shown(self, client, teacher):
        client.force_login(teacher)
        html = client.get("/flash/").content.decode()
        assert '<div class="flash flash-success" role="status">Saved the register.</div>' in html

    def test_404_page_extends_the_shell_and_leaks_nothing(self, client, teacher, no_sections):
        client.force_login(teacher)
        response = client.get("/no/such/page/")
        html = response.content.decode()
        assert response.status_code == 404
        assert "Page not found" in html
        assert 'class="main-nav"' in html
        assert "/no/such/page/" not in html
        assert "urlpatterns" not in html.lower() and "Traceback" not in html

    def test_404_for_anonymous_has_no_navigation(self, client):
        response = client.get("/no/such/page/")
        assert response.status_code == 404
        assert 'class="main-nav"' not in response.content.decode()

    @pytest.mark.urls("core.tests.test_pages")
    def test_500_page_leaks_nothing(self, client, teacher):
        client.raise_request_exception = False
        client.force_login(teacher)
        response = client.get("/boom/")
        assert response.status_code == 500
        html = response.content.decode()
        assert "Something went wrong" in html
        assert "secret-internal-detail" not in html and "Traceback" not in html

    @pytest.mark.urls("core.tests.test_pages")
    def test_a_refusal_no_view_caught_is_the_400_page_saying_why_not_a_500(self, client, teacher):
        client.raise_request_exception = False
        client.force_login(teacher)
        response = client.get("/refused/")
        html = response.content.decode()
        assert response.status_code == 400
        assert "End date: Must be on or after the start date. Nothing was changed." in html
        assert 'class="main-nav"' in html
        fragment = client.get("/refused/", HTTP_HX_REQUEST="true")
        assert fragment.status_code == 400
        assert fragment.content.decode() == (
            '<p class="flash flash-error" role="alert">End date: Must be on or after the start date.</p>'
        )

    @pytest.mark.urls("core.tests.test_pages")
    def test_a_conflict_no_view_caught_is_a_409_page(self, client, teacher):
        client.raise_request_exception = False
        client.force_login(teacher)
        response = client.get("/conflict/")
        assert response.status_code == 409
        assert "Someone else changed this first" in response.content.decode()
        assert "Reload it and try again." in response.content.decode()

    def test_static_assets_exist(self, client):
        from django.contrib.staticfiles import finders

        for asset in ["vendor/htmx.min.js", "vendor/pico.min.css", "css/app.css", "js/app.js"]:
            assert finders.find(asset), asset


def test_csrf_failure_page_extends_the_shell():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form has expired" in html
    assert "CSRF verification failed" not in html and "Referer" not in html


def test_an_htmx_request_after_the_session_expired_sends_the_browser_to_the_login_page(client):
    response = client.get("/alerts/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/alerts/"
    assert client.get("/alerts/")["Location"] == "/accounts/login/?next=/alerts/"  # plain requests: a 302
