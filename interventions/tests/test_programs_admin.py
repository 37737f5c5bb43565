"""Programs in Django admin: the school's rows only, and writes through the program services."""

import pytest
from django.contrib.admin.models import LogEntry

from core.models import AuditLog
from core.tests.admin_forms import admin_form_data
from interventions.models import Intervention, InterventionSession, InterventionTemplate
from interventions.tests.programs_helpers import at, clock, make_program, make_session  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    return client


def test_lists_show_only_the_schools_programs(clock, admin_client, counselor, make_user, other_school):
    make_program(owner=counselor, name="North reading")
    make_program(owner=make_user("counselor", other_school), name="South reading")
    body = admin_client.get("/admin/interventions/intervention/").content.decode()
    assert "North reading" in body and "South reading" not in body


def test_status_move_in_admin_is_guarded_and_audited(clock, admin_client, counselor):
    program = make_program(owner=counselor, status="active")
    url = f"/admin/interventions/intervention/{program.pk}/change/"
    data = admin_form_data(admin_client.get(url).content.decode())
    data["status"] = "draft"
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "Cannot move" in response.content.decode()
    data["status"] = "completed"
    assert admin_client.post(url, data).status_code == 302
    program.refresh_from_db()
    assert (program.status, program.version) == ("completed", 2)
    assert AuditLog.objects.filter(entity_type="interventions.intervention", action="update").exists()


def test_a_clashing_session_is_refused_on_the_form(clock, admin_client, counselor):
    program = make_program(owner=counselor)
    existing = make_session(program, start=at(1, 10), location="Hall")
    data = {
        "intervention": program.pk,
        "start_time_0": at(1, 10).strftime("%Y-%m-%d"),
        "start_time_1": "10:30:00",
        "end_time_0": at(1, 10).strftime("%Y-%m-%d"),
        "end_time_1": "11:00:00",
        "location": " hall",
        "facilitator": counselor.pk,
        "status": "scheduled",
        "cancel_reason": "",
    }
    response = admin_client.post("/admin/interventions/interventionsession/add/", data)
    assert response.status_code == 200
    assert f"session {existing.pk}" in response.content.decode()
    assert InterventionSession.objects.count() == 1
    assert Intervention.objects.count() == 1


def test_a_template_added_through_the_service_is_the_row_the_admin_then_opens(clock, admin_client, admin_user):
    """The service creates the row; the admin's "Save and continue editing" opens that row, its log entry
    names it and a second save (at the version the service gave) goes through."""
    add = "/admin/interventions/interventiontemplate/add/"
    data = admin_form_data(admin_client.get(add).content.decode())
    data.update({"name": "Check and connect", "description": "Daily check-in", "_continue": "1"})
    response = admin_client.post(add, data)
    template = InterventionTemplate.objects.get(name="Check and connect")
    change = f"/admin/interventions/interventiontemplate/{template.pk}/change/"
    assert response.status_code == 302 and response["Location"] == change
    assert (template.school_id, template.version) == (admin_user.school_id, 1)
    assert LogEntry.objects.get(action_flag=1).object_id == str(template.pk)
    data = admin_form_data(admin_client.get(change).content.decode())
    data.update({"description": "Daily check-in and check-out", "_continue": "1"})
    assert admin_client.post(change, data)["Location"] == change
    template.refresh_from_db()
    assert (template.description, template.version) == ("Daily check-in and check-out", 2)
    assert LogEntry.objects.get(action_flag=2).object_id == str(template.pk)
