"""The meetings API (SPEC §4): paths, filters, shapes, versions, roles and tenancy."""

import pytest
from django.db import connection
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from core.locking import versioned_save
from core.models import AuditLog
from core.testing.queries import assert_query_count
from interventions.meetings import selectors as meeting_selectors
from interventions.meetings.api import MeetingSerializer
from interventions.models import Alert, InterventionMeeting, ProgressUpdate
from interventions.tests.factories import AlertFactory, ProgressUpdateFactory
from interventions.tests.meetings_helpers import (  # noqa: F401 - fixtures
    days,
    fm_form,
    foreign_student,
    make_meeting,
    meeting_payload,
    other_form,
    other_student,
    student,
)
from students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

URL = "/api/interventions/meetings/"
Meeting = InterventionMeeting


def detail_url(meeting):
    return f"{URL}{meeting.pk}/"


# Create


def test_form_master_records_meeting_for_own_student(client_for, form_master, student):
    """Creation sets school and created_by from the user and answers with the full meeting."""
    response = client_for(form_master).post(URL, meeting_payload(student), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    meeting = Meeting.objects.get(pk=body["id"])
    assert meeting.school_id == form_master.school_id
    assert meeting.created_by == form_master
    assert meeting.status == "open" and meeting.version == 1
    for name in (
        "student",
        "meeting_date",
        "absence_reason",
        "root_cause",
        "intervention_notes",
        "action_plan",
        "follow_up_date",
        "urgency_level",
        "status",
        "created_by",
        "created_at",
        "updated_at",
        "school",
        "version",
        "alert",
        "student_name",
        "is_overdue",
        "progress_updates",
    ):
        assert name in body, name
    assert body["student"] == student.pk
    assert body["student_name"] == "Sam Lee"
    assert body["is_overdue"] is False
    assert body["progress_updates"] == []
    assert body["urgency_level"] == "high"
    entry = AuditLog.objects.get(entity_type="interventions.interventionmeeting", action="create")
    assert entry.entity_id == str(meeting.pk)
    assert entry.actor == form_master
    assert entry.after["root_cause"] == "family"


def test_create_with_alert_links_and_acknowledges_it(client_for, form_master, student):
    alert = AlertFactory(school=student.school, student=student, status=Alert.Status.OPEN)
    response = client_for(form_master).post(URL, meeting_payload(student, alert=alert.pk), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["alert"] == alert.pk
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    assert alert.version == 2
    entry = AuditLog.objects.get(entity_type="interventions.alert", entity_id=str(alert.pk))
    assert entry.action == "update"
    assert entry.before["status"] == "open" and entry.after["status"] == "acknowledged"


def test_create_with_alert_of_another_student_is_refused(client_for, form_master, student, school):
    alert = AlertFactory(school=school)
    response = client_for(form_master).post(URL, meeting_payload(student, alert=alert.pk), format="json")
    assert response.status_code == 400
    assert "alert" in response.json()
    assert not Meeting.objects.exists()
    alert.refresh_from_db()
    assert alert.status == "open" and alert.version == 1


def test_second_active_meeting_for_same_cause_is_a_400_naming_the_first(client_for, form_master, student):
    first = make_meeting(student=student, created_by=form_master, root_cause="family", status="monitoring")
    response = client_for(form_master).post(URL, meeting_payload(student), format="json")
    assert response.status_code == 400
    message = response.json()["root_cause"][0]
    assert message == (
        f"Sam Lee already has an active intervention for Family (#{first.pk}, status monitoring). "
        "Add a progress update to it or close it first."
    )
    assert Meeting.objects.count() == 1


def test_a_closed_meeting_does_not_block_a_new_one(client_for, form_master, student):
    make_meeting(student=student, created_by=form_master, root_cause="family", status="closed")
    response = client_for(form_master).post(URL, meeting_payload(student), format="json")
    assert response.status_code == 201
    assert Meeting.objects.filter(student=student, root_cause="family").count() == 2


def test_the_database_refuses_a_second_active_meeting_per_cause(form_master, student):
    """The generated active_marker column makes the unique constraint hold on SQLite and MariaDB alike."""
    from django.db import IntegrityError, transaction

    make_meeting(student=student, created_by=form_master, root_cause="health")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_meeting(student=student, created_by=form_master, root_cause="health")
    make_meeting(student=student, created_by=form_master, root_cause="health", status="closed")
    make_meeting(student=student, created_by=form_master, root_cause="health", status="closed")


@pytest.mark.parametrize(
    "overrides, field, fragment",
    [
        ({"meeting_date": str(days(1))}, "meeting_date", "future"),
        ({"follow_up_date": str(days(-1)), "meeting_date": str(days(-3))}, "follow_up_date", "past"),
        ({"follow_up_date": str(days(-1)), "meeting_date": str(days(-1))}, "follow_up_date", "after the meeting"),
        ({"follow_up_date": str(days(-2)), "meeting_date": str(days(-1))}, "follow_up_date", "after the meeting"),
        ({"absence_reason": "   "}, "absence_reason", "blank"),
        ({"intervention_notes": ""}, "intervention_notes", "blank"),
        ({"action_plan": ""}, "action_plan", "blank"),
        ({"root_cause": "boredom"}, "root_cause", "health, family, academic, financial, behavioral, other"),
        ({"urgency_level": "extreme"}, "urgency_level", "low, medium, high"),
        ({"meeting_date": "yesterday"}, "meeting_date", "format"),
        ({"student": "abc"}, "student", "integer"),
        ({"student": 999999}, "student", "No student"),
    ],
)
def test_create_validation(client_for, form_master, student, overrides, field, fragment):
    payload = {**meeting_payload(student), **overrides}
    response = client_for(form_master).post(URL, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert fragment in " ".join(body[field]), body
    assert not Meeting.objects.exists()


def test_create_edges_today_is_fine_and_follow_up_optional(client_for, form_master, student):
    payload = meeting_payload(student, meeting_date=str(days(0)), follow_up_date=None)
    payload.pop("urgency_level")
    response = client_for(form_master).post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["follow_up_date"] is None
    assert response.json()["urgency_level"] == "medium"


def test_missing_required_fields_listed(client_for, form_master):
    response = client_for(form_master).post(URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"student", "meeting_date", "absence_reason", "root_cause", "action_plan"}


def test_form_master_cannot_record_for_another_form(client_for, form_master, other_student):
    response = client_for(form_master).post(URL, meeting_payload(other_student), format="json")
    assert response.status_code == 403
    assert not Meeting.objects.exists()


def test_student_of_another_school_is_unknown(client_for, form_master, admin_user, foreign_student):
    for user in (form_master, admin_user):
        response = client_for(user).post(URL, meeting_payload(foreign_student), format="json")
        assert response.status_code == 400
        assert response.json() == {"student": [f"No student with id {foreign_student.pk}."]}
    assert not Meeting.objects.exists()


def test_admin_records_for_any_student_of_school(client_for, admin_user, other_student):
    response = client_for(admin_user).post(URL, meeting_payload(other_student), format="json")
    assert response.status_code == 201
    assert Meeting.objects.get().created_by == admin_user


def test_counselor_and_teacher_cannot_record(client_for, counselor, teacher, student):
    assert client_for(counselor).post(URL, meeting_payload(student), format="json").status_code == 403
    assert client_for(teacher).post(URL, meeting_payload(student), format="json").status_code == 403
    assert not Meeting.objects.exists()


# List, filters, pagination, tenancy


@pytest.fixture
def mixed_meetings(school, form_master, other_form_master, student, other_student, other_school):
    own = [
        make_meeting(
            student=student,
            created_by=form_master,
            root_cause="family",
            status="open",
            urgency_level="high",
            follow_up_date=days(-2),
        ),
        make_meeting(
            student=student,
            created_by=form_master,
            root_cause="health",
            status="monitoring",
            urgency_level="low",
            follow_up_date=days(3),
        ),
        make_meeting(
            student=student,
            created_by=form_master,
            root_cause="academic",
            status="closed",
            urgency_level="high",
            follow_up_date=days(-5),
        ),
    ]
    theirs = [
        make_meeting(
            student=other_student,
            created_by=other_form_master,
            root_cause="family",
            status="escalated",
            urgency_level="high",
            follow_up_date=days(-1),
        ),
    ]
    foreign = [
        make_meeting(student=StudentFactory(school=other_school), created_by=other_form_master, status="escalated")
    ]
    return {"own": own, "theirs": theirs, "foreign": foreign}


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_list_scopes_by_role(client_for, form_master, admin_user, counselor, teacher, other_admin, mixed_meetings):
    own, theirs, foreign = mixed_meetings["own"], mixed_meetings["theirs"], mixed_meetings["foreign"]
    assert ids(client_for(form_master).get(URL)) == {m.pk for m in own}
    assert ids(client_for(admin_user).get(URL)) == {m.pk for m in own + theirs}
    assert ids(client_for(counselor).get(URL)) == {theirs[0].pk}
    assert ids(client_for(other_admin).get(URL)) == {foreign[0].pk}
    assert client_for(teacher).get(URL).status_code == 403


def test_list_shape_and_pagination(client_for, form_master, mixed_meetings):
    body = client_for(form_master).get(URL, {"page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] and body["previous"] is None
    row = body["results"][0]
    assert {"id", "student", "student_name", "is_overdue", "version", "status"} <= set(row)
    assert "progress_updates" not in row


def test_list_rows_are_what_the_declared_fields_give(admin_user, mixed_meetings):
    """The list's rows are written directly; the JSON is byte for byte what DRF's walk over the declared
    fields gives: overdue or not, closed, with and without a follow-up date."""
    Meeting.objects.filter(pk=mixed_meetings["own"][1].pk).update(follow_up_date=None)
    renderer = JSONRenderer()
    meetings = list(meeting_selectors.meeting_list(actor=admin_user))
    assert len(meetings) == 4
    for meeting in meetings:
        serializer = MeetingSerializer(meeting, context={"today": days(0)})
        generic = serializers.ModelSerializer.to_representation(serializer, meeting)
        assert renderer.render(serializer.data) == renderer.render(generic)


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"status": "open"}, {0}),
        ({"status": "closed"}, {2}),
        ({"urgency": "high"}, {0, 2}),
        ({"urgency": "low"}, {1}),
        ({"overdue": "true"}, {0}),
        ({"overdue": "false"}, {1, 2}),
        ({"status": "open", "urgency": "low"}, set()),
        ({"active": "true"}, {0, 1}),
        ({"active": "false"}, {2}),
        ({"active": "true", "urgency": "high"}, {0}),
    ],
)
def test_list_filters(client_for, form_master, mixed_meetings, params, expected):
    own = mixed_meetings["own"]
    response = client_for(form_master).get(URL, params)
    assert response.status_code == 200
    assert ids(response) == {own[i].pk for i in expected}


def test_list_filter_by_student(client_for, admin_user, mixed_meetings, other_student):
    response = client_for(admin_user).get(URL, {"student": other_student.pk})
    assert ids(response) == {mixed_meetings["theirs"][0].pk}


def test_overdue_flag(client_for, form_master, mixed_meetings):
    rows = {row["id"]: row for row in client_for(form_master).get(URL).json()["results"]}
    own = mixed_meetings["own"]
    assert rows[own[0].pk]["is_overdue"] is True
    assert rows[own[1].pk]["is_overdue"] is False
    assert rows[own[2].pk]["is_overdue"] is False  # closed is never overdue


@pytest.mark.parametrize(
    "params, field",
    [
        ({"status": "bogus"}, "status"),
        ({"urgency": "x"}, "urgency"),
        ({"overdue": "maybe"}, "overdue"),
        ({"student": "abc"}, "student"),
        ({"active": "perhaps"}, "active"),
    ],
)
def test_bad_filters_are_400(client_for, form_master, params, field):
    response = client_for(form_master).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_unauthenticated_is_401_everywhere(api_client, student):
    for method, path in [
        ("get", URL),
        ("post", URL),
        ("get", f"{URL}1/"),
        ("patch", f"{URL}1/"),
        ("delete", f"{URL}1/"),
        ("post", f"{URL}progress/"),
        ("get", f"{URL}stats/"),
        ("get", f"{URL}recurring/"),
        ("get", f"{URL}student/{student.pk}/"),
    ]:
        assert getattr(api_client, method)(path).status_code == 401, (method, path)


def _make_many(count, *, student_factory, created_by):
    for i in range(count):
        student = student_factory()
        make_meeting(student=student, created_by=created_by, follow_up_date=days(-1 if i % 2 else 4))


@pytest.mark.parametrize("count", [5, 60])
def test_list_query_count_does_not_grow(client_for, admin_user, school, count):
    """Count + one page of rows with their students, whatever the number of meetings."""
    _make_many(count, student_factory=lambda: StudentFactory(school=school), created_by=admin_user)
    client = client_for(admin_user)
    with assert_query_count(2):
        response = client.get(URL, {"page_size": 200})
    assert response.json()["count"] == count


# Detail, update, delete


def test_detail_roles(
    client_for, form_master, other_form_master, admin_user, counselor, teacher, other_admin, mixed_meetings
):
    own, theirs = mixed_meetings["own"][0], mixed_meetings["theirs"][0]
    ProgressUpdateFactory(meeting=own, update_text="first")
    ProgressUpdateFactory(meeting=own, update_text="second")
    body = client_for(form_master).get(detail_url(own)).json()
    assert [u["update_text"] for u in body["progress_updates"]] == ["second", "first"]  # newest first
    assert body["version"] == 1
    assert client_for(other_form_master).get(detail_url(own)).status_code == 403
    assert client_for(admin_user).get(detail_url(own)).status_code == 200
    assert client_for(counselor).get(detail_url(own)).status_code == 403  # not escalated
    assert client_for(counselor).get(detail_url(theirs)).status_code == 200  # escalated
    assert client_for(teacher).get(detail_url(own)).status_code == 403
    assert client_for(other_admin).get(detail_url(own)).status_code == 404
    assert client_for(admin_user).get(f"{URL}999999/").status_code == 404


def test_patch_requires_version_and_bumps_it(client_for, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master)
    client = client_for(form_master)
    response = client.patch(detail_url(meeting), {"action_plan": "New plan"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"version": ["This field is required."]}
    response = client.patch(detail_url(meeting), {"action_plan": "New plan", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert response.json()["action_plan"] == "New plan"
    meeting.refresh_from_db()
    assert meeting.version == 2 and meeting.action_plan == "New plan"
    entry = AuditLog.objects.get(entity_type="interventions.interventionmeeting", action="update")
    assert entry.before["action_plan"] != "New plan" and entry.after["action_plan"] == "New plan"
    assert entry.before["version"] == 1 and entry.after["version"] == 2


def test_stale_version_is_409_with_current_version(client_for, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master)
    client = client_for(form_master)
    assert client.patch(detail_url(meeting), {"urgency_level": "low", "version": 1}, format="json").status_code == 200
    response = client.patch(detail_url(meeting), {"urgency_level": "high", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert "detail" in response.json()
    meeting.refresh_from_db()
    assert meeting.urgency_level == "low"


def test_put_replaces_fields(client_for, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master)
    payload = meeting_payload(student, action_plan="Put plan", version=1, status="monitoring")
    response = client_for(form_master).put(detail_url(meeting), payload, format="json")
    assert response.status_code == 200, response.content
    meeting.refresh_from_db()
    assert (meeting.action_plan, meeting.status, meeting.version) == ("Put plan", "monitoring", 2)
    incomplete = {"action_plan": "x", "version": 2}
    assert client_for(form_master).put(detail_url(meeting), incomplete, format="json").status_code == 400


def test_put_resets_the_optional_fields_it_leaves_out_and_patch_keeps_them(client_for, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master, urgency_level="high", follow_up_date=days(5))
    client = client_for(form_master)
    response = client.patch(detail_url(meeting), {"action_plan": "Patched plan", "version": 1}, format="json")
    assert (response.json()["urgency_level"], response.json()["follow_up_date"]) == ("high", str(days(5)))
    payload = meeting_payload(student, version=2)
    del payload["follow_up_date"], payload["urgency_level"]
    response = client.put(detail_url(meeting), payload, format="json")
    assert response.status_code == 200, response.content
    meeting.refresh_from_db()
    assert (meeting.urgency_level, meeting.follow_up_date, meeting.version) == ("medium", None, 3)


def test_put_cannot_move_the_meeting_to_another_student(client_for, form_master, student, school, fm_form):
    meeting = make_meeting(student=student, created_by=form_master)
    someone_else = StudentFactory(school=school, class_group=fm_form)
    payload = meeting_payload(someone_else, version=1)
    response = client_for(form_master).put(detail_url(meeting), payload, format="json")
    assert response.status_code == 400
    assert "student" in response.json()


def test_patch_with_unknown_or_read_only_fields_is_a_400_naming_them(client_for, form_master, student, school):
    """Fields the API does not write are refused, not silently dropped; nothing is saved."""
    meeting = make_meeting(student=student, created_by=form_master, action_plan="original")
    body = {
        "action_plan": "changed",
        "version": 1,
        "school": school.pk + 1,
        "created_by": form_master.pk + 1,
        "id": meeting.pk + 1,
        "colour": "red",
    }
    response = client_for(form_master).patch(detail_url(meeting), body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "colour": ["Unknown field."],
        "created_by": ["This field is read-only."],
        "id": ["This field is read-only."],
        "school": ["This field is read-only."],
    }
    payload = meeting_payload(student, version=1, is_overdue=False)
    response = client_for(form_master).put(detail_url(meeting), payload, format="json")
    assert response.status_code == 400 and response.json() == {"is_overdue": ["This field is read-only."]}
    meeting.refresh_from_db()
    assert (meeting.action_plan, meeting.version) == ("original", 1)
    assert not AuditLog.objects.exists()


@pytest.mark.parametrize("body", ["null", "[]", '"version"', "7"])
def test_a_patch_or_put_whose_body_is_not_an_object_is_a_400(client_for, form_master, student, body):
    meeting = make_meeting(student=student, created_by=form_master, action_plan="original")
    client = client_for(form_master)
    for method in (client.patch, client.put):
        response = method(detail_url(meeting), body, content_type="application/json")
        assert response.status_code == 400, (method, body)
        assert list(response.json()) == ["non_field_errors"]
    meeting.refresh_from_db()
    assert (meeting.action_plan, meeting.version) == ("original", 1)
    assert not AuditLog.objects.exists()


def test_a_patch_or_put_that_changes_nothing_saves_nothing(client_for, form_master, student):
    """200 with the row as it stands: the same version, no audit row, updated_at untouched."""
    meeting = make_meeting(student=student, created_by=form_master, action_plan="Plan", status="monitoring")
    client = client_for(form_master)
    for body in ({"version": 1}, {"action_plan": "  Plan  ", "status": "monitoring", "version": 1}):
        response = client.patch(detail_url(meeting), body, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["version"] == 1 and response.json()["action_plan"] == "Plan"
    put = {
        "student": student.pk,
        "meeting_date": str(meeting.meeting_date),
        "absence_reason": meeting.absence_reason,
        "root_cause": meeting.root_cause,
        "intervention_notes": meeting.intervention_notes,
        "action_plan": meeting.action_plan,
        "follow_up_date": None if meeting.follow_up_date is None else str(meeting.follow_up_date),
        "urgency_level": meeting.urgency_level,
        "status": meeting.status,
        "version": 1,
    }
    response = client.put(detail_url(meeting), put, format="json")
    assert response.status_code == 200 and response.json()["version"] == 1
    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.version, stored.updated_at) == (1, meeting.updated_at)
    assert not AuditLog.objects.exists()
    assert not ProgressUpdate.objects.exists()
    # Still judged against the version the client read.
    assert client.patch(detail_url(meeting), {"version": 7}, format="json").status_code == 409


def test_an_unchanged_closed_meeting_can_be_sent_back(client_for, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master, status="closed", action_plan="Done")
    client = client_for(form_master)
    response = client.patch(
        detail_url(meeting), {"status": "closed", "action_plan": "Done", "version": 1}, format="json"
    )
    assert response.status_code == 200 and response.json()["version"] == 1
    response = client.patch(detail_url(meeting), {"action_plan": "Rewritten", "version": 1}, format="json")
    assert response.status_code == 400
    assert not AuditLog.objects.exists()


def test_a_status_change_by_patch_is_written_to_the_progress_history(client_for, form_master, admin_user, student):
    """The tracker shows every move: a PATCH that moves the status adds a progress update, audited."""
    meeting = make_meeting(student=student, created_by=form_master, status="open")
    response = client_for(admin_user).patch(
        detail_url(meeting), {"status": "monitoring", "urgency_level": "low", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2
    assert [u["update_text"] for u in body["progress_updates"]] == ["Status changed from Open to Monitoring."]
    update = ProgressUpdate.objects.get()
    assert (update.previous_status, update.new_status, update.created_by, update.school_id) == (
        "open",
        "monitoring",
        admin_user,
        student.school_id,
    )
    entries = AuditLog.objects.order_by("id")
    assert [(e.entity_type, e.action, e.entity_id) for e in entries] == [
        ("interventions.interventionmeeting", "update", str(meeting.pk)),
        ("interventions.progressupdate", "create", str(update.pk)),
    ]
    assert entries[0].before["status"] == "open" and entries[0].after["status"] == "monitoring"
    assert entries[1].actor == admin_user
    # A change that keeps the status adds no update.
    client_for(form_master).patch(detail_url(meeting), {"action_plan": "New plan", "version": 2}, format="json")
    assert ProgressUpdate.objects.count() == 1


def test_patch_status_follows_the_table(client_for, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master, status="open")
    client = client_for(form_master)
    response = client.patch(detail_url(meeting), {"status": "improving", "version": 1}, format="json")
    assert response.status_code == 400
    assert response.json()["status"] == [
        "Cannot move from open to improving. Allowed next statuses: monitoring, escalated, closed."
    ]
    response = client.patch(detail_url(meeting), {"status": "monitoring", "version": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "monitoring"


def test_patch_dates_only_checks_the_past_when_follow_up_changes(client_for, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master, meeting_date=days(-20), follow_up_date=days(-10))
    client = client_for(form_master)
    # An unrelated change leaves the (now past) follow-up date alone.
    response = client.patch(detail_url(meeting), {"action_plan": "Still going", "version": 1}, format="json")
    assert response.status_code == 200
    response = client.patch(detail_url(meeting), {"follow_up_date": str(days(-2)), "version": 2}, format="json")
    assert response.status_code == 400
    assert "past" in response.json()["follow_up_date"][0]
    response = client.patch(detail_url(meeting), {"follow_up_date": str(days(2)), "version": 2}, format="json")
    assert response.status_code == 200
    response = client.patch(detail_url(meeting), {"meeting_date": str(days(1)), "version": 3}, format="json")
    assert response.status_code == 400 and "meeting_date" in response.json()


def test_patch_root_cause_into_an_active_duplicate_is_400(client_for, form_master, student):
    make_meeting(student=student, created_by=form_master, root_cause="family")
    second = make_meeting(student=student, created_by=form_master, root_cause="health")
    response = client_for(form_master).patch(detail_url(second), {"root_cause": "family", "version": 1}, format="json")
    assert response.status_code == 400
    assert "already has an active intervention for Family" in response.json()["root_cause"][0]


def test_update_roles(client_for, other_form_master, admin_user, counselor, teacher, other_admin, mixed_meetings):
    own, theirs = mixed_meetings["own"][0], mixed_meetings["theirs"][0]
    change = {"action_plan": "Changed", "version": 1}
    assert client_for(other_form_master).patch(detail_url(own), change, format="json").status_code == 403
    assert client_for(teacher).patch(detail_url(own), change, format="json").status_code == 403
    assert client_for(other_admin).patch(detail_url(own), change, format="json").status_code == 404
    assert client_for(counselor).patch(detail_url(theirs), change, format="json").status_code == 403
    # A counsellor may move an escalated meeting on (monitoring or closed), nothing else.
    response = client_for(counselor).patch(detail_url(theirs), {"status": "monitoring", "version": 1}, format="json")
    assert response.status_code == 200
    assert client_for(admin_user).patch(detail_url(own), change, format="json").status_code == 200


def test_delete_with_version_query_param_keeps_row_in_audit(client_for, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master)
    ProgressUpdateFactory(meeting=meeting, update_text="kept in the audit")
    pk = meeting.pk
    client = client_for(form_master)
    assert client.delete(detail_url(meeting)).status_code == 400
    assert client.delete(f"{detail_url(meeting)}?version=7").status_code == 409
    response = client.delete(f"{detail_url(meeting)}?version=1")
    assert response.status_code == 204
    assert not Meeting.objects.filter(pk=pk).exists()
    assert not ProgressUpdate.objects.filter(meeting_id=pk).exists()
    entry = AuditLog.objects.get(entity_type="interventions.interventionmeeting", action="delete")
    assert entry.entity_id == str(pk)
    assert entry.before["action_plan"] == meeting.action_plan
    assert entry.before["progress_updates"][0]["update_text"] == "kept in the audit"


def test_delete_with_version_in_body(client_for, admin_user, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master)
    response = client_for(admin_user).delete(detail_url(meeting), {"version": 1}, format="json")
    assert response.status_code == 204
    assert not Meeting.objects.exists()


def test_delete_roles(client_for, other_form_master, counselor, teacher, other_admin, mixed_meetings):
    own, theirs = mixed_meetings["own"][0], mixed_meetings["theirs"][0]
    assert client_for(other_form_master).delete(f"{detail_url(own)}?version=1").status_code == 403
    assert client_for(counselor).delete(f"{detail_url(theirs)}?version=1").status_code == 403
    assert client_for(teacher).delete(f"{detail_url(own)}?version=1").status_code == 403
    assert client_for(other_admin).delete(f"{detail_url(own)}?version=1").status_code == 404
    assert Meeting.objects.filter(pk__in=[own.pk, theirs.pk]).count() == 2


# Progress


def test_progress_adds_update_and_moves_status(client_for, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master, status="open")
    payload = {"meeting": meeting.pk, "update_text": "Came every day.", "status": "monitoring", "version": 1}
    response = client_for(form_master).post(f"{URL}progress/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "monitoring" and body["version"] == 2
    assert body["progress_updates"][0]["update_text"] == "Came every day."
    update = ProgressUpdate.objects.get()
    assert (update.previous_status, update.new_status, update.created_by) == ("open", "monitoring", form_master)
    actions = set(AuditLog.objects.values_list("entity_type", "action"))
    assert ("interventions.progressupdate", "create") in actions
    assert ("interventions.interventionmeeting", "update") in actions


def test_progress_without_status_needs_no_version(client_for, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master)
    response = client_for(form_master).post(
        f"{URL}progress/", {"meeting": meeting.pk, "update_text": "Note only."}, format="json"
    )
    assert response.status_code == 201
    meeting.refresh_from_db()
    assert meeting.version == 1 and meeting.status == "open"


def test_progress_illegal_move_writes_nothing(client_for, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master, status="open")
    payload = {"meeting": meeting.pk, "update_text": "Better.", "status": "improving", "version": 1}
    response = client_for(form_master).post(f"{URL}progress/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["status"] == [
        "Cannot move from open to improving. Allowed next statuses: monitoring, escalated, closed."
    ]
    assert not ProgressUpdate.objects.exists()
    assert not AuditLog.objects.exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"update_text": "  "}, "update_text"),
        ({"update_text": "x", "status": "sideways", "version": 1}, "status"),
        ({"update_text": "x", "meeting": "abc"}, "meeting"),
    ],
)
def test_progress_validation(client_for, form_master, student, payload, field):
    meeting = make_meeting(student=student, created_by=form_master)
    response = client_for(form_master).post(f"{URL}progress/", {"meeting": meeting.pk, **payload}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ProgressUpdate.objects.exists()


def test_progress_status_change_without_version_is_judged_against_the_stored_meeting(client_for, form_master, student):
    """SPEC: `version` is optional. Without it the move is checked against the meeting as stored now (a
    client that last saw it open may move it on from where a colleague left it), and it succeeds."""
    meeting = make_meeting(student=student, created_by=form_master, status="open")
    meeting.status = "monitoring"  # moved by someone else since the client read it
    versioned_save(meeting)
    payload = {"meeting": meeting.pk, "update_text": "Better this week.", "status": "improving"}
    response = client_for(form_master).post(f"{URL}progress/", payload, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["status"], response.json()["version"]) == ("improving", 3)
    update = ProgressUpdate.objects.get()
    assert (update.previous_status, update.new_status) == ("monitoring", "improving")
    row = AuditLog.objects.get(entity_type="interventions.interventionmeeting", action="update")
    assert (row.before["status"], row.after["status"], row.after["version"]) == ("monitoring", "improving", 3)
    # A move the stored status does not allow is still refused, with the stored status named.
    payload = {"meeting": meeting.pk, "update_text": "x", "status": "escalated"}
    response = client_for(form_master).post(f"{URL}progress/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["status"][0].startswith("Cannot move from improving to escalated.")
    assert ProgressUpdate.objects.count() == 1


def test_progress_stale_version_is_409_and_writes_nothing(client_for, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master, status="monitoring")
    meeting.action_plan = "changed elsewhere"
    versioned_save(meeting)
    payload = {"meeting": meeting.pk, "update_text": "x", "status": "improving", "version": 1}
    response = client_for(form_master).post(f"{URL}progress/", payload, format="json")
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert not ProgressUpdate.objects.exists()


def test_progress_roles(
    client_for, form_master, other_form_master, admin_user, counselor, teacher, other_admin, mixed_meetings
):
    own, theirs = mixed_meetings["own"][1], mixed_meetings["theirs"][0]

    def post(user, meeting, **extra):
        payload = {"meeting": meeting.pk, "update_text": "update", **extra}
        return client_for(user).post(f"{URL}progress/", payload, format="json").status_code

    assert post(other_form_master, own) == 403
    assert post(teacher, own) == 403
    assert post(other_admin, own) == 404
    assert post(counselor, own) == 403  # not escalated
    assert post(counselor, theirs, status="improving", version=1) == 400  # escalated → monitoring/closed only
    assert post(counselor, theirs, status="closed", version=1) == 201
    assert post(admin_user, own) == 201
    assert post(form_master, own) == 201
    assert ProgressUpdate.objects.count() == 3


def test_progress_on_closed_meeting_is_refused(client_for, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master, status="closed")
    response = client_for(form_master).post(
        f"{URL}progress/", {"meeting": meeting.pk, "update_text": "late note"}, format="json"
    )
    assert response.status_code == 400


# Stats, recurring, student history


def test_stats(client_for, form_master, admin_user, counselor, teacher, other_admin, mixed_meetings):
    client = client_for(admin_user)
    with assert_query_count(1):
        response = client.get(f"{URL}stats/")
    assert response.json() == {
        "total": 4,
        "active": 3,
        "high_urgency": 2,
        "overdue_follow_ups": 2,
        "by_status": {"open": 1, "monitoring": 1, "improving": 0, "not_improving": 0, "escalated": 1, "closed": 1},
    }
    own = client_for(form_master).get(f"{URL}stats/").json()
    assert own["total"] == 3 and own["by_status"]["escalated"] == 0
    assert client_for(counselor).get(f"{URL}stats/").json()["total"] == 1
    assert client_for(teacher).get(f"{URL}stats/").status_code == 403
    foreign = client_for(other_admin).get(f"{URL}stats/").json()
    assert foreign["total"] == 1 and foreign["by_status"]["escalated"] == 1  # only the other school's own row


def test_stats_is_one_query_whatever_the_size(client_for, admin_user, school):
    _make_many(30, student_factory=lambda: StudentFactory(school=school), created_by=admin_user)
    with assert_query_count(1):
        body = client_for(admin_user).get(f"{URL}stats/").json()
    assert body["total"] == 30 and body["overdue_follow_ups"] == 15


def test_recurring(
    client_for,
    admin_user,
    form_master,
    other_admin,
    counselor,
    teacher,
    student,
    other_student,
    other_form_master,
):
    make_meeting(student=student, created_by=form_master, root_cause="family", status="closed")
    make_meeting(student=student, created_by=form_master, root_cause="family")
    make_meeting(student=student, created_by=form_master, root_cause="health")
    make_meeting(student=other_student, created_by=other_form_master, root_cause="family")
    client = client_for(admin_user)
    with assert_query_count(2):
        body = client.get(f"{URL}recurring/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["student"] == student.pk and row["student_name"] == "Sam Lee"
    assert row["meeting_count"] == 3 and row["active_count"] == 2
    assert client.get(f"{URL}recurring/", {"min": 1}).json()["count"] == 2
    assert client.get(f"{URL}recurring/", {"min": 4}).json()["count"] == 0
    for bad in ("x", "0", "-2"):
        response = client.get(f"{URL}recurring/", {"min": bad})
        assert response.status_code == 400 and "min" in response.json()
    assert client_for(other_admin).get(f"{URL}recurring/").json()["count"] == 0
    assert client_for(form_master).get(f"{URL}recurring/").json()["results"][0]["meeting_count"] == 3
    assert client_for(counselor).get(f"{URL}recurring/").json()["count"] == 0
    assert client_for(teacher).get(f"{URL}recurring/").status_code == 403


def test_recurring_takes_the_same_queries_for_few_and_many_students(client_for, admin_user, school, fm_form):
    def recurring_students(count):
        for _ in range(count):
            pupil = StudentFactory(school=school, class_group=fm_form)
            make_meeting(student=pupil, created_by=admin_user, root_cause="family", status="closed")
            make_meeting(student=pupil, created_by=admin_user, root_cause="health")

    recurring_students(2)
    client = client_for(admin_user)
    with assert_query_count(2):  # count, page of students with their meeting counts
        assert client.get(f"{URL}recurring/").json()["count"] == 2
    recurring_students(20)
    with assert_query_count(2):
        body = client.get(f"{URL}recurring/", {"page_size": 50}).json()
    assert body["count"] == 22 and all(row["meeting_count"] == 2 for row in body["results"])


def test_student_history_chronological(
    client_for, form_master, admin_user, other_admin, counselor, teacher, other_form_master, student
):
    later = make_meeting(student=student, created_by=form_master, root_cause="family", meeting_date=days(-2))
    earlier = make_meeting(student=student, created_by=form_master, root_cause="health", meeting_date=days(-9))
    ProgressUpdateFactory(meeting=earlier, update_text="one")
    ProgressUpdateFactory(meeting=earlier, update_text="two")
    path = f"{URL}student/{student.pk}/"
    body = client_for(form_master).get(path).json()
    assert [m["id"] for m in body["results"]] == [earlier.pk, later.pk]
    assert [u["update_text"] for u in body["results"][0]["progress_updates"]] == ["one", "two"]
    assert client_for(admin_user).get(path).json()["count"] == 2
    assert client_for(counselor).get(path).json()["count"] == 0  # nothing escalated
    assert client_for(other_form_master).get(path).status_code == 403
    assert client_for(teacher).get(path).status_code == 403
    assert client_for(other_admin).get(path).status_code == 404
    assert client_for(admin_user).get(f"{URL}student/999999/").status_code == 404


def test_student_history_query_count_is_flat(client_for, admin_user, form_master, student, school, fm_form):
    for cause in ("family", "health", "academic", "financial"):
        meeting = make_meeting(student=student, created_by=form_master, root_cause=cause)
        ProgressUpdateFactory(meeting=meeting)
        ProgressUpdateFactory(meeting=meeting)
    client = client_for(admin_user)
    # student, count, meetings, their updates
    with assert_query_count(4):
        assert client.get(f"{URL}student/{student.pk}/").json()["count"] == 4
    for n in range(16):
        meeting = make_meeting(
            student=student, created_by=(admin_user, form_master)[n % 2], meeting_date=days(-n), status="closed"
        )
        for _ in range(3):
            ProgressUpdateFactory(meeting=meeting)
    with assert_query_count(4):
        body = client.get(f"{URL}student/{student.pk}/", {"page_size": 50}).json()
    assert body["count"] == 20 and sum(len(m["progress_updates"]) for m in body["results"]) == 8 + 48


def test_routes_are_not_taken_for_ids(client_for, admin_user):
    client = client_for(admin_user)
    assert client.get(f"{URL}stats/").status_code == 200
    assert client.get(f"{URL}recurring/").status_code == 200
    assert client.post(f"{URL}progress/", {}, format="json").status_code == 400
    assert connection.vendor in {"sqlite", "mysql"}
