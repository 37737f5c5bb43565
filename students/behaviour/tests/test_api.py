"""GET, POST /api/behaviour/ and PATCH /api/behaviour/{id}/ (appeal, resolve with version)."""

import pytest

from core.models import AuditLog
from core.testing.queries import assert_query_count
from interventions.models import Alert
from students.behaviour.models import BehaviourRecord
from students.behaviour.tests.conftest import taught_by
from students.tests.factories import StudentFactory


@pytest.fixture
def student(school, form, teacher):
    kofi = StudentFactory(school=school, class_group=form, first_name="Kofi")
    taught_by(teacher, kofi)
    return kofi


def _log(client, student, **fields):
    body = {"student": student.pk, "type": "penalty", "category": "behavior", "reason": "Phone in class", **fields}
    return client.post("/api/behaviour/", body, format="json")


@pytest.mark.django_db
def test_a_teacher_logs_a_penalty_audited(client_for, teacher, student):
    response = _log(client_for(teacher), student, points=2)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["student"], body["type"], body["points"], body["status"], body["version"]) == (
        student.pk,
        "penalty",
        2,
        "active",
        1,
    )
    assert body["counts"] is True and body["created_by"] == teacher.pk
    record = BehaviourRecord.objects.get(pk=body["id"])
    assert AuditLog.objects.filter(
        entity_type="students.behaviourrecord", entity_id=str(record.pk), action="create"
    ).exists()


@pytest.mark.django_db
def test_bad_input_is_a_400_naming_the_field(client_for, teacher, student):
    response = _log(client_for(teacher), student, type="detention", points=0, reason=" ")
    assert response.status_code == 400
    assert {"type", "reason"} <= set(response.json())
    response = _log(client_for(teacher), student, points=0)
    assert response.status_code == 400 and "points" in response.json()
    assert not BehaviourRecord.objects.exists()


@pytest.mark.django_db
def test_counsellors_read_but_do_not_log(client_for, counselor, student):
    assert _log(client_for(counselor), student).status_code == 403
    assert client_for(counselor).get("/api/behaviour/").status_code == 200


@pytest.mark.django_db
def test_another_schools_student_or_record_is_404(client_for, other_admin, teacher, student):
    assert _log(client_for(other_admin), student).status_code == 404
    record_id = _log(client_for(teacher), student).json()["id"]
    other = client_for(other_admin)
    assert other.get(f"/api/behaviour/{record_id}/").status_code == 404
    assert (
        other.patch(f"/api/behaviour/{record_id}/", {"status": "appealed", "version": 1}, format="json").status_code
        == 404
    )
    assert other.get("/api/behaviour/").json()["count"] == 0


@pytest.mark.django_db
def test_unauthenticated_is_401(api_client):
    assert api_client.get("/api/behaviour/").status_code == 401


@pytest.mark.django_db
def test_appeal_then_resolve_with_409_on_stale(client_for, teacher, form_master, admin_user, student):
    record_id = _log(client_for(teacher), student).json()["id"]
    url = f"/api/behaviour/{record_id}/"
    fm = client_for(form_master)
    appealed = fm.patch(
        url, {"status": "appealed", "version": 1, "appeal_reason": "It was a calculator."}, format="json"
    )
    assert appealed.status_code == 200, appealed.json()
    assert (appealed.json()["status"], appealed.json()["version"], appealed.json()["counts"]) == ("appealed", 2, True)

    stale = client_for(admin_user).patch(url, {"status": "resolved", "upheld": False, "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2

    resolved = client_for(admin_user).patch(
        url,
        {"status": "resolved", "upheld": False, "version": 2, "resolution_note": "Calculator allowed."},
        format="json",
    )
    assert resolved.status_code == 200, resolved.json()
    body = resolved.json()
    assert (body["status"], body["upheld"], body["counts"], body["version"]) == ("resolved", False, False, 3)
    updates = AuditLog.objects.filter(entity_type="students.behaviourrecord", entity_id=str(record_id), action="update")
    assert updates.count() == 2
    assert updates.first().after["upheld"] is False


@pytest.mark.django_db
def test_whoever_gave_the_penalty_does_not_decide_its_appeal(client_for, form_master, student):
    client = client_for(form_master)
    record_id = _log(client, student).json()["id"]
    url = f"/api/behaviour/{record_id}/"
    assert (
        client.patch(url, {"status": "appealed", "version": 1, "appeal_reason": "Unfair"}, format="json").status_code
        == 200
    )
    assert client.patch(url, {"status": "resolved", "upheld": True, "version": 2}, format="json").status_code == 403


@pytest.mark.django_db
def test_illegal_moves_are_400(client_for, teacher, admin_user, student):
    record_id = _log(client_for(teacher), student, type="reward", reason="Helped a classmate").json()["id"]
    url = f"/api/behaviour/{record_id}/"
    admin = client_for(admin_user)
    assert (
        admin.patch(url, {"status": "appealed", "version": 1, "appeal_reason": "x"}, format="json").status_code == 400
    )
    assert admin.patch(url, {"status": "resolved", "upheld": True, "version": 1}, format="json").status_code == 400
    assert admin.patch(url, {"status": "active", "version": 1}, format="json").status_code == 400


@pytest.mark.django_db
def test_list_filters_and_constant_queries(client_for, teacher, admin_user, school, form, make_students):
    client = client_for(admin_user)
    students = make_students(form, 2)
    taught_by(teacher, students[0])  # she teaches in the form: its students' behaviour is hers to log
    _log(client_for(teacher), students[0])
    with assert_query_count(2):  # count, page (student and author joined)
        assert client.get("/api/behaviour/").json()["count"] == 1
    for student in make_students(form, 10):
        _log(client_for(teacher), student)
        _log(client_for(teacher), student, type="reward", reason="Great effort")
    with assert_query_count(2):
        body = client.get("/api/behaviour/?type=reward").json()
    assert body["count"] == 10 and all(row["type"] == "reward" for row in body["results"])
    with assert_query_count(2):
        assert client.get("/api/behaviour/").json()["count"] == 21
    assert client.get(f"/api/behaviour/?student={students[0].pk}").json()["count"] == 1


@pytest.mark.django_db(transaction=True)
def test_penalties_reaching_the_threshold_alert_the_form_master(client_for, teacher, admin_user, form_master, student):
    """Behaviour letters: the 3rd counted penalty this year (the default threshold) raises the alert for
    the form master; an appeal won brings the count back under it and the alert resolves."""
    client = client_for(teacher)
    ids = [_log(client, student, reason=f"Penalty {n}").json()["id"] for n in range(3)]
    alert = Alert.objects.get(student=student, kind=Alert.Kind.BEHAVIOUR_THRESHOLD, status=Alert.Status.OPEN)
    assert alert.assigned_to == form_master
    assert alert.details["penalties"] == 3 and alert.details["threshold_penalties"] == 3
    admin = client_for(admin_user)
    url = f"/api/behaviour/{ids[0]}/"
    admin.patch(url, {"status": "appealed", "version": 1, "appeal_reason": "Wrong student"}, format="json")
    admin.patch(url, {"status": "resolved", "upheld": False, "version": 2}, format="json")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED


@pytest.mark.django_db(transaction=True)
def test_the_profile_offers_the_letter_from_the_contact_log(client, client_for, teacher, form_master, student):
    for n in range(3):
        _log(client_for(teacher), student, reason=f"Penalty {n}")
    client.force_login(form_master)
    html = client.get(f"/students/{student.pk}/").content.decode()
    assert "a behaviour letter to the guardian is due" in html
    assert f'href="/students/{student.pk}/contact/?channel=letter"' in html
    assert "Write the behaviour letter" in html


@pytest.mark.django_db
def test_teachers_log_behaviour_only_in_the_forms_they_lead_or_teach(
    client_for, school, form, form_b, teacher, form_master, admin_user, make_user, make_students
):
    """SPEC §8: teachers record behaviour for their subjects and forms. A teacher who teaches one student
    of a form logs for its students; not for a form they do not teach. A form master logs for their own
    form without teaching it; admins for everyone; nobody writes a row or an audit entry when refused."""
    in_form, classmate = make_students(form, 2)
    elsewhere = make_students(form_b, 1)[0]
    taught_by(teacher, in_form)
    stranger = make_user("teacher", school, username="north-teacher-2")
    assert form.form_master_id == form_master.pk and form_b.form_master_id != form_master.pk

    assert _log(client_for(teacher), classmate).status_code == 201
    refused = _log(client_for(teacher), elsewhere)
    assert refused.status_code == 403
    assert "forms you lead or teach" in refused.json()["detail"]
    assert _log(client_for(stranger), in_form).status_code == 403
    assert _log(client_for(form_master), in_form).status_code == 201
    assert _log(client_for(form_master), elsewhere).status_code == 403
    assert _log(client_for(admin_user), elsewhere).status_code == 201

    assert sorted(BehaviourRecord.objects.values_list("student_id", "created_by_id")) == sorted(
        [(classmate.pk, teacher.pk), (in_form.pk, form_master.pk), (elsewhere.pk, admin_user.pk)]
    )
    assert AuditLog.objects.filter(entity_type="students.behaviourrecord", action="create").count() == 3


@pytest.mark.django_db
def test_a_dropped_subject_no_longer_counts_as_teaching_the_form(client_for, teacher, student):
    enrollment = student.subject_enrollments.get()
    enrollment.status = "dropped"
    enrollment.save()
    assert _log(client_for(teacher), student).status_code == 403
    assert not BehaviourRecord.objects.exists()
