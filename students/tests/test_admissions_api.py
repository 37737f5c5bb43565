"""Admissions API: shapes, filters, version rule, enrol, funnel, roles and two schools, query counts."""

import datetime

import pytest
import time_machine

from core.models import AuditLog
from core.testing.queries import assert_query_count
from students.admissions import services
from students.admissions.models import Inquiry
from students.models import Student
from students.tests.admissions_helpers import TODAY, days, new_inquiry
from students.tests.factories import AcademicYearFactory, ClassGroupFactory

pytestmark = pytest.mark.django_db
Status = Inquiry.Status
URL = "/api/admissions/inquiries/"
LIST_QUERIES = 3  # count, page (counsellor and student joined), subjects (prefetched)
FUNNEL_QUERIES = 2  # the stages by source and status, the months by source
FOLLOW_UP_QUERIES = 3  # the inquiry, count, page (counsellor joined)


@pytest.fixture(autouse=True)
def pinned_clock():
    with time_machine.travel(datetime.datetime(2026, 10, 14, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def current_form(school):
    year = AcademicYearFactory(school=school, name="2026/27", start_date=days(-40), end_date=days(250))
    return ClassGroupFactory(school=school, academic_year=year, name="Form 1A", grade_level=1)


def test_a_counsellor_records_an_inquiry_that_is_theirs_with_its_score(client_for, counselor):
    response = client_for(counselor).post(
        URL,
        {"student_name": "Ada Byron", "phone": "0123", "source": "referral", "priority": "high"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["counselor"], body["status"], body["version"]) == (counselor.pk, "new", 1)
    assert body["lead_score"] == sum(p["points"] for p in body["lead_score_parts"]) == 20 + 20 + 15 + 10
    assert body["lead_score_explained"] == "+20 base, +20 referral, +15 high priority, +10 came in within 7 days"
    assert AuditLog.objects.filter(entity_type="students.inquiry", entity_id=str(body["id"]), action="create").exists()


def test_a_new_inquiry_cannot_start_further_along(client_for, counselor):
    response = client_for(counselor).post(
        URL, {"student_name": "A B", "phone": "1", "status": "contacted"}, format="json"
    )
    assert response.status_code == 400
    assert "status" in response.json()


def test_list_filters(client_for, counselor, admin_user):
    mine = new_inquiry(counselor, priority="high")
    services.inquiry_update(actor=counselor, inquiry=mine, version=1, next_follow_up_date=days(-1), today=TODAY)
    new_inquiry(admin_user, student_name="Zed Zulu", priority="low")
    client = client_for(admin_user)
    names = lambda query: [row["student_name"] for row in client.get(URL + query).json()["results"]]  # noqa: E731
    assert names("?priority=high") == ["Ada Lovelace"]
    assert names(f"?counselor={counselor.pk}") == ["Ada Lovelace"]
    assert names("?due=true") == ["Ada Lovelace"]
    assert names("?status=new&search=zulu") == ["Zed Zulu"]
    assert client.get(URL + "?counselor=abc").status_code == 400
    assert client.get(URL + "?status=nope").status_code == 400
    assert sorted(names("?due=false")) == ["Zed Zulu"]
    # A yes/no that is neither is refused, not quietly ignored (the list unfiltered).
    assert client.get(URL + "?due=maybe&priority=urgent").json() == {
        "due": ["Use due=true or due=false."],
        "priority": ["\u201curgent\u201d is not a valid priority. Allowed: low, medium, high."],
    }


def test_patch_needs_the_current_version(client_for, counselor):
    inquiry = new_inquiry(counselor)
    client = client_for(counselor)
    url = f"{URL}{inquiry.pk}/"
    assert client.patch(url, {"priority": "high"}, format="json").status_code == 400
    response = client.patch(url, {"priority": "high", "status": "contacted", "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["version"]) == ("contacted", 2)
    stale = client.patch(url, {"priority": "low", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    backwards = client.patch(url, {"status": "new", "version": 2}, format="json")
    assert backwards.status_code == 400
    assert "status" in backwards.json()


def test_follow_ups_list_and_create(client_for, counselor):
    inquiry = new_inquiry(counselor)
    client = client_for(counselor)
    url = f"{URL}{inquiry.pk}/follow-ups/"
    response = client.post(
        url,
        {
            "follow_up_date": str(TODAY),
            "follow_up_type": "call",
            "outcome": "Spoke",
            "next_follow_up_date": str(days(3)),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "completed"
    listed = client.get(url).json()
    assert listed["count"] == 1 and listed["results"][0]["outcome"] == "Spoke"
    detail = client.get(f"{URL}{inquiry.pk}/").json()
    assert (detail["status"], detail["next_follow_up_date"], detail["version"]) == (
        "follow_up_scheduled",
        str(days(3)),
        2,
    )
    assert client.post(url, {"follow_up_date": str(days(2))}, format="json").status_code == 400


def test_enrol_creates_the_student(client_for, counselor, current_form):
    inquiry = new_inquiry(counselor, student_name="Alan Turing")
    response = client_for(counselor).post(
        f"{URL}{inquiry.pk}/enrol/", {"class_group": current_form.pk, "student_id": "N-001"}, format="json"
    )
    assert response.status_code == 201, response.json()
    student = Student.objects.get(pk=response.json()["student"])
    assert (student.first_name, student.last_name, student.guardian_email) == ("Alan", "Turing", inquiry.email)
    assert response.json()["inquiry"]["status"] == "enrolled"
    assert response.json()["inquiry"]["student"] == student.pk


def test_enrol_refuses_a_taken_admission_number_and_writes_nothing(client_for, counselor, current_form):
    first = new_inquiry(counselor, student_name="Alan Turing")
    second = new_inquiry(counselor, student_name="Joan Clarke")
    client = client_for(counselor)
    client.post(f"{URL}{first.pk}/enrol/", {"class_group": current_form.pk, "student_id": "N-001"}, format="json")
    response = client.post(
        f"{URL}{second.pk}/enrol/", {"class_group": current_form.pk, "student_id": "n-001"}, format="json"
    )
    assert response.status_code == 400
    assert "student_id" in response.json()
    second.refresh_from_db()
    assert (second.status, second.student_id) == (Status.NEW, None)
    assert Student.objects.count() == 1


def test_enrol_refuses_another_schools_form(client_for, counselor, other_school):
    year = AcademicYearFactory(school=other_school, name="2026/27", start_date=days(-40), end_date=days(250))
    foreign_form = ClassGroupFactory(school=other_school, academic_year=year)
    inquiry = new_inquiry(counselor)
    response = client_for(counselor).post(
        f"{URL}{inquiry.pk}/enrol/", {"class_group": foreign_form.pk, "student_id": "X1"}, format="json"
    )
    assert response.status_code == 400
    assert "class_group" in response.json()


def test_funnel_counts_stages_and_sources(client_for, counselor):
    a = new_inquiry(counselor, source="referral", received_on=days(-40))
    b = new_inquiry(counselor, source="referral", received_on=days(-10))
    new_inquiry(counselor, source="website", received_on=days(-10))
    services.inquiry_move(actor=counselor, inquiry=a, status="follow_up_scheduled", version=1, today=TODAY)
    services.inquiry_move(actor=counselor, inquiry=a, status="lost", version=2, today=TODAY)
    services.inquiry_move(actor=counselor, inquiry=b, status="contacted", version=1, today=TODAY)
    client = client_for(counselor)
    with assert_query_count(FUNNEL_QUERIES) as captured:
        body = client.get("/api/admissions/funnel/").json()
    assert body["total"] == 3
    assert [(s["stage"], s["count"]) for s in body["stages"]] == [
        ("new", 3),
        ("contacted", 2),
        ("follow_up_scheduled", 1),
        ("enrolled", 0),
    ]
    referral = next(s for s in body["by_source"] if s["source"] == "referral")
    assert (referral["total"], referral["lost"], referral["stages"][1]["from_previous"]) == (2, 1, 1.0)
    assert {row["month"] for row in body["by_month"]} == {f"{days(-40):%Y-%m}", f"{days(-10):%Y-%m}"}
    assert all("students_inquiry" in q["sql"] for q in captured.captured_queries)
    ranged = client.get(f"/api/admissions/funnel/?from={days(-20)}&to={TODAY}").json()
    assert ranged["total"] == 2
    refused = client.get("/api/admissions/funnel/?from=yesterday")
    assert (refused.status_code, refused.json()) == (400, {"from": ["Enter a valid date."]})
    backwards = client.get(f"/api/admissions/funnel/?from={TODAY}&to={days(-1)}")
    assert (backwards.status_code, backwards.json()) == (400, {"to": ["Must be on or after from."]})


def test_roles_and_schools(client_for, counselor, teacher, form_master, other_admin, make_user, school, api_client):
    inquiry = new_inquiry(counselor)
    assert api_client.get(URL).status_code == 401
    for outsider in (teacher, form_master):
        client = client_for(outsider)
        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}{inquiry.pk}/").status_code == 403
        assert client.get("/api/admissions/funnel/").status_code == 403
    foreign = client_for(other_admin)
    assert foreign.get(f"{URL}{inquiry.pk}/").status_code == 404
    assert foreign.patch(f"{URL}{inquiry.pk}/", {"priority": "low", "version": 1}, format="json").status_code == 404
    assert foreign.get(URL).json()["count"] == 0
    assert foreign.get("/api/admissions/funnel/").json()["total"] == 0
    colleague = client_for(make_user("counselor", school, username="north-counselor-2"))
    assert colleague.get(f"{URL}{inquiry.pk}/").status_code == 200  # reads the school's inquiries
    refused = colleague.patch(f"{URL}{inquiry.pk}/", {"priority": "low", "version": 1}, format="json")
    assert refused.status_code == 403
    assert (
        colleague.post(f"{URL}{inquiry.pk}/follow-ups/", {"follow_up_date": str(TODAY)}, format="json").status_code
        == 403
    )


def test_the_list_takes_constant_queries(client_for, counselor, admin_user):
    client = client_for(admin_user)
    new_inquiry(counselor)
    with assert_query_count(LIST_QUERIES):
        assert client.get(URL).status_code == 200
    for n in range(12):
        new_inquiry(counselor if n % 2 else admin_user, student_name=f"Kid {n}")
    with assert_query_count(LIST_QUERIES):
        assert client.get(URL).json()["count"] == 13


def test_the_follow_ups_take_constant_queries(client_for, counselor):
    inquiry = new_inquiry(counselor)
    services.follow_up_create(actor=counselor, inquiry=inquiry, follow_up_date=days(-20), outcome="Spoke", today=TODAY)
    client = client_for(counselor)
    url = f"{URL}{inquiry.pk}/follow-ups/"
    with assert_query_count(FOLLOW_UP_QUERIES):
        assert client.get(url).json()["count"] == 1
    for n in range(15):
        services.follow_up_create(
            actor=counselor, inquiry=inquiry, follow_up_date=days(-n), outcome=f"Call {n}", today=TODAY
        )
    with assert_query_count(FOLLOW_UP_QUERIES):
        body = client.get(url).json()
    assert body["count"] == 16 and {row["counselor_name"] for row in body["results"]} == {counselor.display_name}


def test_the_funnel_takes_constant_queries(client_for, counselor, admin_user):
    client = client_for(admin_user)
    new_inquiry(counselor, source="referral")
    with assert_query_count(FUNNEL_QUERIES):
        assert client.get("/api/admissions/funnel/").json()["total"] == 1
    sources = [choice for choice, _ in Inquiry.Source.choices]
    for n in range(20):
        inquiry = new_inquiry(counselor, source=sources[n % len(sources)], received_on=days(-15 * (n % 4)))
        if n % 3 == 0:
            services.inquiry_move(actor=counselor, inquiry=inquiry, status=Status.LOST, version=1, today=TODAY)
    with assert_query_count(FUNNEL_QUERIES):
        body = client.get("/api/admissions/funnel/").json()
    assert body["total"] == 21 and body["by_status"]["lost"] == 7
    assert len({row["month"] for row in body["by_month"]}) >= 2
