"""/risk/, the profile's ABC panel and "Needs a first step" on the dashboard."""

import datetime

import pytest
from django.utils import timezone

from core.testing.queries import assert_query_count
from interventions.models import Alert, ProgressUpdate
from interventions.risk import services
from interventions.risk.actions import first_step_kinds
from interventions.risk.tests.helpers import attendance, penalties
from interventions.tests.factories import AlertFactory, InterventionMeetingFactory
from students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def spread(school, form, form_b, admin_user):
    a4 = StudentFactory(school=school, class_group=form, first_name="Kofi", last_name="Asante", gender="male")
    a2 = StudentFactory(school=school, class_group=form, first_name="Ama", last_name="Boateng")
    a0 = StudentFactory(school=school, class_group=form, first_name="Esi", last_name="Cole")
    b3 = StudentFactory(school=school, class_group=form_b, first_name="Yaw", last_name="Darko")
    attendance(a4, attended=30, marked=45)
    penalties(a2, 3, by=admin_user)
    attendance(a0, attended=45, marked=45)
    penalties(b3, 5, by=admin_user)
    services.compute_for_school(school=school)
    return {"a4": a4, "a2": a2, "a0": a0, "b3": b3}


def _rows(html):
    return html.count('class="risk-row"')


def test_risk_page_by_level_with_reasons(login, teacher, spread):
    response = login(teacher).get("/risk/")
    html = response.content.decode()
    assert response.status_code == 200
    assert _rows(html) == 4
    assert html.index("Asante") < html.index("Darko") < html.index("Boateng") < html.index("Cole")
    assert "Attended 30 of the last 45 marked school days: 66.7 %" in html
    assert "5 counted penalties in the last 45 school days" in html
    assert 'data-label="Why"' in html and "stack-table" in html
    assert "Present on each of the last 45 marked days." in html  # strengths too


def test_risk_page_one_form_level_and_sort(login, admin_user, form, spread):
    client = login(admin_user)
    html = client.get(f"/risk/?class_group={form.pk}&level_gte=2").content.decode()
    assert _rows(html) == 2 and "Darko" not in html and "Cole" not in html
    html = client.get("/risk/?sort=level").content.decode()
    assert html.index("Cole") < html.index("Asante")
    fragment = client.get("/risk/?level_gte=4", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="risk-table">') and _rows(fragment) == 1


def test_a_bad_filter_in_the_address_is_a_400_with_the_whole_list(login, admin_user, spread):
    """Parsed by the API's filters: the whole school's list, the problem said beside the filters."""
    response = login(admin_user).get("/risk/?level_gte=9&sort=size")
    html = response.content.decode()
    assert response.status_code == 400 and _rows(html) == 4
    assert '<p class="form-error" role="alert">A level is a whole number from 0 to 4.</p>' in html
    assert "\u201csize\u201d is not a valid sort. Allowed: level, -level, name, form." in html
    assert response.context["filters"] == {
        "level_gte": None,
        "class_group": None,
        "no_action": False,
        "ordering": "-level",
    }


def test_no_action_yet_filter(login, admin_user, form_master, spread):
    InterventionMeetingFactory(school=spread["a4"].school, student=spread["a4"], created_by=form_master)
    html = login(admin_user).get("/risk/?no_action=1").content.decode()
    assert "Asante" not in html and _rows(html) == 3


def test_risk_page_constant_queries(login, admin_user, school, form, spread):
    client = login(admin_user)
    client.get("/risk/")
    # The session, its user with their school (the page header), the count, the page of rows, the
    # forms for the filter.
    with assert_query_count(5):
        assert _rows(client.get("/risk/").content.decode()) == 4
    with assert_query_count(5):
        client.get("/risk/?no_action=1")
    with assert_query_count(4):  # the table alone: session, user, count, page
        assert _rows(client.get("/risk/", HTTP_HX_REQUEST="true").content.decode()) == 4
    for _ in range(12):
        attendance(StudentFactory(school=school, class_group=form), attended=38, marked=45)
    services.compute_for_school(school=school)
    with assert_query_count(5):
        html = client.get("/risk/?no_action=1").content.decode()
    assert _rows(html) == 16
    with assert_query_count(5):
        assert _rows(client.get("/risk/").content.decode()) == 16
    with assert_query_count(4):
        assert _rows(client.get("/risk/", HTTP_HX_REQUEST="true").content.decode()) == 16


def test_another_school_sees_none(login, other_admin, spread):
    html = login(other_admin).get("/risk/").content.decode()
    assert _rows(html) == 0
    assert login(other_admin).get(f"/risk/students/{spread['a4'].pk}/").status_code == 404


def test_profile_abc_panel_with_figures_and_forecast(login, counselor, spread):
    html = login(counselor).get(f"/students/{spread['a4'].pk}/").content.decode()
    assert 'id="abc-panel"' in html
    assert 'data-level="4"' in html
    assert "Attended 30 of the last 45 marked school days" in html
    assert "No counted penalty in the last 45 school days." in html
    assert "No graded assessments this year." in html
    assert "Kofi is already chronically absent (15 of 45 marked days missed)" in html


def test_abc_panel_fragment(login, teacher, spread):
    html = login(teacher).get(f"/risk/students/{spread['b3'].pk}/").content.decode()
    assert html.lstrip().startswith("{% load") is False and 'id="abc-panel"' in html
    assert "5 counted penalties" in html


def test_abc_panel_takes_the_same_queries_whatever_the_record(login, admin_user, school, form, spread):
    fresh = StudentFactory(school=school, class_group=form)
    penalties(spread["a4"], 12, by=admin_user)
    services.compute_for_school(school=school)
    client = login(admin_user)
    # session, user, then the 8 of the API's student risk (student, stored row, forecast)
    with assert_query_count(10):
        assert 'id="abc-panel"' in client.get(f"/risk/students/{fresh.pk}/").content.decode()
    with assert_query_count(10):
        html = client.get(f"/risk/students/{spread['a4'].pk}/").content.decode()
    assert 'data-level="4"' in html and "12 counted penalties" in html


# Needs a first step ---------------------------------------------------------------------------------


def _first_step(client):
    html = client.get("/").content.decode()
    start = html.find('id="dashboard-first-step"')
    assert start >= 0, "no first-step section"
    return html[start : html.find("</article>", start)]


def test_first_step_lists_level_2_and_high_alerts_of_the_form_masters_own(
    login, form_master, school, form, form_b, spread
):
    quiet = StudentFactory(school=school, class_group=form, last_name="Quaye")
    AlertFactory(school=school, student=quiet, severity=Alert.Severity.HIGH)
    section = _first_step(login(form_master))
    assert "Asante" in section and "Boateng" in section and "Quaye" in section and "High alert" in section
    assert "Darko" not in section  # form B is another form master's
    assert "Cole" not in section  # level 0


def test_first_step_for_admins_and_counsellors_is_the_school(login, admin_user, counselor, spread):
    for user in (admin_user, counselor):
        section = _first_step(login(user))
        assert all(name in section for name in ("Asante", "Boateng", "Darko"))


def test_teachers_have_no_first_step_section(login, teacher, spread):
    assert 'id="dashboard-first-step"' not in login(teacher).get("/").content.decode()


def test_only_a_meeting_clears_the_list(login, admin_user, form_master, school, spread):
    """Another note (a progress update on an old meeting, an alert acknowledged) does not clear it; a
    meeting in the last 30 days does; one older than 30 days does not."""
    assert first_step_kinds()[:2] == ["meeting", "enrollment"]
    student = spread["a2"]
    old = InterventionMeetingFactory(
        school=school,
        student=student,
        created_by=form_master,
        meeting_date=timezone.localdate() - datetime.timedelta(days=40),
    )
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    ProgressUpdate.objects.create(school=school, meeting=old, update_text="Called home", created_by=form_master)
    AlertFactory(school=school, student=student, severity=Alert.Severity.LOW, status=Alert.Status.ACKNOWLEDGED)
    client = login(admin_user)
    assert "Boateng" in _first_step(client)
    InterventionMeetingFactory(
        school=school,
        student=student,
        created_by=form_master,
        root_cause="behavioral",
        meeting_date=timezone.localdate(),
    )
    assert "Boateng" not in _first_step(client)
    assert "Asante" in _first_step(client)


def test_an_enrollment_in_a_program_clears_the_list(login, admin_user, school, spread):
    from interventions.tests.factories import EnrollmentFactory, InterventionFactory

    client = login(admin_user)
    assert "Darko" in _first_step(client)
    EnrollmentFactory(intervention=InterventionFactory(school=school), student=spread["b3"])
    assert "Darko" not in _first_step(client)


def test_first_step_section_takes_constant_queries(login, admin_user, school, form, spread):
    client = login(admin_user)
    client.get("/")
    # the whole dashboard of an admin (the first step is one of its sections); its school figures look
    # for today's holiday on a weekday only
    dashboard = 19 + (timezone.localdate().weekday() < 5)
    with assert_query_count(dashboard):
        _first_step(client)
    for _ in range(12):
        attendance(StudentFactory(school=school, class_group=form), attended=30, marked=45)
    services.compute_for_school(school=school)
    with assert_query_count(dashboard) as captured:
        section = _first_step(client)
    assert section.count("<li>") == 10 and "See them all" in section
    first_step_queries = [q for q in captured.captured_queries if "interventions_studentrisk" in q["sql"]]
    assert len(first_step_queries) == 1


def test_a_guardian_contact_clears_the_list_a_failed_send_does_not(login, admin_user, school, spread):
    from interventions.communications.models import CommunicationLog

    client = login(admin_user)
    student = spread["a4"]
    fields = {"school": school, "student": student, "channel": "email", "recipient": "guardian@example.org"}
    CommunicationLog.objects.create(**fields, status=CommunicationLog.Status.FAILED, error="Mailbox full")
    assert "Asante" in _first_step(client)
    CommunicationLog.objects.create(**fields, status=CommunicationLog.Status.SENT, actor=admin_user)
    assert "Asante" not in _first_step(client)
    assert "guardian contact" in _first_step(client)
