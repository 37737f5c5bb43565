from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models.functions import Lower

from core import audit
from core.admin_base import ReadOnlyAdmin, SchoolScopedAdmin, is_school_admin, rows_school_id
from core.auth import login_unlock
from core.models import AuditLog, School, User


@admin.register(School)
class SchoolAdmin(SchoolScopedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    school_field = "id"

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk=request.user.school_id)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(User)
class UserAdmin(SchoolScopedAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "role", "school", "is_active"]
    list_filter = ["role", "school", "is_active"]
    list_select_related = ["school"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        ("School", {"fields": ("school", "role", "is_active")}),
        ("Platform", {"fields": ("is_staff", "is_superuser", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2", "role", "school")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    # Platform operators move people between schools.
    school_fixed_once_saved = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            # A superuser is a platform operator, even one given a school: not a school admin's to
            # see, change, reset or delete.
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # School admins manage people of their own school; platform flags and the school are not theirs.
        cleaned = []
        for name, opts in fieldsets:
            if name == "Platform":
                continue
            fields = tuple(f for f in opts["fields"] if f != "school")
            cleaned.append((name, {**opts, "fields": fields}))
        return cleaned

    def get_exclude(self, request, obj=None):
        return []

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            # Not on a school admin's form; held here too, whatever was posted.
            stored = User.objects.filter(pk=obj.pk).values("is_superuser", "is_staff").first() if change else None
            obj.is_superuser = stored["is_superuser"] if stored else False
            obj.is_staff = stored["is_staff"] if stored else False
            obj.school_id = request.user.school_id
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        # Django's view saves the new password itself; the audit row joins it in one transaction.
        request.is_password_change = True
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)

    def log_change(self, request, obj, message):
        if getattr(request, "is_password_change", False):
            # Only that it changed: the hash is never copied into the audit log.
            audit.record(actor=request.user, action="password_change", instance=obj)
        return super().log_change(request, obj, message)


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "entity_type", "entity_id", "actor", "ip", "school"]
    list_filter = ["action", "entity_type", "school"]
    search_fields = ["entity_type", "entity_id", "action", "actor__username"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "school"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or is_school_admin(request.user)


# Login lockouts (django-axes) ----------------------------------------------------------------------

for axes_model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(axes_model):
        admin.site.unregister(axes_model)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    """Failed logins counted per username and address; "Locked Out" ones refuse even the right password
    until the cool-off ends. Deleting a row unlocks it (audited). A school admin sees the rows of their
    school's usernames; a platform superuser sees all, unknown usernames included."""

    def _allowed(self, request) -> bool:
        return request.user.is_superuser or is_school_admin(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        school_id = rows_school_id(request.user)
        if school_id is None:
            return queryset
        # Counted under the username as typed, lower case (core.auth.lockout_username).
        usernames = User._base_manager.filter(school_id=school_id).annotate(lowered=Lower("username"))
        return queryset.filter(username__in=usernames.values("lowered"))

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("cleanup_expired_attempts", None)  # a delete that would leave no audit row
        return actions

    def delete_model(self, request, obj):
        login_unlock(actor=request.user, attempts=[obj])

    def delete_queryset(self, request, queryset):
        login_unlock(actor=request.user, attempts=queryset)
