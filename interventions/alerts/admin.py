"""Alerts in Django admin: the school's rows only; status changes follow the pages' rules (audited)."""

from django.contrib import admin

from core.admin_base import SchoolScopedAdmin, SchoolSettingsAdmin
from interventions.alerts import services
from interventions.models import Alert, AlertSettings


@admin.register(Alert)
class AlertAdmin(SchoolScopedAdmin):
    list_display = ("student", "kind", "severity", "status", "assigned_to", "created_at", "resolved_at")
    list_filter = ("status", "kind", "severity", "assigned_to", "school")
    search_fields = ("student__first_name", "student__last_name", "student__student_id", "note")
    list_select_related = ("student", "assigned_to")
    date_hierarchy = "created_at"
    fields = (
        "student",
        "kind",
        "severity",
        "details",
        "status",
        "assigned_to",
        "note",
        "created_at",
        "resolved_at",
        "version",
    )
    readonly_fields = ("student", "kind", "severity", "details", "created_at", "resolved_at", "version")

    def has_add_permission(self, request):
        # Alerts are raised by the scan, not typed in.
        return False

    def perform_update(self, request, obj, before):
        services.alert_update_by_admin(actor=request.user, alert=obj, before=before)


@admin.register(AlertSettings)
class AlertSettingsAdmin(SchoolSettingsAdmin):
    list_display = (
        "school",
        "consecutive_absence_days",
        "low_attendance_percent",
        "low_attendance_window_days",
        "chronic_absence_percent",
        "pattern_min_count",
        "pattern_window_weeks",
    )

    def ensure_row(self, *, school):
        return services.alert_settings_ensure(school=school)
