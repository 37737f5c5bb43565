"""GET /api/risk/ and GET /api/students/{id}/risk/: every role on staff reads; another school 404;
constant queries."""

import pytest

from core.testing.queries import assert_query_count
from interventions.risk import services
from interventions.risk.tests.helpers import attendance, penalties
from students.tests.factories import StudentFactory


@pytest.fixture
def spread(school, form, form_b, admin_user):
    """Levels 4, 2, 0 in form A and 3 in form B."""
    a4, a2, a0 = (
        StudentFactory(school=school, class_group=form, last_name=name) for name in ("Asante", "Boateng", "Cole")
    )
    b3 = StudentFactory(school=school, class_group=form_b, last_name="Darko")
    attendance(a4, attended=30, marked=45)
    penalties(a2, 3, by=admin_user)
    attendance(a0, attended=45, marked=45)
    penalties(b3, 5, by=admin_user)
    services.compute_for_school(school=school)
    return {"a4": a4, "a2": a2, "a0": a0, "b3": b3}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "form_master", "teacher", "counselor"])
def test_every_role_on_staff_reads_the_risk_list(client_for, make_user, school, spread, role):
    body = client_for(make_user(role, school)).get("/api/risk/").json()
    assert body["count"] == 4
    levels = [row["level"] for row in body["results"]]
    assert levels == [4, 3, 2, 0]
    top = body["results"][0]
    assert top["student"] == spread["a4"].pk and top["attendance_level"] == 4
    assert top["reasons"][0].startswith("Attended 30 of the last 45 marked school days: 66.7 %")


@pytest.mark.django_db
def test_filters_level_gte_and_class_group(client_for, admin_user, form, spread):
    client = client_for(admin_user)
    assert [r["level"] for r in client.get("/api/risk/?level_gte=3").json()["results"]] == [4, 3]
    rows = client.get(f"/api/risk/?class_group={form.pk}&level_gte=1").json()["results"]
    assert [r["student"] for r in rows] == [spread["a4"].pk, spread["a2"].pk]
    assert client.get("/api/risk/?level_gte=9").status_code == 400
    assert client.get("/api/risk/?class_group=abc").status_code == 400
    # Every bad parameter at once, each named with its problem; a ticked box reads as true.
    refused = client.get("/api/risk/?level_gte=two&no_action=maybe&ordering=size")
    assert (refused.status_code, refused.json()) == (
        400,
        {
            "level_gte": ["A level is a whole number from 0 to 4."],
            "no_action": ["Use no_action=true or no_action=false."],
            "ordering": ["\u201csize\u201d is not a valid ordering. Allowed: level, -level, name, form."],
        },
    )
    by_name = client.get("/api/risk/?ordering=name&no_action=false&level_gte=0").json()["results"]
    assert len(by_name) == 4


@pytest.mark.django_db
def test_another_school_sees_nothing_and_gets_404(client_for, other_admin, spread):
    client = client_for(other_admin)
    assert client.get("/api/risk/").json()["count"] == 0
    assert client.get(f"/api/students/{spread['a4'].pk}/risk/").status_code == 404


@pytest.mark.django_db
def test_unauthenticated_is_401(api_client, spread):
    assert api_client.get("/api/risk/").status_code == 401
    assert api_client.get(f"/api/students/{spread['a4'].pk}/risk/").status_code == 401


@pytest.mark.django_db
def test_the_list_takes_constant_queries(client_for, admin_user, school, form, spread):
    client = client_for(admin_user)
    with assert_query_count(2):  # count, page
        assert client.get("/api/risk/").status_code == 200
    for _ in range(15):
        attendance(StudentFactory(school=school, class_group=form), attended=35, marked=45)
    services.compute_for_school(school=school)
    with assert_query_count(2):
        assert client.get("/api/risk/?no_action=true").json()["count"] == 19


@pytest.mark.django_db
def test_student_risk_has_indicators_figures_and_forecast(client_for, teacher, spread):
    body = client_for(teacher).get(f"/api/students/{spread['a4'].pk}/risk/").json()
    assert body["level"] == 4
    assert body["indicators"]["attendance"]["level"] == 4
    assert body["indicators"]["attendance"]["rate"] == 66.7
    assert body["indicators"]["behaviour"]["level"] == 0
    assert body["indicators"]["course"]["words"] == "No graded assessments this year."
    forecast = body["forecast"]
    assert (forecast["marked"], forecast["missed"], forecast["already_chronic"]) == (45, 15, True)
    assert "already chronically absent (15 of 45 marked days missed)" in forecast["words"]


@pytest.mark.django_db
def test_student_risk_takes_the_same_queries_whatever_the_record(client_for, admin_user, school, form, spread):
    """The figures come from the stored row and the forecast from one aggregate: a student with a long
    record reads in as many queries as one with none."""
    fresh = StudentFactory(school=school, class_group=form)
    penalties(spread["a4"], 12, by=admin_user)
    services.compute_for_school(school=school)
    client = client_for(admin_user)
    # student (with their school and year), stored risk, settings, the forecast's calendar (year, holidays), its
    # attendance aggregate, the holidays ahead, alert settings
    with assert_query_count(8):
        assert client.get(f"/api/students/{fresh.pk}/risk/").json()["level"] == 0
    with assert_query_count(8):
        body = client.get(f"/api/students/{spread['a4'].pk}/risk/").json()
    assert (body["level"], body["indicators"]["behaviour"]["level"]) == (4, 4)
