"""Base classes for the admin: rows of the admin's school only, and every write through the audit."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, router
from django.http import HttpResponseRedirect

from core import audit
from core.errors import ApplicationError, ConflictError
from core.models import OptimisticLockMixin
from core.services import audited_create, audited_delete, audited_update

# The hidden field of a versioned row's change form: the version the admin loaded.
EXPECTED_VERSION = "expected_version"
MAX_VERSION = 2**31 - 1
STALE_EDIT_MESSAGE = (
    "This record was changed by someone else after you opened it, so your changes were not saved. "
    "The form now shows the current values; make your changes again."
)
CLASH_MESSAGE = "Nothing was saved: another record with the same values was saved at the same moment."


def is_school_admin(user) -> bool:
    return user.is_active and user.role == "admin" and user.school_id is not None


class SchoolScopedAdmin(admin.ModelAdmin):
    """A school admin sees, adds, changes and deletes only their school's rows; superusers see all.

    Saves and deletes go through the audited services, so admin changes leave audit rows too. Apps
    whose rows have rules of their own override `perform_create` / `perform_update` / `perform_delete`
    to call their services.

    The school is not on a school admin's form, so the form sets it on the row before validating and
    checks the unique constraints that include it: a duplicate is an inline error, not a database error.
    A versioned row's form carries the version it was loaded at; a save after someone else's is refused.
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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self._is_versioned():
            return fieldsets
        if EXPECTED_VERSION in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, opts), *rest = fieldsets
        return [(name, {**opts, "fields": (*opts["fields"], EXPECTED_VERSION)}), *rest]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if kwargs.get("fields"):
            # Declared on the form below; the model has no such field.
            kwargs["fields"] = [name for name in kwargs["fields"] if name != EXPECTED_VERSION]
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return scoped_form(
            form_class,
            school_field=self.school_field,
            school_id=None if request.user.is_superuser else request.user.school_id,
            versioned=self._is_versioned(),
        )

    def _is_versioned(self) -> bool:
        return issubclass(self.model, OptimisticLockMixin)

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
        if not change:
            self.perform_create(request, obj)
            return
        stored = type(obj)._base_manager.get(pk=obj.pk)
        expected = form.cleaned_data.get(EXPECTED_VERSION) if self._is_versioned() else None
        if expected is not None:
            if expected != stored.version:
                # Refused before the rules of the change are checked against someone else's newer row;
                # the conditional UPDATE of the save still catches a save in between.
                raise ConflictError(current_version=stored.version)
            obj.version = expected
        self.perform_update(request, obj, audit.snapshot(stored))

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
        # Django's view runs in a transaction: an error raised by a save has rolled everything back here.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConflictError:
            self.message_user(request, STALE_EDIT_MESSAGE, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except (ApplicationError, ValidationError) as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except IntegrityError:
            # The form checks the constraints first; this is someone saving the same row in between.
            self.message_user(request, CLASH_MESSAGE, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def scoped_form(form_class, *, school_field: str, school_id: int | None, versioned: bool):
    """`form_class` that sets a new row's school before validation and validates the unique constraints
    that include the school; on a versioned row it carries the loaded version in `expected_version`."""

    add_version_field = versioned and EXPECTED_VERSION not in form_class.base_fields

    class ScopedForm(form_class):
        if add_version_field:
            expected_version = forms.IntegerField(
                widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_VERSION
            )

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            instance = self.instance
            if school_id is not None and school_field == "school" and instance._state.adding:
                instance.school_id = school_id
            if EXPECTED_VERSION in self.fields and not instance._state.adding:
                self.fields[EXPECTED_VERSION].initial = instance.version

        def validate_unique(self):
            super().validate_unique()
            self._validate_constraints_with_school()

        def _validate_constraints_with_school(self):
            # Django skips a constraint when one of its fields is not on the form, and the school is not.
            if school_field != "school" or school_field in self.fields:
                return
            model = self._meta.model
            checked = {name for name in self.fields if name not in self.errors}
            exclude = {f.name for f in model._meta.fields if f.name not in checked} - {school_field}
            using = router.db_for_write(model, instance=self.instance)
            for constraint in model._meta.constraints:
                if not isinstance(constraint, models.UniqueConstraint) or school_field not in constraint.fields:
                    continue
                others = [name for name in constraint.fields if name != school_field]
                if not others or any(name not in checked for name in others):
                    continue
                try:
                    constraint.validate(model, self.instance, exclude=exclude, using=using)
                except ValidationError as error:
                    if constraint.violation_error_message != constraint.default_violation_error_message:
                        message = error
                    else:
                        # "Student with this Student id already exists.": within the school goes without saying.
                        message = self.instance.unique_error_message(model, others)
                    self.add_error(others[0] if len(others) == 1 else NON_FIELD_ERRORS, message)

    ScopedForm.__name__ = ScopedForm.__qualname__ = form_class.__name__
    return ScopedForm


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
