"""Numbers past what the database stores, in ids, filters and versions: 400 or 404, never a 500."""

import pytest
from django.test import Client

from core.ids import parse_id

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"


def test_parse_id():
    assert parse_id("42") == 42 and parse_id(" 7 ") == 7
    assert [parse_id(v) for v in ("", None, "0", "-3", "1.5", "1e3", "abc", "٣", HUGE, str(2**63))] == [None] * 10
    assert parse_id(str(2**63 - 1)) == 2**63 - 1


@pytest.mark.parametrize(
    "path, field",
    [
        (f"/api/students/?class_group={HUGE}", "class_group"),
        (f"/api/attendance/?student={HUGE}", "student"),
        (f"/api/attendance/?class_group={HUGE}", "class_group"),
        (f"/api/interventions/alerts/?student={HUGE}", "student"),
        (f"/api/interventions/meetings/?student={HUGE}", "student"),
        (f"/api/audit/?actor={HUGE}", "actor"),
        ("/api/interventions/alerts/?student=-5.03e%2B65", "student"),
    ],
)
def test_api_filters_refuse_ids_out_of_range(client_for, admin_user, path, field):
    response = client_for(admin_user).get(path)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "path",
    [
        f"/api/students/{HUGE}/",
        f"/api/students/{HUGE}/attendance/",
        f"/api/interventions/alerts/{HUGE}/",
        f"/api/interventions/meetings/{HUGE}/",
        f"/api/interventions/meetings/student/{HUGE}/",
    ],
)
def test_api_paths_with_ids_out_of_range_are_404(client_for, admin_user, path):
    assert client_for(admin_user).get(path).status_code == 404


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/api/attendance/bulk/", {"class_group": HUGE, "date": "2026-01-05", "records": []}, "class_group"),
        ("/api/interventions/meetings/progress/", {"meeting": HUGE, "update_text": "Better."}, "meeting"),
        (
            "/api/interventions/meetings/",
            {
                "student": HUGE,
                "meeting_date": "2026-01-05",
                "absence_reason": "a",
                "root_cause": "family",
                "intervention_notes": "b",
                "action_plan": "c",
            },
            "student",
        ),
    ],
)
def test_api_bodies_refuse_ids_out_of_range(client_for, admin_user, path, body, field):
    response = client_for(admin_user).post(path, {**body}, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "path",
    [
        f"/students/?class_group={HUGE}",
        f"/students/export.csv?class_group={HUGE}",
        f"/form-master/interventions/?student={HUGE}",
        f"/form-master/interventions/?record_for={HUGE}&alert={HUGE}",
        f"/alerts/?student={HUGE}",
    ],
)
def test_pages_with_ids_out_of_range_do_not_fail(admin_user, path):
    client = Client()
    client.force_login(admin_user)
    response = client.get(path)
    assert response.status_code in (200, 400)
