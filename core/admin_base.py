"""Base classes for the admin: rows of the admin's school only, and every write through the audit."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.filters import (
    AllValuesFieldListFilter,
    FieldListFilter,
    RelatedFieldListFilter,
)
from django.contrib.admin.utils import flatten_fieldsets, get_fields_from_path
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, router
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator

from core import audit
from core.errors import ApplicationError, ConflictError, PermissionDeniedError
from core.ids import MAX_VERSION
from core.locking import expect_version
from core.models import OptimisticLockMixin, School
from core.permissions import is_platform_operator
from core.services import audited_create, audited_delete, audited_update

# The hidden field of a versioned row's change form: the version the admin loaded.
EXPECTED_VERSION = "expected_version"
STALE_EDIT_MESSAGE = (
    "This record was changed by someone else after you opened it, so your changes were not saved. "
    "The form now shows the current values; make your changes again."
)
CLASH_MESSAGE = "Nothing was saved: another record with the same values was saved at the same moment."
REFUSED_MESSAGE = "Nothing was saved: the change breaks a rule."
# Set on the request when a save was refused by a rule, so that the form is shown again with the errors.
REFUSAL_ATTRIBUTE = "_admin_refusal"


def is_school_admin(user) -> bool:
    return user.is_active and user.role == "admin" and user.school_id is not None


def rows_school_id(user) -> int | None:
    """The school whose rows `user` sees in the admin; None for a platform operator (a superuser
    without a school), who sees every school's."""
    if is_platform_operator(user):
        return None
    return user.school_id


def of_school(queryset: models.QuerySet, school_id: int) -> models.QuerySet | None:
    """The rows of `queryset` that belong to the school; None when its model is shared by every school."""
    model = queryset.model
    if issubclass(model, School):
        return queryset.filter(pk=school_id)
    if _school_of(model) is not None:
        return queryset.filter(school_id=school_id)
    return None


def _school_of(model) -> models.Field | None:
    try:
        field = model._meta.get_field("school")
    except FieldDoesNotExist:
        return None
    return field if field.is_relation and field.related_model is School else None


class SchoolScopedRelatedFieldListFilter(RelatedFieldListFilter):
    """A sidebar filter on a related row that offers the rows of the admin's school only."""

    def field_choices(self, field, request, model_admin):
        school_id = rows_school_id(request.user)
        if school_id is None:
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        related = field.related_model._default_manager.all()
        scoped = of_school(related, school_id)
        if scoped is None:
            # A model shared by every school: the values used by the rows listed.
            used = model_admin.get_queryset(request).values_list(f"{self.field_path}__pk", flat=True)
            scoped = related.filter(pk__in=used)
        return field.get_choices(
            include_blank=False, ordering=ordering, limit_choices_to={"pk__in": scoped.values("pk")}
        )


class SchoolScopedAllValuesFieldListFilter(AllValuesFieldListFilter):
    """A sidebar filter on a plain field across a relation (`class_group__grade_level`): the values of
    the rows listed, where Django's own lists those of every school's related rows."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = (
            model_admin.get_queryset(request).order_by(field_path).values_list(field_path, flat=True).distinct()
        )


def _scoped_list_filter(model, item):
    """`item` of a list_filter, with Django's filter class swapped for the school-scoped one where
    Django's would list every school's rows; other items as they are."""
    if isinstance(item, str):
        path, filter_class = item, None
    elif isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str):
        path, filter_class = item
        if filter_class not in (RelatedFieldListFilter, AllValuesFieldListFilter):
            return item
    else:
        return item  # a SimpleListFilter: its choices are its own
    fields = get_fields_from_path(model, path)
    field = fields[-1]
    if getattr(field, "remote_field", None):
        return (path, SchoolScopedRelatedFieldListFilter)
    if len(fields) > 1:
        default = filter_class or DjangoAdminAdapter.default_filter_class(field)
        if default is AllValuesFieldListFilter:
            return (path, SchoolScopedAllValuesFieldListFilter)
    return item


class SchoolScopedRawIdWidget(ForeignKeyRawIdWidget):
    """The raw-id widget, whose label names only a row of `queryset` (the admin's school's)."""

    def __init__(self, rel, admin_site, queryset, attrs=None, using=None):
        self.queryset = queryset
        super().__init__(rel, admin_site, attrs=attrs, using=using)

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            obj = self.queryset.using(self.db).get(**{key: value})
        except (ValueError, ValidationError, self.queryset.model.DoesNotExist):
            return "", ""
        try:
            url = reverse(f"{self.admin_site.name}:{obj._meta.app_label}_{obj._meta.model_name}_change", args=(obj.pk,))
        except NoReverseMatch:
            url = ""
        return Truncator(obj).words(14), url


def adopt_saved(obj: models.Model, saved: models.Model) -> None:
    """Give the admin's `obj` what a service stored for it (id, version, school, timestamps, whatever the
    service set), so the admin's message, its log entry and its redirect name the row that was saved."""
    for field in type(saved)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))


class SchoolScopedAdmin(admin.ModelAdmin):
    """A school admin sees, adds, changes and deletes only their school's rows; superusers see all.

    Saves and deletes go through the audited services, so admin changes leave audit rows too. Apps
    whose rows have rules of their own override `perform_create` / `perform_update` / `perform_delete`
    to call their services.

    The school is not on a school admin's form, so the form sets it on the row before validating and
    checks the unique constraints that include it: a duplicate is an inline error, not a database error.
    A versioned row's form carries the version it was loaded at; a save after someone else's is refused.

    Everything that names other rows is of the admin's school too: the sidebar filters, the choices of
    a related row (select, raw id, autocomplete). A related row must be of the row's own school, for
    superusers as well, and the school of a recorded row stays as it is. A rule of a service that
    refuses the save is shown on the form as it was typed, beside the field it names.
    """

    school_field = "school"
    # Fields the service that adds the row fills in (who, when): left off the add form.
    set_by_service: tuple[str, ...] = ()
    # Fields that stay as they were saved: other rows hang on them (a register's form and day).
    fixed_once_saved: tuple[str, ...] = ()

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
        school_id = rows_school_id(request.user)
        if school_id is None:
            return queryset
        return queryset.filter(**{f"{self.school_field}_id": school_id})

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and self.school_field == "school":
            excluded.append("school")
        if obj is None:
            excluded.extend(self.set_by_service)
        return excluded

    # Rows of a school point at rows of that school: moving one would leave its own rows behind.
    school_fixed_once_saved = True

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.extend(name for name in self.fixed_once_saved if name not in readonly)
        if (
            obj is not None
            and request.user.is_superuser
            and self.school_field == "school"
            and self.school_fixed_once_saved
            and "school" not in readonly
        ):
            readonly.append("school")
        return readonly

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
            refusal=getattr(request, REFUSAL_ATTRIBUTE, None),
        )

    def _is_versioned(self) -> bool:
        return issubclass(self.model, OptimisticLockMixin)

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if not request.user.is_superuser:
            filters = [f for f in filters if f != "school"]
        if rows_school_id(request.user) is not None:
            # Django builds a related filter's choices from every row of the related model.
            filters = [_scoped_list_filter(self.model, f) for f in filters]
        return filters

    def _related_choices(self, db_field, request, db) -> models.QuerySet | None:
        """The rows a school admin may pick for `db_field`: their school's; None when not limited."""
        if request.user.is_superuser or not request.user.school_id:
            return None
        queryset = self.get_field_queryset(db, db_field, request)
        if queryset is None:
            queryset = db_field.related_model._default_manager.using(db).all()
        return of_school(queryset, request.user.school_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Choices of related rows are limited to the admin's school as well; a raw id's label too.
        db = kwargs.get("using")
        if "queryset" not in kwargs:
            choices = self._related_choices(db_field, request, db)
            if choices is not None:
                kwargs["queryset"] = choices
                raw_id = db_field.name in self.raw_id_fields
                if raw_id and "widget" not in kwargs and db_field.name not in self.get_autocomplete_fields(request):
                    kwargs["widget"] = SchoolScopedRawIdWidget(
                        db_field.remote_field, self.admin_site, choices, using=db
                    )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and db_field.name not in self.raw_id_fields:
            choices = self._related_choices(db_field, request, kwargs.get("using"))
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

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
            # Refused before the rules of the change are checked against someone else's newer row; the
            # conditional UPDATE of the save (at `obj.version`) still catches a save in between.
            expect_version(stored, expected)
            obj.version = expected
        self.perform_update(request, obj, audit.snapshot(stored))

    def delete_model(self, request, obj):
        self.perform_delete(request, obj)

    def get_deleted_objects(self, objs, request):
        # Rows whose admin says `removed_with_parent` may not be deleted on their own, but go along with
        # the row they belong to (the audited delete logs each): they do not block that delete.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        along = {
            str(model._meta.verbose_name)
            for model, model_admin in self.admin_site._registry.items()
            if getattr(model_admin, "removed_with_parent", False)
        }
        return deleted, counts, perms_needed - along, protected

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
        except (ApplicationError, ValidationError, PermissionDeniedError) as exc:
            if isinstance(exc, PermissionDeniedError):
                if request.method != "POST":
                    raise  # opening a row the role may not see: the 403 page
                exc = ApplicationError(exc.message)  # a save the role may not make: said on the form
            if request.method != "POST" or hasattr(request, REFUSAL_ATTRIBUTE):
                self.message_user(request, str(exc) or REFUSED_MESSAGE, level=messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
            return DjangoAdminAdapter.show_refusal_on_form(self, request, exc, object_id, form_url, extra_context)
        except IntegrityError:
            # The form checks the constraints first; this is someone saving the same row in between.
            self.message_user(request, CLASH_MESSAGE, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class DjangoAdminAdapter:
    """What Django's admin offers no public hook for, in one place (check these on a Django upgrade).

    - The default list filter of a field: Django keeps its field → filter class table in the private
      `FieldListFilter._field_list_filters`; we need it to tell whether a filter across a relation
      would be the `AllValuesFieldListFilter`, which lists the values of every school's rows.
    - A service's refusal of a save shown on the form: `save_model` runs after the form was validated
      and the admin has no hook to turn its exception into form errors. The change form view is run
      again on the same POST with the refusal on the request (`REFUSAL_ATTRIBUTE`); `get_form` makes
      the form invalid with those errors, so Django renders what was typed and saves nothing.
    Everything else in this module uses public admin hooks (get_queryset, get_form, get_list_filter,
    RelatedFieldListFilter.field_choices, formfield_for_foreignkey, save_model, delete_model).
    """

    @staticmethod
    def default_filter_class(field):
        for test, filter_class in FieldListFilter._field_list_filters:
            if test(field):
                return filter_class
        return None

    @staticmethod
    def show_refusal_on_form(model_admin, request, exc, object_id, form_url, extra_context):
        setattr(request, REFUSAL_ATTRIBUTE, refusal_errors(exc))
        return model_admin.changeform_view(request, object_id, form_url, extra_context)


def refusal_errors(exc: ApplicationError | ValidationError) -> dict[str | None, list[str]]:
    """The messages of a refused save, by field name (None: the whole form)."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return {None if name == NON_FIELD_ERRORS else name: list(m) for name, m in exc.message_dict.items()}
        return {None: exc.messages}
    errors: dict[str | None, list[str]] = {name: list(m) for name, m in exc.field_errors.items()}
    if exc.message or not errors:
        errors.setdefault(None, []).append(exc.message or REFUSED_MESSAGE)
    return errors


def scoped_form(
    form_class,
    *,
    school_field: str,
    school_id: int | None,
    versioned: bool,
    refusal: dict[str | None, list[str]] | None = None,
):
    """`form_class` that sets a new row's school before validation and validates the unique constraints
    that include the school; on a versioned row it carries the loaded version in `expected_version`.
    Related rows must be of the row's school. `refusal`: the errors of a save that a rule refused,
    shown on the form (which is then invalid)."""

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

        def _post_clean(self):
            super()._post_clean()
            self._validate_related_schools()
            for name, messages_ in (refusal or {}).items():
                self._add_refusal(name, messages_)

        def _validate_related_schools(self):
            # School admins only see their school's rows; this holds superusers to the same rule.
            if school_field != "school" or self.instance.school_id is None:
                return
            model = self._meta.model
            for name in self.fields:
                if name == school_field or name in self.errors:
                    continue
                try:
                    field = model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                if not (field.many_to_one or field.one_to_one) or _school_of(field.related_model) is None:
                    continue
                related = getattr(self.instance, name, None)
                if related is not None and related.school_id != self.instance.school_id:
                    self.add_error(
                        name,
                        f"This {field.related_model._meta.verbose_name} belongs to another school than "
                        f"the {model._meta.verbose_name}.",
                    )

        def _add_refusal(self, name, messages_):
            if name in self.fields:
                self.add_error(name, list(messages_))
                return
            if name is not None:
                try:
                    label = self._meta.model._meta.get_field(name).verbose_name
                except FieldDoesNotExist:
                    label = name.replace("_", " ")
                messages_ = [f"{str(label).capitalize()}: {message}" for message in messages_]
            self.add_error(None, list(messages_))

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


class SchoolSettingsAdmin(SchoolScopedAdmin):
    """A school's settings, one row per school, created with SPEC's defaults the first time it is needed
    (`ensure_row`, the app's `<settings>_ensure` service): a school admin opening the list gets the row."""

    list_filter = ("school",)
    search_fields = ("school__name", "school__code")

    def ensure_row(self, *, school):
        raise NotImplementedError

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def changelist_view(self, request, extra_context=None):
        if is_school_admin(request.user):
            self.ensure_row(school=request.user.school)
        return super().changelist_view(request, extra_context)


class RecordedRowAdmin(SchoolScopedAdmin):
    """Rows that are a record (a contact made, a behaviour logged, a criterion set): added through the
    app's service (its `perform_create`), then shown as recorded, not changed, since only that service
    keeps right what depends on them (`set_by_service`: the fields it fills in)."""

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(SchoolScopedAdmin):
    """Rows shown, never added, changed or deleted here. `removed_with_parent`: they still go along
    when the row they belong to is deleted (see get_deleted_objects)."""

    removed_with_parent = False

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
