"""Base classes for the admin: rows of the admin's school only, and every write through the audit."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models

from core import audit
from core.errors import ApplicationError, ConflictError
from core.services import audited_create, audited_delete, audited_update


def is_school_admin(user) -> bool:
    return user.is_active and user.role == "admin" and user.school_id is not None


class SchoolScopedAdmin(admin.ModelAdmin):
    """A school admin sees, adds, changes and deletes only their school's rows; superusers see all.

    Saves and deletes go through the audited services, so admin changes leave audit rows too. Apps
    whose rows have rules of their own override `perform_create` / `perform_update` / `perform_delete`
    to call their services.
    """

    school_field = "school"

    # Permissions: school admins have full rights in their school; Django's model perms for superusers.
    def has_module_permission(self, request):
        return request.user.is_superuser or is_school_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or is_school_admin(request.user)

    def has_add_permission(self, request):
        return request.user.is_superuser or is_school_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or is_school_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser or is_school_admin(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser and request.user.school_id is None:
            return queryset
        return queryset.filter(**{f"{self.school_field}_id": request.user.school_id})

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and self.school_field == "school":
            excluded.append("school")
        return excluded

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if not request.user.is_superuser:
            filters = [f for f in filters if f != "school"]
        return filters

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Choices of related rows are limited to the admin's school as well.
        related = db_field.related_model
        if not request.user.is_superuser and request.user.school_id:
            if related._meta.label == "core.User" or any(f.name == "school" for f in related._meta.fields):
                kwargs["queryset"] = related._default_manager.filter(school_id=request.user.school_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # Writes
    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser and self.school_field == "school":
            obj.school_id = request.user.school_id
        if change:
            before = audit.snapshot(type(obj)._base_manager.get(pk=obj.pk))
            self.perform_update(request, obj, before)
        else:
            self.perform_create(request, obj)

    def delete_model(self, request, obj):
        self.perform_delete(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.perform_delete(request, obj)

    def perform_create(self, request, obj):
        audited_create(actor=request.user, instance=obj)

    def perform_update(self, request, obj, before):
        audited_update(actor=request.user, instance=obj, before=before)

    def perform_delete(self, request, obj):
        audited_delete(actor=request.user, instance=obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConflictError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            from django.http import HttpResponseRedirect

            return HttpResponseRedirect(request.get_full_path())
        except (ApplicationError, ValidationError) as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            from django.http import HttpResponseRedirect

            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyAdmin(SchoolScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def domain_models_without_audited_admin(site) -> list[type[models.Model]]:
    """Domain models (those carrying a school) not registered with an audited admin; used by a test."""
    from django.apps import apps

    missing = []
    for model in apps.get_models():
        if model._meta.app_label not in {"students", "attendance", "interventions"}:
            continue
        model_admin = site._registry.get(model)
        if model_admin is None or not isinstance(model_admin, SchoolScopedAdmin):
            missing.append(model)
    return missing
