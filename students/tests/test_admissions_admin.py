"""Inquiries and follow-ups in Django admin: writes go through the services (status guard, version,
score, audit)."""

import datetime

import pytest
import time_machine

from core.models import AuditLog
from core.tests.admin_forms import admin_form_data
from students.admissions import services
from students.admissions.models import FollowUp, Inquiry
from students.tests.admissions_helpers import TODAY, days, new_inquiry

pytestmark = pytest.mark.django_db


def test_an_admin_change_is_rescored_versioned_and_audited(school_admin_client, counselor):
    inquiry = new_inquiry(counselor, priority="low")
    url = f"/admin/students/inquiry/{inquiry.pk}/change/"
    data = admin_form_data(school_admin_client.get(url).content.decode())
    data["priority"] = "high"
    response = school_admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    inquiry.refresh_from_db()
    assert (inquiry.priority, inquiry.version) == ("high", 2)
    assert {"points": 15, "reason": "high priority"} in inquiry.lead_score_parts
    assert AuditLog.objects.filter(entity_type="students.inquiry", entity_id=str(inquiry.pk), action="update").exists()


def test_an_admin_cannot_move_an_inquiry_backwards(school_admin_client, counselor):
    inquiry = new_inquiry(counselor)
    Inquiry.objects.filter(pk=inquiry.pk).update(status="contacted")
    url = f"/admin/students/inquiry/{inquiry.pk}/change/"
    data = admin_form_data(school_admin_client.get(url).content.decode())
    data["status"] = "new"
    response = school_admin_client.post(url, data)
    assert "cannot go back" in response.content.decode()
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.version) == ("contacted", 1)


def test_an_admin_adds_an_inquiry_with_its_score(school_admin_client, admin_user):
    response = school_admin_client.get("/admin/students/inquiry/add/")
    data = admin_form_data(response.content.decode())
    data.update({"student_name": "Mary Seacole", "phone": "0700", "source": "referral", "priority": "medium"})
    response = school_admin_client.post("/admin/students/inquiry/add/", data)
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


# Follow-ups ------------------------------------------------------------------------------------------

FOLLOW_UP_ADD = "/admin/students/followup/add/"


@pytest.fixture
def admin_on_the_day(client, admin_user):
    """The admissions tests' day, with an admin logged in on it (a session begun on another day may have
    expired by then)."""
    with time_machine.travel(datetime.datetime.combine(TODAY, datetime.time(12), tzinfo=datetime.UTC), tick=False):
        client.force_login(admin_user)
        yield client


def follow_up_data(school_admin_client, inquiry, **values):
    data = admin_form_data(school_admin_client.get(FOLLOW_UP_ADD).content.decode())
    data.update({"inquiry": str(inquiry.pk), "follow_up_date": TODAY.isoformat(), "follow_up_type": "call"})
    data.update({"status": "completed", "outcome": "Visit booked", **values})
    return data


@pytest.mark.own_day
def test_a_follow_up_added_in_the_admin_moves_the_inquiry_on_and_rescores_it(admin_on_the_day, admin_user, counselor):
    school_admin_client = admin_on_the_day
    inquiry = new_inquiry(counselor)
    assert (inquiry.status, inquiry.last_contacted_on, inquiry.version) == ("new", None, 1)
    response = school_admin_client.post(FOLLOW_UP_ADD, follow_up_data(school_admin_client, inquiry))
    assert response.status_code == 302, response.content.decode()[:3000]
    follow_up = FollowUp.objects.get(inquiry=inquiry)
    assert (follow_up.status, follow_up.counselor, follow_up.school_id) == ("completed", admin_user, inquiry.school_id)
    assert response["Location"].endswith("/admin/students/followup/")
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.last_contacted_on, inquiry.version) == ("contacted", TODAY, 2)
    assert any("follow-up" in part["reason"] for part in inquiry.lead_score_parts)
    created = AuditLog.objects.get(entity_type="students.followup", entity_id=str(follow_up.pk))
    assert (created.action, created.actor) == ("create", admin_user)
    rescored = AuditLog.objects.get(entity_type="students.inquiry", entity_id=str(inquiry.pk), action="update")
    assert rescored.actor == admin_user and rescored.after["status"] == "contacted"


@pytest.mark.own_day
def test_a_follow_up_the_service_refuses_is_said_on_the_form_and_nothing_is_saved(admin_on_the_day, counselor):
    school_admin_client = admin_on_the_day
    inquiry = new_inquiry(counselor)
    data = follow_up_data(school_admin_client, inquiry, status="completed", follow_up_date=days(2).isoformat())
    response = school_admin_client.post(FOLLOW_UP_ADD, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "A completed follow-up cannot be in the future; record it as pending." in body
    assert 'value="Visit booked"' in body
    assert 'name="counselor"' not in body  # the one who records it is the counsellor
    missed = school_admin_client.post(FOLLOW_UP_ADD, follow_up_data(school_admin_client, inquiry, status="missed"))
    assert "missed is set by the nightly check" in missed.content.decode()
    assert not FollowUp.objects.exists()
    inquiry.refresh_from_db()
    assert inquiry.version == 1


@pytest.mark.own_day
def test_a_recorded_follow_up_is_shown_but_not_changed_or_deleted(admin_on_the_day, counselor):
    school_admin_client = admin_on_the_day
    inquiry = new_inquiry(counselor)
    follow_up = services.follow_up_create(actor=counselor, inquiry=inquiry, follow_up_date=TODAY, outcome="Rang")
    change = f"/admin/students/followup/{follow_up.pk}/change/"
    page = school_admin_client.get(change)
    assert page.status_code == 200 and "Rang" in page.content.decode()
    assert str(counselor) in page.content.decode()  # who recorded it, shown on the stored row
    assert 'name="_save"' not in page.content.decode()
    assert school_admin_client.post(change, {"outcome": "Changed", "status": "missed"}).status_code == 403
    assert (
        school_admin_client.post(f"/admin/students/followup/{follow_up.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    follow_up.refresh_from_db()
    assert (follow_up.outcome, follow_up.status) == ("Rang", "completed")
