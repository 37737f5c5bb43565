"""Inquiries in Django admin: changes go through the services (status guard, version, score, audit)."""

import pytest

from core.models import AuditLog
from core.tests.admin_forms import admin_form_data
from students.admissions.models import Inquiry
from students.tests.admissions_helpers import new_inquiry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_an_admin_change_is_rescored_versioned_and_audited(admin_client, counselor):
    inquiry = new_inquiry(counselor, priority="low")
    url = f"/admin/students/inquiry/{inquiry.pk}/change/"
    data = admin_form_data(admin_client.get(url).content.decode())
    data["priority"] = "high"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    inquiry.refresh_from_db()
    assert (inquiry.priority, inquiry.version) == ("high", 2)
    assert {"points": 15, "reason": "high priority"} in inquiry.lead_score_parts
    assert AuditLog.objects.filter(entity_type="students.inquiry", entity_id=str(inquiry.pk), action="update").exists()


def test_an_admin_cannot_move_an_inquiry_backwards(admin_client, counselor):
    inquiry = new_inquiry(counselor)
    Inquiry.objects.filter(pk=inquiry.pk).update(status="contacted")
    url = f"/admin/students/inquiry/{inquiry.pk}/change/"
    data = admin_form_data(admin_client.get(url).content.decode())
    data["status"] = "new"
    response = admin_client.post(url, data)
    assert "cannot go back" in response.content.decode()
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.version) == ("contacted", 1)


def test_an_admin_adds_an_inquiry_with_its_score(admin_client, admin_user):
    response = admin_client.get("/admin/students/inquiry/add/")
    data = admin_form_data(response.content.decode())
    data.update({"student_name": "Mary Seacole", "phone": "0700", "source": "referral", "priority": "medium"})
    response = admin_client.post("/admin/students/inquiry/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    inquiry = Inquiry.objects.get(student_name="Mary Seacole")
    assert (inquiry.school, inquiry.version) == (admin_user.school, 1)
    assert inquiry.lead_score == sum(part["points"] for part in inquiry.lead_score_parts) > 0


def test_a_save_the_role_may_not_make_is_said_on_the_form(client, make_user, school):
    """A superuser who is a teacher of the school reaches the admin, but the service records inquiries
    for admins and counsellors only: the refusal is beside the form, as typed, and nothing is saved."""
    teacher = make_user("teacher", school, is_staff=True, is_superuser=True)
    client.force_login(teacher)
    add = "/admin/students/inquiry/add/"
    data = admin_form_data(client.get(add).content.decode())
    data.update({"school": str(school.pk), "student_name": "Ama Owusu", "phone": "0244 000 111"})
    response = client.post(add, data)
    body = response.content.decode()
    assert response.status_code == 200 and "Only admins and counsellors record inquiries." in body
    assert 'value="Ama Owusu"' in body
    assert not Inquiry.objects.exists() and not AuditLog.objects.filter(entity_type="students.inquiry").exists()
