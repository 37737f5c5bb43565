"""The behaviour quick-log from the profile and the form list; appeal and resolve on the page."""

import pytest

from core.testing.queries import assert_query_count
from interventions.models import StudentRisk
from students.behaviour.models import BehaviourRecord
from students.behaviour.tests.conftest import taught_by
from students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def student(school, form, teacher):
    kofi = StudentFactory(school=school, class_group=form, first_name="Kofi", last_name="Mensah")
    taught_by(teacher, kofi)
    return kofi


def test_profile_has_the_quick_log(login, teacher, student):
    html = login(teacher).get(f"/students/{student.pk}/").content.decode()
    assert 'id="behaviour-section"' in html and "+ Reward" in html and "− Penalty" in html


def test_counsellors_see_records_but_no_quick_log(login, counselor, student):
    html = login(counselor).get(f"/students/{student.pk}/").content.decode()
    assert 'id="behaviour-section"' in html and "+ Reward" not in html


def test_the_quick_log_is_offered_only_where_the_teacher_leads_or_teaches(login, school, teacher, form_b):
    """The profile and the form list offer the quick-log for the students of forms the teacher teaches;
    elsewhere the records show, without the form, and a post is refused inline."""
    elsewhere = StudentFactory(school=school, class_group=form_b, first_name="Ama", last_name="Owusu")
    client = login(teacher)
    html = client.get(f"/students/{elsewhere.pk}/").content.decode()
    assert 'id="behaviour-section"' in html and "+ Reward" not in html
    listing = client.get("/students/").content.decode()
    assert f'hx-get="/students/{elsewhere.pk}/behaviour/"' not in listing
    response = client.post(
        f"/students/{elsewhere.pk}/behaviour/",
        {"type": "penalty", "reason": "Late", "category": "behavior", "points": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    assert "forms you lead or teach" in response.content.decode()
    assert not BehaviourRecord.objects.exists()


def test_the_form_list_offers_a_log_button(login, teacher, counselor, student):
    assert f'hx-get="/students/{student.pk}/behaviour/"' in login(teacher).get("/students/").content.decode()
    assert "log-behaviour" not in login(counselor).get("/students/").content.decode()
    fragment = login(teacher).get(f"/students/{student.pk}/behaviour/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith(f'<div class="behaviour-log" id="behaviour-log-{student.pk}">')


def test_the_quick_log_takes_constant_queries(login, teacher, form_master, admin_user, student):
    """The fragment shows the student's five latest records with what the user may do to each: the same
    queries for one record and for many, for a teacher of the form and for its form master."""
    url = f"/students/{student.pk}/behaviour/"
    day = student.created_at.date()
    BehaviourRecord.objects.create(
        school=student.school, student=student, type="penalty", reason="Late", date=day, created_by=admin_user
    )
    client = login(teacher)
    # session, user, the student (form and form master joined), the records (author joined), may log
    with assert_query_count(5):
        fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Late" in fragment and "+ Reward" in fragment
    for n in range(12):
        BehaviourRecord.objects.create(
            school=student.school,
            student=student,
            type="penalty" if n % 2 else "reward",
            reason=f"Record {n}",
            date=day,
            created_by=admin_user if n % 3 else teacher,
            status="appealed" if n % 4 == 1 else "active",
        )
    for user in (teacher, form_master):
        client = login(user)
        with assert_query_count(5):
            fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert fragment.startswith(f'<div class="behaviour-log" id="behaviour-log-{student.pk}">')
        assert fragment.count("Record ") == 5 and "Late" not in fragment


@pytest.mark.django_db(transaction=True)
def test_quick_log_saves_triggers_and_refreshes_risk(login, teacher, student):
    client = login(teacher)
    for n in range(3):
        response = client.post(
            f"/students/{student.pk}/behaviour/",
            {"type": "penalty", "category": "behavior", "reason": f"Phone out {n}", "points": "1"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "behaviour-saved"
    assert "Penalty logged for Kofi: Phone out 2" in response.content.decode()
    assert BehaviourRecord.objects.filter(student=student).count() == 3
    assert StudentRisk.objects.get(student=student).behaviour_level == 2


def test_quick_log_errors_inline(login, teacher, student):
    response = login(teacher).post(
        f"/students/{student.pk}/behaviour/", {"type": "penalty", "reason": "", "points": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "flash-error" in response.content.decode()
    assert not BehaviourRecord.objects.exists()


def test_another_schools_student_is_404(login, other_admin, student):
    assert login(other_admin).get(f"/students/{student.pk}/behaviour/").status_code == 404


def test_appeal_and_resolve_on_the_page_with_a_stale_conflict(login, teacher, admin_user, student):
    record = BehaviourRecord.objects.create(
        school=student.school,
        student=student,
        type="penalty",
        reason="Late",
        date=student.created_at.date(),
        created_by=teacher,
    )
    client = login(admin_user)
    html = client.post(
        f"/behaviour/{record.pk}/appeal/", {"version": 1, "appeal_reason": "Bus was late"}
    ).content.decode()
    assert "Appeal recorded" in html
    stale = client.post(f"/behaviour/{record.pk}/resolve/", {"version": 1, "upheld": "0"})
    assert stale.status_code == 409 and "changed by someone else" in stale.content.decode()
    done = client.post(
        f"/behaviour/{record.pk}/resolve/", {"version": 2, "upheld": "0", "resolution_note": "Bus strike"}
    )
    assert "not upheld: it no longer counts" in done.content.decode()
    record.refresh_from_db()
    assert (record.status, record.upheld, record.version) == ("resolved", False, 3)
