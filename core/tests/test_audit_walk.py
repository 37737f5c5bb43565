"""Every domain model that a school admin may delete in the admin leaves its audit row when deleted."""

import datetime
import importlib

import factory
import pytest
from django.contrib import admin
from django.test import RequestFactory

from core.admin_base import SchoolScopedAdmin
from core.audit import entity_type_of
from core.models import AuditLog

pytestmark = pytest.mark.django_db

FACTORY_MODULES = [
    "students.tests.factories",
    "students.academics.tests.factories",
    "attendance.tests.factories",
    "interventions.tests.factories",
]
DOMAIN_APPS = {"students", "attendance", "interventions"}


def factories_by_model():
    found = {}
    for name in FACTORY_MODULES:
        for value in vars(importlib.import_module(name)).values():
            if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory):
                found.setdefault(value._meta.model, value)
    return found


def test_admin_deletes_of_domain_rows_are_audited(school, admin_user):
    request = RequestFactory().post("/admin/")
    request.user = admin_user
    factories = factories_by_model()
    walked = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in DOMAIN_APPS or not isinstance(model_admin, SchoolScopedAdmin):
            continue
        if not model_admin.has_delete_permission(request) or model not in factories:
            continue
        # Dated rows (holidays, registers, attendance) take their day from the caller.
        dated = {"date": datetime.date(2026, 10, 6)} if any(f.name == "date" for f in model._meta.fields) else {}
        row = factories[model](school=school, **dated)
        pk = row.pk
        model_admin.delete_model(request, row)

        assert not model._base_manager.filter(pk=pk).exists(), model
        entry = AuditLog.objects.filter(entity_type=entity_type_of(model), entity_id=str(pk), action="delete").first()
        assert entry is not None, f"deleting a {model.__name__} in the admin left no audit row"
        assert (entry.actor, entry.school) == (admin_user, school)
        assert entry.before is not None
        walked.append(model.__name__)

    assert "Student" in walked and len(walked) >= 5, walked
