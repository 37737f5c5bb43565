from django.contrib import admin

from attendance.models import AttendanceRecord, Holiday, Register
from core.admin_base import SchoolScopedAdmin


@admin.register(Holiday)
class HolidayAdmin(SchoolScopedAdmin):
    list_display = ["date", "name", "school"]
    list_filter = ["school"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(Register)
class RegisterAdmin(SchoolScopedAdmin):
    list_display = ["date", "class_group", "taken_by", "taken_at", "version", "school"]
    list_filter = ["class_group__grade_level", "class_group", "school"]
    search_fields = ["class_group__name", "taken_by__username", "taken_by__last_name"]
    date_hierarchy = "date"
    list_select_related = ["class_group", "taken_by", "school"]
    readonly_fields = ["version"]


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(SchoolScopedAdmin):
    list_display = ["date", "student", "status", "reason", "marked_by", "marked_at", "school"]
    list_filter = ["status", "student__class_group", "school"]
    search_fields = ["student__first_name", "student__last_name", "student__student_id", "reason"]
    date_hierarchy = "date"
    list_select_related = ["student", "marked_by", "school"]
    # Searched by name among the school's students (a school has too many for a select).
    autocomplete_fields = ["student"]


# Lessons register their admin when imported.
from attendance.lessons import admin as lessons_admin  # noqa: E402, F401
