"""Assessments added, corrected or removed in Django admin keep the marks pages' rules and make the
student's risk react, as marks entered on the pages do."""

import pytest

from core.errors import PermissionDeniedError
from core.models import AuditLog
from core.tests.admin_forms import admin_form_data
from students.academics import events, services
from students.academics.models import Assessment

pytestmark = pytest.mark.django_db
ADD = "/admin/students/assessment/add/"
BAD_MARKS = "Marks obtained must be from 0 to the total marks."


@pytest.fixture
def emitted(monkeypatch):
    calls = []
    monkeypatch.setattr(services, "emit_on_commit", lambda event, **payload: calls.append((event, payload)))
    return calls


def recorded(actor, student, subject, day, **fields):
    """A 20-mark quiz recorded through the marks pages' service."""
    return services.assessment_create(
        actor=actor,
        student_id=student.pk,
        subject_id=subject.pk,
        assessment_type="quiz",
        title="Fractions quiz",
        total_marks="20",
        assessment_date=day,
        **fields,
    )


def assessment_data(student, subject, day, **fields):
    return {
        "student": str(student.pk),
        "subject": str(subject.pk),
        "topic": "",
        "assessment_type": "quiz",
        "title": "Fractions quiz",
        "total_marks": "20",
        "marks_obtained": "15",
        "assessment_date": day.isoformat(),
        "feedback": "",
        **fields,
    }


def test_an_assessment_added_in_admin_is_graded_audited_and_judged(
    school_admin_client, admin_user, pupils, maths, school_day, emitted
):
    pupil = pupils[0]
    assert school_admin_client.post(ADD, assessment_data(pupil, maths, school_day)).status_code == 302
    stored = Assessment.objects.get(student=pupil)
    assert (stored.teacher, stored.class_group_id, stored.status) == (admin_user, pupil.class_group_id, "graded")
    assert str(stored.percentage) == "75.00"
    assert AuditLog.objects.filter(actor=admin_user, action="create", entity_id=str(stored.pk)).exists()
    assert [(event, payload["student_ids"]) for event, payload in emitted] == [(events.ASSESSMENT_SAVED, [pupil.pk])]


@pytest.mark.parametrize("marks", ["25", "-1"])
def test_marks_outside_the_total_are_refused_on_the_form(
    school_admin_client, admin_user, pupils, maths, school_day, emitted, marks
):
    response = school_admin_client.post(ADD, assessment_data(pupils[0], maths, school_day, marks_obtained=marks))
    assert response.status_code == 200
    assert BAD_MARKS in response.content.decode()
    assert not Assessment.objects.exists()
    assert not AuditLog.objects.filter(actor=admin_user).exists()
    assert emitted == []


def test_a_corrected_assessment_is_graded_again_and_judged_and_a_bad_mark_is_refused(
    school_admin_client, admin_user, pupils, maths, school_day, emitted
):
    pupil = pupils[0]
    stored = recorded(admin_user, pupil, maths, school_day, marks_obtained="15")
    emitted.clear()
    url = f"/admin/students/assessment/{stored.pk}/change/"
    data = admin_form_data(school_admin_client.get(url).content.decode())
    data["marks_obtained"] = "30"
    response = school_admin_client.post(url, data)
    assert response.status_code == 200 and BAD_MARKS in response.content.decode()
    assert emitted == []

    data = admin_form_data(school_admin_client.get(url).content.decode())
    data["marks_obtained"] = "10"
    assert school_admin_client.post(url, data).status_code == 302
    stored.refresh_from_db()
    assert (str(stored.marks_obtained), str(stored.percentage), stored.version) == ("10.00", "50.00", 2)
    change = AuditLog.objects.get(actor=admin_user, action="update", entity_id=str(stored.pk))
    assert (change.before["marks_obtained"], change.after["marks_obtained"]) == ("15.00", "10.00")
    assert [(event, payload["student_ids"]) for event, payload in emitted] == [(events.ASSESSMENT_SAVED, [pupil.pk])]


def test_an_assessment_removed_in_admin_is_audited_and_judged(
    school_admin_client, admin_user, teacher, pupils, maths, school_day, emitted
):
    pupil = pupils[0]
    stored = recorded(admin_user, pupil, maths, school_day)
    with pytest.raises(PermissionDeniedError):
        services.assessment_delete(actor=teacher, assessment=stored)
    emitted.clear()
    url = f"/admin/students/assessment/{stored.pk}/delete/"
    assert school_admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Assessment.objects.exists()
    assert AuditLog.objects.filter(actor=admin_user, action="delete", entity_id=str(stored.pk)).exists()
    assert [(event, payload["student_ids"]) for event, payload in emitted] == [(events.ASSESSMENT_SAVED, [pupil.pk])]
