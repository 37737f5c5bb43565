"""The list filters of meetings, programs, the contact log and exit recommendations: one FilterSet each
(core/api/filters.py), the same answers on the API and the page: a bad value is a 400 naming every bad
parameter, a padded good one filters."""

import pytest

from interventions.communications.models import Channel, CommunicationLog
from interventions.models import ExitRecommendation, Intervention, InterventionMeeting
from interventions.tests.factories import InterventionMeetingFactory
from interventions.tests.programs_helpers import clock, make_program  # noqa: F401 - fixtures
from students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db
API = "/api/interventions"


def allowed(choices) -> str:
    return ", ".join(choices.values)


@pytest.mark.parametrize(
    ("path", "query", "errors"),
    [
        (
            "meetings/",
            {"status": "nope", "student": "x"},
            {
                "status": [f"\u201cnope\u201d is not a valid status. Allowed: {allowed(InterventionMeeting.Status)}."],
                "student": ["A student id is a whole number."],
            },
        ),
        (
            "programs/",
            {"status": "nope", "owner": "1.5", "student": "0"},
            {
                "status": [f"\u201cnope\u201d is not a valid status. Allowed: {allowed(Intervention.Status)}."],
                "owner": ["An owner id is a whole number."],
                "student": ["A student id is a whole number."],
            },
        ),
        (
            "communications/",
            {"student": "-3", "intervention": "abc", "channel": "pigeon", "status": "lost"},
            {
                "student": ["A student id is a whole number."],
                "intervention": ["An intervention id is a whole number."],
                "channel": [f"\u201cpigeon\u201d is not a valid channel. Allowed: {allowed(Channel)}."],
                "status": [f"\u201clost\u201d is not a valid status. Allowed: {allowed(CommunicationLog.Status)}."],
            },
        ),
        (
            "recommendations/",
            {"status": "nope", "program": "x", "student": str(2**64)},
            {
                "status": [f"Allowed: {allowed(ExitRecommendation.Status)}."],
                "program": ["A program id is a whole number."],
                "student": ["A student id is a whole number."],
            },
        ),
    ],
)
def test_every_bad_filter_is_named_in_one_400(client_for, admin_user, path, query, errors):
    response = client_for(admin_user).get(f"{API}/{path}", query)
    assert response.status_code == 400
    assert response.json() == errors


def test_a_padded_filter_filters_and_an_empty_one_is_absent(client_for, clock, school, admin_user, counselor):
    make_program(owner=counselor, name="Running now", status=Intervention.Status.ACTIVE)
    make_program(owner=counselor, name="Still a plan", status=Intervention.Status.DRAFT)
    client = client_for(admin_user)
    names = lambda query: [p["name"] for p in client.get(f"{API}/programs/", query).json()["results"]]  # noqa: E731
    assert names({"status": " active "}) == ["Running now"]
    assert sorted(names({"status": "", "owner": ""})) == ["Running now", "Still a plan"]
    assert names({"owner": f" {counselor.pk} ", "status": "draft"}) == ["Still a plan"]


def test_the_meetings_and_programs_pages_answer_a_bad_filter_with_its_message(client, admin_user):
    client.force_login(admin_user)
    programs = client.get("/programs/?owner=abc")
    assert programs.status_code == 400
    assert "An owner id is a whole number." in programs.content.decode()
    meetings = client.get("/form-master/interventions/?urgency=huge")
    assert meetings.status_code == 400  # the whole workspace, its filter's problem said inline
    assert (
        f"\u201chuge\u201d is not a valid urgency. Allowed: {allowed(InterventionMeeting.Urgency)}."
        in meetings.content.decode()
    )


def test_a_student_filter_on_the_meetings_list_keeps_to_that_student(client_for, school, admin_user, form_master):
    student, other = StudentFactory(school=school), StudentFactory(school=school)
    mine = InterventionMeetingFactory(school=school, student=student, created_by=form_master)
    InterventionMeetingFactory(school=school, student=other, created_by=form_master)
    body = client_for(admin_user).get(f"{API}/meetings/", {"student": f" {student.pk}"}).json()
    assert [m["id"] for m in body["results"]] == [mine.pk]
