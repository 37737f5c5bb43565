"""Behaviour records in Django admin: logged, and removed, through the behaviour services."""

import datetime

import pytest
from django.utils import formats, timezone

from core.models import AuditLog
from core.tests.admin_forms import admin_form_data
from students.behaviour import services
from students.behaviour.models import BehaviourRecord

pytestmark = pytest.mark.django_db
ADD = "/admin/students/behaviourrecord/add/"


@pytest.fixture
def student(form, make_students):
    return make_students(form, 1)[0]


def record_data(school_admin_client, student, **values):
    data = admin_form_data(school_admin_client.get(ADD).content.decode())
    data.update({"student": str(student.pk), "type": "penalty", "category": "behavior", "points": "3"})
    data.update({"reason": "Phone out in the exam", "date": timezone.localdate().isoformat(), **values})
    return data


def test_a_record_added_in_the_admin_is_logged_by_the_service(
    school_admin_client, admin_user, student, django_capture_on_commit_callbacks
):
    page = school_admin_client.get(ADD).content.decode()
    assert 'name="created_by"' not in page and 'name="status"' not in page  # the service sets them
    assert f'value="{formats.localize_input(timezone.localdate())}"' in page  # today unless said otherwise
    with django_capture_on_commit_callbacks() as callbacks:
        response = school_admin_client.post(ADD, record_data(school_admin_client, student))
    assert response.status_code == 302, response.content.decode()[:3000]
    record = BehaviourRecord.objects.get(student=student)
    assert (record.created_by, record.status, record.points, record.school_id) == (
        admin_user,
        "active",
        3,
        student.school_id,
    )
    logged = AuditLog.objects.get(entity_type="students.behaviourrecord", entity_id=str(record.pk))
    assert (logged.action, logged.actor) == ("create", admin_user)
    assert len(callbacks) == 1  # the student's risk is looked at again once it is committed


def test_what_the_service_refuses_is_said_on_the_form_and_nothing_is_saved(school_admin_client, student):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = school_admin_client.post(ADD, record_data(school_admin_client, student, date=tomorrow.isoformat()))
    body = response.content.decode()
    assert response.status_code == 200 and "Not a date in the future." in body
    assert 'value="Phone out in the exam"' in body
    assert not BehaviourRecord.objects.exists() and not AuditLog.objects.exists()


def test_a_logged_record_is_shown_not_edited_and_is_removed_through_the_service(
    school_admin_client, admin_user, student, django_capture_on_commit_callbacks
):
    record = services.behaviour_record_create(actor=admin_user, student=student, type="penalty", reason="Late again")
    change = f"/admin/students/behaviourrecord/{record.pk}/change/"
    page = school_admin_client.get(change)
    assert page.status_code == 200 and "Late again" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert school_admin_client.post(change, {"status": "resolved", "upheld": ""}).status_code == 403
    with django_capture_on_commit_callbacks() as callbacks:
        response = school_admin_client.post(f"/admin/students/behaviourrecord/{record.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not BehaviourRecord.objects.exists()
    removed = AuditLog.objects.get(entity_type="students.behaviourrecord", action="delete")
    assert (removed.entity_id, removed.actor, removed.before["reason"]) == (str(record.pk), admin_user, "Late again")
    assert len(callbacks) == 1


def test_only_an_admin_removes_a_record(admin_user, teacher, student):
    record = services.behaviour_record_create(actor=admin_user, student=student, type="reward", reason="Helped out")
    with pytest.raises(services.PermissionDeniedError):
        services.behaviour_record_delete(actor=teacher, record=record)
    assert BehaviourRecord.objects.filter(pk=record.pk).exists()
