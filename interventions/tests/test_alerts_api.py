"""GET/PATCH /api/interventions/alerts/: who sees what, status moves, stale versions, query counts."""

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from core.models import AuditLog
from core.testing.queries import assert_query_count
from interventions.alerts import selectors
from interventions.alerts.api import AlertSerializer
from interventions.models import Alert
from interventions.tests.alerts_helpers import make_form, make_student
from interventions.tests.factories import AlertFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/interventions/alerts/"
Status = Alert.Status
Kind = Alert.Kind


def detail_url(alert):
    return f"/api/interventions/alerts/{alert.pk}/"


@pytest.fixture
def alerts(school, other_school, form_master, other_form_master, teacher):
    """Alerts of north's two forms (one assigned to the teacher) and one of south."""
    mine = make_student(school, make_form(school, form_master=form_master))
    theirs = make_student(school, make_form(school, form_master=other_form_master))
    return {
        "mine": AlertFactory(school=school, student=mine, assigned_to=form_master, severity="high"),
        "theirs": AlertFactory(school=school, student=theirs, assigned_to=other_form_master, kind=Kind.LOW_ATTENDANCE),
        "teachers": AlertFactory(
            school=school, student=theirs, assigned_to=teacher, kind=Kind.CHRONIC_ABSENCE, status=Status.ACKNOWLEDGED
        ),
        "foreign": AlertFactory(school=other_school, student=make_student(other_school)),
    }


def ids(response):
    return {row["id"] for row in response.json()["results"]}


class TestList:
    def test_admin_and_counselor_see_every_alert_of_their_school(self, client_for, admin_user, counselor, alerts):
        expected = {alerts["mine"].pk, alerts["theirs"].pk, alerts["teachers"].pk}
        for user in (admin_user, counselor):
            response = client_for(user).get(LIST_URL)
            assert response.status_code == 200
            assert ids(response) == expected and response.json()["count"] == 3

    def test_form_master_sees_their_forms_alerts_and_teacher_those_assigned(
        self, client_for, form_master, other_form_master, teacher, alerts
    ):
        assert ids(client_for(form_master).get(LIST_URL)) == {alerts["mine"].pk}
        assert ids(client_for(other_form_master).get(LIST_URL)) == {alerts["theirs"].pk, alerts["teachers"].pk}
        assert ids(client_for(teacher).get(LIST_URL)) == {alerts["teachers"].pk}

    def test_other_school_sees_only_its_own(self, client_for, other_admin, alerts):
        assert ids(client_for(other_admin).get(LIST_URL)) == {alerts["foreign"].pk}

    def test_fields_and_order_open_first_by_severity(self, client_for, admin_user, alerts):
        rows = client_for(admin_user).get(LIST_URL).json()["results"]
        assert [r["id"] for r in rows] == [alerts["mine"].pk, alerts["theirs"].pk, alerts["teachers"].pk]
        mine = alerts["mine"]
        assert rows[0] == {
            "id": mine.pk,
            "student": mine.student_id,
            "student_name": mine.student.full_name,
            "kind": "consecutive_absences",
            "severity": "high",
            "details": {},
            "reason": "Consecutive absences",
            "status": "open",
            "assigned_to": mine.assigned_to_id,
            "note": "",
            "created_at": rows[0]["created_at"],
            "resolved_at": None,
            "version": 1,
        }

    def test_rows_are_what_the_declared_fields_give(self, admin_user, alerts):
        """The serializer writes its rows directly; the JSON is byte for byte what DRF's walk over the
        declared fields gives, for open, acknowledged and resolved alerts, with details and a note."""
        details = {"rate": 71.5, "marked": 20, "window_school_days": 20, "threshold_percent": 80}
        Alert.objects.filter(pk=alerts["theirs"].pk).update(details=details)
        Alert.objects.filter(pk=alerts["teachers"].pk).update(
            status=Status.RESOLVED, resolved_at=timezone.now(), note="Spoke to the family"
        )
        renderer = JSONRenderer()
        rows = list(selectors.alert_list(actor=admin_user))
        assert len(rows) == 3
        for alert in rows:
            serializer = AlertSerializer(alert)
            generic = serializers.ModelSerializer.to_representation(serializer, alert)
            assert renderer.render(serializer.data) == renderer.render(generic)

    def test_filters(self, client_for, admin_user, alerts):
        client = client_for(admin_user)
        assert ids(client.get(LIST_URL, {"status": "acknowledged"})) == {alerts["teachers"].pk}
        assert ids(client.get(LIST_URL, {"kind": "low_attendance"})) == {alerts["theirs"].pk}
        assert ids(client.get(LIST_URL, {"student": alerts["mine"].student_id})) == {alerts["mine"].pk}
        assert ids(client.get(LIST_URL, {"student": alerts["foreign"].student_id})) == set()

    def test_bad_filter_is_400(self, client_for, admin_user, alerts):
        response = client_for(admin_user).get(LIST_URL, {"status": "sleeping"})
        assert response.status_code == 400
        assert "status" in response.json()
        # "active" and "all" are the page's words, not the API's.
        response = client_for(admin_user).get(LIST_URL, {"status": "all", "student": "ada"})
        assert response.json() == {
            "status": ["\u201call\u201d is not a valid status. Allowed: open, acknowledged, resolved, dismissed."],
            "student": ["A student id is a whole number."],
        }

    def test_unauthenticated_is_401(self, api_client, alerts):
        assert api_client.get(LIST_URL).status_code == 401
        assert api_client.patch(detail_url(alerts["mine"]), {"status": "resolved", "version": 1}).status_code == 401

    @pytest.mark.parametrize("count", [10, 120])
    def test_same_queries_for_few_and_many(self, client_for, admin_user, school, count):
        form = make_form(school)
        # Many closed alerts of one student (only one may be active per kind).
        AlertFactory.create_batch(count, school=school, student=make_student(school, form), status=Status.RESOLVED)
        with assert_query_count(2):  # count, page (the user is forced)
            response = client_for(admin_user).get(LIST_URL, {"page_size": 200})
        assert response.json()["count"] == count


class TestDetail:
    def test_get_and_404_for_another_school_or_an_alert_not_theirs(self, client_for, admin_user, teacher, alerts):
        assert client_for(admin_user).get(detail_url(alerts["mine"])).json()["id"] == alerts["mine"].pk
        assert client_for(admin_user).get(detail_url(alerts["foreign"])).status_code == 404
        assert client_for(teacher).get(detail_url(alerts["mine"])).status_code == 404
        assert client_for(admin_user).get("/api/interventions/alerts/999999/").status_code == 404

    def test_acknowledge_then_resolve_with_audit_rows(self, client_for, form_master, alerts):
        alert = alerts["mine"]
        client = client_for(form_master)

        response = client.patch(detail_url(alert), {"status": "acknowledged", "version": 1}, format="json")
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["version"]) == ("acknowledged", 2)

        response = client.patch(
            detail_url(alert), {"status": "resolved", "version": 2, "note": "Back every day"}, format="json"
        )
        body = response.json()
        assert (body["status"], body["version"], body["note"]) == ("resolved", 3, "Back every day")
        assert body["resolved_at"] is not None
        alert.refresh_from_db()
        assert (alert.status, alert.version) == (Status.RESOLVED, 3)
        rows = AuditLog.objects.filter(entity_type="interventions.alert", entity_id=str(alert.pk)).order_by("id")
        assert [(r.action, r.actor_id, r.before["status"], r.after["status"]) for r in rows] == [
            ("update", form_master.pk, "open", "acknowledged"),
            ("update", form_master.pk, "acknowledged", "resolved"),
        ]

    def test_stale_version_is_409_with_the_current_version(self, client_for, admin_user, alerts):
        alert = alerts["mine"]
        client = client_for(admin_user)
        client.patch(detail_url(alert), {"status": "acknowledged", "version": 1}, format="json")
        response = client.patch(detail_url(alert), {"status": "resolved", "version": 1}, format="json")
        assert response.status_code == 409
        assert response.json()["current_version"] == 2
        alert.refresh_from_db()
        assert alert.status == Status.ACKNOWLEDGED

    @pytest.mark.parametrize(
        "start, payload, field",
        [
            ("open", {"status": "dismissed", "version": 1}, "note"),
            ("open", {"status": "dismissed", "version": 1, "note": "   "}, "note"),
            ("open", {"status": "open", "version": 1}, "status"),
            ("acknowledged", {"status": "acknowledged", "version": 1}, "status"),
            ("resolved", {"status": "dismissed", "version": 1, "note": "x"}, "status"),
            ("dismissed", {"status": "resolved", "version": 1}, "status"),
            ("open", {"status": "gone", "version": 1}, "status"),
            ("open", {"status": "resolved"}, "version"),
            ("open", {"status": "resolved", "version": "abc"}, "version"),
        ],
    )
    def test_refused_moves_and_bad_input_are_400(self, client_for, admin_user, school, start, payload, field):
        alert = AlertFactory(school=school, student=make_student(school), status=start)
        response = client_for(admin_user).patch(detail_url(alert), payload, format="json")
        assert response.status_code == 400
        assert field in response.json()
        alert.refresh_from_db()
        assert (alert.status, alert.version) == (start, 1)

    def test_dismiss_with_a_note(self, client_for, admin_user, alerts):
        response = client_for(admin_user).patch(
            detail_url(alerts["theirs"]), {"status": "dismissed", "version": 1, "note": "Agreed absence"}, format="json"
        )
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["note"]) == ("dismissed", "Agreed absence")

    def test_roles_that_may_not_change_an_alert_get_403(
        self, client_for, counselor, other_form_master, make_user, school, alerts
    ):
        response = client_for(counselor).patch(detail_url(alerts["mine"]), {"status": "resolved", "version": 1})
        assert response.status_code == 403
        # A form master who sees the alert only because it is assigned elsewhere in their form… may act;
        # a form master of another form does not even see it.
        response = client_for(other_form_master).patch(detail_url(alerts["mine"]), {"status": "resolved", "version": 1})
        assert response.status_code == 404
        alerts["mine"].refresh_from_db()
        assert alerts["mine"].status == Status.OPEN

    def test_teacher_may_act_on_an_alert_assigned_to_them(self, client_for, teacher, alerts):
        response = client_for(teacher).patch(
            detail_url(alerts["teachers"]), {"status": "resolved", "version": 1}, format="json"
        )
        assert response.status_code == 200 and response.json()["status"] == "resolved"

    def test_another_schools_alert_is_404_on_patch(self, client_for, admin_user, alerts):
        response = client_for(admin_user).patch(detail_url(alerts["foreign"]), {"status": "resolved", "version": 1})
        assert response.status_code == 404
        alerts["foreign"].refresh_from_db()
        assert alerts["foreign"].status == Status.OPEN
