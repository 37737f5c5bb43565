"""The audit log: one row per create/update/delete in the same transaction, append-only, its API."""

import pytest
from django.contrib import admin
from django.db import IntegrityError, transaction

from core import audit
from core.admin_base import domain_models_without_audited_admin
from core.models import AuditLog
from core.services import audited_create, audited_delete, audited_update
from core.testing.queries import assert_query_count
from core.tests.factories import UserFactory
from students.models import Student
from students.tests.factories import ClassGroupFactory, StudentFactory

pytestmark = pytest.mark.django_db


def make_student(school, **kwargs):
    return StudentFactory.build(school=school, class_group=ClassGroupFactory(school=school), **kwargs)


class TestAuditedWrites:
    def test_create_leaves_one_row_with_actor_and_after(self, school, admin_user):
        student = audited_create(actor=admin_user, instance=make_student(school, first_name="Ama"))

        entry = AuditLog.objects.get(entity_type="students.student", entity_id=str(student.pk))
        assert entry.action == "create"
        assert entry.actor == admin_user
        assert entry.school_id == school.pk
        assert entry.before is None
        assert entry.after["first_name"] == "Ama"
        assert entry.after["version"] == 1

    def test_update_leaves_one_row_with_before_and_after(self, school, admin_user):
        student = StudentFactory(school=school, first_name="Ama")
        before = audit.snapshot(student)
        student.first_name = "Abena"

        audited_update(actor=admin_user, instance=student, before=before)

        entry = AuditLog.objects.get(action="update", entity_id=str(student.pk))
        assert entry.actor == admin_user
        assert entry.before["first_name"] == "Ama"
        assert entry.after["first_name"] == "Abena"
        assert (entry.before["version"], entry.after["version"]) == (1, 2)

    def test_delete_leaves_one_row_with_before_only(self, school, admin_user):
        student = StudentFactory(school=school, last_name="Mensah")
        student_pk = student.pk

        audited_delete(actor=admin_user, instance=student)

        assert not Student.objects.filter(pk=student_pk).exists()
        entry = AuditLog.objects.get(action="delete")
        assert entry.entity_id == str(student_pk)
        assert entry.actor == admin_user
        assert entry.before["last_name"] == "Mensah"
        assert entry.after is None

    def test_failed_write_after_the_audit_row_leaves_neither(self, school, admin_user, monkeypatch):
        """An error later in the service's transaction rolls back both the change and its audit row."""
        original = audit.record_create

        def record_then_fail(**kwargs):
            original(**kwargs)
            raise RuntimeError("a later step failed")

        monkeypatch.setattr(audit, "record_create", record_then_fail)
        with pytest.raises(RuntimeError):
            audited_create(actor=admin_user, instance=make_student(school))

        assert Student.objects.count() == 0
        assert AuditLog.objects.count() == 0

    def test_refused_write_leaves_no_audit_row(self, school, admin_user):
        StudentFactory(school=school, student_id="A1")
        with pytest.raises(IntegrityError):
            audited_create(actor=admin_user, instance=make_student(school, student_id="A1"))
        assert AuditLog.objects.count() == 0

    def test_user_snapshots_never_hold_the_password(self, school, admin_user):
        user = UserFactory.build(school=school, username="new-teacher")
        user.set_password("s3cret-pass-word")
        audited_create(actor=admin_user, instance=user)

        entry = AuditLog.objects.get(entity_type="core.user")
        assert "password" not in entry.after
        assert entry.after["username"] == "new-teacher"


class TestAppendOnly:
    def test_saving_an_existing_row_raises(self, school, admin_user):
        entry = audit.record(actor=admin_user, action="create", entity_type="x", entity_id=1)
        entry.action = "tampered"
        with pytest.raises(PermissionError):
            entry.save()
        assert AuditLog.objects.get(pk=entry.pk).action == "create"

    def test_queryset_update_and_delete_raise(self, school, admin_user):
        audit.record(actor=admin_user, action="create", entity_type="x", entity_id=1)
        with pytest.raises(PermissionError):
            AuditLog.objects.all().update(action="tampered")
        with pytest.raises(PermissionError):
            AuditLog.objects.filter(action="create").delete()
        with pytest.raises(PermissionError):
            AuditLog.objects.get().delete()
        entry = AuditLog.objects.get()
        entry.action = "tampered"
        with pytest.raises(PermissionError), transaction.atomic():
            AuditLog.objects.bulk_update([entry], ["action"])
        assert AuditLog.objects.filter(action="create").count() == 1

    def test_admin_is_read_only(self, client, school, admin_user):
        entry = audit.record(actor=admin_user, action="create", entity_type="students.student", entity_id=7)
        client.force_login(admin_user)

        changelist = client.get("/admin/core/auditlog/")
        assert changelist.status_code == 200
        assert "students.student" in changelist.content.decode()
        assert "/admin/core/auditlog/add/" not in changelist.content.decode()
        assert client.get("/admin/core/auditlog/add/").status_code == 403

        detail = client.get(f"/admin/core/auditlog/{entry.pk}/change/")
        assert detail.status_code == 200
        assert 'name="_save"' not in detail.content.decode()
        posted = client.post(f"/admin/core/auditlog/{entry.pk}/change/", {"action": "tampered"})
        assert posted.status_code == 403
        assert client.post(f"/admin/core/auditlog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
        bulk = client.post(
            "/admin/core/auditlog/", {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
        )
        assert bulk.status_code in (200, 302)
        assert AuditLog.objects.get(pk=entry.pk).action == "create"


class TestAuditApi:
    def test_admin_lists_own_school_only_with_filters(
        self, client_for, school, other_school, admin_user, teacher, other_admin
    ):
        audit.record(actor=admin_user, action="create", entity_type="students.student", entity_id=1)
        audit.record(actor=teacher, action="update", entity_type="students.student", entity_id=2)
        audit.record(actor=admin_user, action="delete", entity_type="attendance.holiday", entity_id=1)
        audit.record(actor=other_admin, action="create", entity_type="students.student", entity_id=1)
        client = client_for(admin_user)

        body = client.get("/api/audit/").json()
        assert body["count"] == 3
        assert {row["actor_username"] for row in body["results"]} == {"north-admin", "north-teacher"}

        assert client.get("/api/audit/", {"entity_type": "students.student"}).json()["count"] == 2
        rows = client.get("/api/audit/", {"entity_type": "students.student", "entity_id": "1"}).json()["results"]
        assert [(r["action"], r["actor"]) for r in rows] == [("create", admin_user.pk)]
        assert client.get("/api/audit/", {"actor": teacher.pk}).json()["count"] == 1
        assert client.get("/api/audit/", {"actor": other_admin.pk}).json()["count"] == 0
        assert (
            client.get("/api/audit/", {"action": "delete"}).json()["results"][0]["entity_type"] == "attendance.holiday"
        )

    def test_list_query_count_does_not_grow_with_rows(self, client_for, school, admin_user, teacher):
        client = client_for(admin_user)
        audit.record(actor=teacher, action="create", entity_type="x", entity_id=1)
        with assert_query_count(2):
            assert client.get("/api/audit/").json()["count"] == 1
        for n in range(30):
            audit.record(actor=UserFactory(school=school), action="create", entity_type="x", entity_id=n)
        with assert_query_count(2):
            assert client.get("/api/audit/").json()["count"] == 31

    @pytest.mark.parametrize("role", ["form_master", "teacher", "counselor"])
    def test_non_admins_may_not_read(self, client_for, make_user, school, role):
        response = client_for(make_user(role, school)).get("/api/audit/")
        assert response.status_code == 403
        assert "results" not in response.json()

    def test_anonymous_is_401(self, api_client):
        assert api_client.get("/api/audit/").status_code == 401
        assert api_client.post("/api/audit/", {"action": "printed_report"}, format="json").status_code == 401

    def test_any_school_user_records_a_known_client_event(self, client_for, school, teacher):
        response = client_for(teacher).post(
            "/api/audit/", {"action": "printed_report", "details": {"report": "form-2b"}}, format="json"
        )
        assert response.status_code == 201
        assert response.json()["action"] == "client.printed_report"
        entry = AuditLog.objects.get()
        assert (entry.actor, entry.school, entry.after) == (teacher, school, {"report": "form-2b"})

    @pytest.mark.parametrize(
        "payload, field",
        [
            ({"action": "drop_tables"}, "action"),
            ({}, "action"),
            ({"action": "printed_report", "details": ["not", "an", "object"]}, "details"),
            ({"action": "printed_report", "details": "text"}, "details"),
            ({"action": "printed_report", "details": {"x": "y" * 5000}}, "details"),
        ],
    )
    def test_bad_client_events_are_400(self, client_for, teacher, payload, field):
        response = client_for(teacher).post("/api/audit/", payload, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert AuditLog.objects.count() == 0


def test_every_domain_model_has_an_audited_admin():
    """Every model of students/attendance/interventions is registered with a SchoolScopedAdmin."""
    assert domain_models_without_audited_admin(admin.site) == []
