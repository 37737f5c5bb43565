"""The /alerts/ page, its htmx row actions, the home-page and profile sections, admin and the demo step."""

import pytest
from django.test import Client

from core.locking import versioned_save
from core.models import AuditLog
from core.sections import DASHBOARD, STUDENT_PROFILE, sections_for
from core.testing.queries import assert_query_count
from interventions.alerts.services import scan_school
from interventions.models import Alert, AlertSettings
from interventions.tests.alerts_helpers import day, make_form, make_student, mark, school_days
from interventions.tests.factories import AlertFactory

pytestmark = pytest.mark.django_db

Status = Alert.Status
HTMX = {"HTTP_HX_REQUEST": "true"}


def client_as(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def raised(school, other_school, form_master):
    """A real alert from the scan: 17–19 Nov absent, for a student of the form master's form."""
    student = make_student(school, make_form(school, form_master=form_master), first_name="Ada", last_name="Byron")
    history = school_days(day("2026-09-01"), day("2026-11-16"))
    mark(
        student,
        {
            **dict.fromkeys(history, "present"),
            **dict.fromkeys(school_days(day("2026-11-17"), day("2026-11-19")), "absent"),
        },
    )
    scan_school(school=school, as_of=day("2026-11-19"))
    foreign = AlertFactory(school=other_school, student=make_student(other_school, first_name="Zed", last_name="Other"))
    return {"alert": Alert.objects.get(student=student), "foreign": foreign}


class TestListPage:
    def test_shows_the_reason_in_words_and_the_actions(self, form_master, raised):
        response = client_as(form_master).get("/alerts/")
        body = response.content.decode()
        assert response.status_code == 200
        assert "Ada Byron" in body
        assert "Absent 3 school days in a row: 17–19 Nov" in body
        assert 'value="acknowledged" class="small"' in body and "Dismiss" in body
        alert = raised["alert"]
        assert f"/form-master/interventions/?record_for={alert.student_id}&amp;alert={alert.pk}" in body
        assert "Zed Other" not in body

    def test_teacher_sees_no_record_meeting_link_and_only_assigned_alerts(self, teacher, admin_user, raised):
        assert "Ada Byron" not in client_as(teacher).get("/alerts/").content.decode()
        alert = raised["alert"]
        alert.assigned_to = teacher
        versioned_save(alert)
        body = client_as(teacher).get("/alerts/").content.decode()
        assert "Ada Byron" in body and 'value="acknowledged" class="small"' in body
        assert "record_for=" not in body

    def test_counselor_reads_without_actions(self, counselor, raised):
        body = client_as(counselor).get("/alerts/").content.decode()
        assert "Ada Byron" in body
        assert 'value="acknowledged" class="small"' not in body and "record_for=" not in body

    def test_htmx_filter_returns_the_table_only(self, admin_user, raised):
        response = client_as(admin_user).get("/alerts/", {"status": "resolved"}, **HTMX)
        body = response.content.decode()
        assert response.status_code == 200
        assert body.lstrip().startswith('<div id="alert-table"')
        assert "No alerts match." in body and "<html" not in body
        body = client_as(admin_user).get("/alerts/", {"kind": "consecutive_absences"}, **HTMX).content.decode()
        assert "Ada Byron" in body
        assert "Ada Byron" not in client_as(admin_user).get("/alerts/", {"kind": "low_attendance"}).content.decode()

    def test_a_bad_filter_in_the_address_is_a_400_with_the_active_alerts(self, admin_user, raised):
        response = client_as(admin_user).get("/alerts/", {"status": "sleeping", "kind": "truancy"})
        body = response.content.decode()
        assert response.status_code == 400 and "Ada Byron" in body
        assert (
            '<p class="form-error" role="alert">\u201csleeping\u201d is not a valid status. Allowed: active, open,'
            in body
        )
        assert "\u201ctruancy\u201d is not a valid kind." in body
        assert '<option value="active" selected>Open and acknowledged</option>' in body
        # A good address keeps its choice selected.
        body = client_as(admin_user).get("/alerts/", {"status": "all"}).content.decode()
        assert '<option value="all" selected>All</option>' in body and '<option value="">All kinds</option>' in body

    def test_login_required(self, raised):
        response = Client().get("/alerts/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    @pytest.mark.parametrize("count", [10, 60])
    def test_same_queries_for_few_and_many(self, admin_user, school, form_master, count):
        form = make_form(school, form_master=form_master)
        for _ in range(count):
            AlertFactory(school=school, student=make_student(school, form), assigned_to=form_master)
        client = client_as(admin_user)
        with assert_query_count(4):  # session, user (with the header's school), count, page
            response = client.get("/alerts/")
        assert response.content.decode().count('<tr id="alert-') == min(count, 50)
        with assert_query_count(4):  # the table the filters swap in: session, user, count, page
            response = client.get("/alerts/", {"status": "open"}, **HTMX)
        body = response.content.decode()
        assert "<html" not in body and body.count('<tr id="alert-') == min(count, 50)


class TestRowActions:
    def test_acknowledge_swaps_the_row_and_audits(self, form_master, raised):
        alert = raised["alert"]
        response = client_as(form_master).post(
            f"/alerts/{alert.pk}/status/", {"status": "acknowledged", "version": 1}, **HTMX
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert body.lstrip().startswith(f'<tr id="alert-{alert.pk}" data-status="acknowledged"')
        assert "Acknowledged." in body and 'value="2"' in body
        alert.refresh_from_db()
        assert (alert.status, alert.version) == (Status.ACKNOWLEDGED, 2)
        assert AuditLog.objects.filter(entity_id=str(alert.pk), action="update", actor=form_master).exists()

    def test_stale_version_says_changed_by_someone_else_and_refreshes_the_row(self, form_master, admin_user, raised):
        alert = raised["alert"]
        client_as(admin_user).post(f"/alerts/{alert.pk}/status/", {"status": "acknowledged", "version": 1}, **HTMX)

        response = client_as(form_master).post(
            f"/alerts/{alert.pk}/status/", {"status": "resolved", "version": 1}, **HTMX
        )

        body = response.content.decode()
        assert response.status_code == 409
        assert "changed by someone else" in body
        assert 'data-status="acknowledged"' in body and 'value="2"' in body

    def test_dismiss_without_a_note_is_an_inline_error(self, form_master, raised):
        alert = raised["alert"]
        response = client_as(form_master).post(
            f"/alerts/{alert.pk}/status/", {"status": "dismissed", "version": 1}, **HTMX
        )
        assert response.status_code == 400
        assert "Say why the alert is dismissed." in response.content.decode()
        alert.refresh_from_db()
        assert alert.status == Status.OPEN

    def test_dismiss_with_a_note(self, form_master, raised):
        alert = raised["alert"]
        response = client_as(form_master).post(
            f"/alerts/{alert.pk}/status/", {"status": "dismissed", "version": 1, "note": "Known family trip"}, **HTMX
        )
        assert response.status_code == 200 and "Note: Known family trip" in response.content.decode()

    def test_without_htmx_redirects_with_a_message(self, form_master, raised):
        alert = raised["alert"]
        response = client_as(form_master).post(f"/alerts/{alert.pk}/status/", {"status": "resolved", "version": 1})
        assert response.status_code == 302 and response["Location"] == "/alerts/"

    def test_other_school_is_404_and_counselor_403(self, admin_user, counselor, raised):
        foreign = raised["foreign"]
        response = client_as(admin_user).post(f"/alerts/{foreign.pk}/status/", {"status": "resolved", "version": 1})
        assert response.status_code == 404
        alert = raised["alert"]
        response = client_as(counselor).post(f"/alerts/{alert.pk}/status/", {"status": "resolved", "version": 1})
        assert response.status_code == 403
        foreign.refresh_from_db()
        alert.refresh_from_db()
        assert foreign.status == alert.status == Status.OPEN


class TestSections:
    def test_dashboard_shows_counts_and_top_alerts_to_the_form_master(self, form_master, raised):
        body = client_as(form_master).get("/").content.decode()
        assert 'id="dashboard-alerts"' in body
        assert "Absent 3 school days in a row: 17–19 Nov" in body
        ((template, context),) = [s for s in sections_for(DASHBOARD, form_master) if "alerts" in s[0]]
        assert context["counts"] == {"total": 1, "high": 0, "medium": 0, "low": 1}

    def test_dashboard_section_for_other_users(self, counselor, other_admin, other_form_master, raised):
        assert not [s for s in sections_for(DASHBOARD, counselor) if "alerts/" in s[0]]
        ((_, context),) = [s for s in sections_for(DASHBOARD, other_admin) if "alerts/" in s[0]]
        assert context["counts"]["total"] == 1 and context["alerts"][0].pk == raised["foreign"].pk
        ((_, context),) = [s for s in sections_for(DASHBOARD, other_form_master) if "alerts/" in s[0]]
        assert context["counts"]["total"] == 0

    def test_dashboard_section_queries_do_not_grow(self, admin_user, school):
        for _ in range(12):
            AlertFactory(school=school, student=make_student(school))
        from interventions.alerts.sections import dashboard_alerts

        with assert_query_count(2):  # counts, top five
            context = dashboard_alerts(admin_user)
        assert context["counts"]["total"] == 12 and len(context["alerts"]) == 5

    def test_student_profile_page_shows_the_alerts_section(self, form_master, raised):
        alert = raised["alert"]
        body = client_as(form_master).get(f"/students/{alert.student_id}/").content.decode()
        assert 'id="student-alerts"' in body
        assert "Absent 3 school days in a row: 17–19 Nov" in body
        assert f"record_for={alert.student_id}&amp;alert={alert.pk}" in body

    def test_student_profile_lists_the_students_alerts_open_first(self, admin_user, raised):
        alert = raised["alert"]
        AlertFactory(school=alert.school, student=alert.student, status=Status.RESOLVED)
        ((_, context),) = [
            s for s in sections_for(STUDENT_PROFILE, admin_user, student=alert.student) if "alerts/" in s[0]
        ]
        assert [a.status for a in context["alerts"]] == ["open", "resolved"]
        assert context["alerts"][0].reason == "Absent 3 school days in a row: 17–19 Nov"


class TestAdminAndDemo:
    def test_admin_status_change_goes_through_the_rules_and_the_audit(self, school, raised):
        from core.tests.factories import UserFactory

        staff = UserFactory(role="admin", school=school, username="north-staff", is_staff=True)
        client = client_as(staff)
        alert = raised["alert"]
        assert client.get("/admin/interventions/alert/").status_code == 200
        url = f"/admin/interventions/alert/{alert.pk}/change/"
        response = client.post(url, {"status": "resolved", "assigned_to": "", "note": "Seen in admin"})
        assert response.status_code == 302
        alert.refresh_from_db()
        assert (alert.status, alert.version, alert.note) == (Status.RESOLVED, 2, "Seen in admin")
        assert alert.resolved_at is not None
        assert AuditLog.objects.filter(entity_id=str(alert.pk), action="update", actor=staff).exists()
        # A final status cannot be reopened.
        client.post(url, {"status": "open", "assigned_to": "", "note": "again"})
        alert.refresh_from_db()
        assert alert.status == Status.RESOLVED

    def test_admin_settings_are_created_lazily_and_scoped(self, school, other_school):
        from core.tests.factories import UserFactory

        staff = UserFactory(role="admin", school=school, username="north-staff", is_staff=True)
        AlertSettings.objects.create(school=other_school, consecutive_absence_days=4)
        response = client_as(staff).get("/admin/interventions/alertsettings/")
        assert response.status_code == 200
        assert AlertSettings.objects.filter(school=school).count() == 1
        assert "South High" not in response.content.decode()

    def test_demo_step_raises_alerts_and_is_idempotent(self, school, form_master):
        from core.demo import DemoSchool
        from interventions.alerts.demo import demo_alerts

        student = make_student(school, make_form(school, form_master=form_master))
        mark(student, dict.fromkeys(school_days(day("2026-11-16"), day("2026-11-18")), "absent"))
        demo = DemoSchool(school=school, users={}, today=day("2026-11-18"), log=lambda line: None)
        demo_alerts(demo)
        demo_alerts(demo)
        assert Alert.objects.filter(student=student, kind="consecutive_absences").count() == 1
