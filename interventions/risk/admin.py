"""Risk in Django admin: the bands per school are editable (audited); the computed levels are read-only."""

from django.contrib import admin

from core.admin_base import SchoolScopedAdmin
from interventions.risk.models import RiskSettings, StudentRisk


@admin.register(RiskSettings)
class RiskSettingsAdmin(SchoolScopedAdmin):
    list_display = (
        "school",
        "attendance_window_days",
        "behaviour_window_days",
        "pass_mark_percent",
        "behaviour_letter_penalties",
    )
    list_filter = ("school",)
    search_fields = ("school__name", "school__code")


@admin.register(StudentRisk)
class StudentRiskAdmin(SchoolScopedAdmin):
    list_display = ("student", "level", "attendance_level", "behaviour_level", "course_level", "computed_at")
    list_filter = ("level", "attendance_level", "behaviour_level", "course_level", "school")
    search_fields = ("student__first_name", "student__last_name", "student__student_id")
    list_select_related = ("student",)
    readonly_fields = (
        "school",
        "student",
        "level",
        "attendance_level",
        "behaviour_level",
        "course_level",
        "figures",
        "computed_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
