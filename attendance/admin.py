from django.contrib import admin

from attendance import services
from attendance.models import AttendanceRecord, Holiday, Register
from attendance.selectors import register_marks, register_students
from core.admin_base import SchoolScopedAdmin, adopt_saved


@admin.register(Holiday)
class HolidayAdmin(SchoolScopedAdmin):
    list_display = ["date", "name", "school"]
    list_filter = ["school"]
    search_fields = ["name"]
    date_hierarchy = "date"

    # The school's days change with them: its alerts and risk are judged again.
    def perform_create(self, request, obj):
        services.holiday_save(actor=request.user, holiday=obj)

    def perform_update(self, request, obj, before):
        services.holiday_save(actor=request.user, holiday=obj, before=before)

    def perform_delete(self, request, obj):
        services.holiday_delete(actor=request.user, holiday=obj)


@admin.register(Register)
class RegisterAdmin(SchoolScopedAdmin):
    list_display = ["date", "class_group", "taken_by", "taken_at", "version", "school"]
    list_filter = ["class_group__grade_level", "class_group", "school"]
    search_fields = ["class_group__name", "taken_by__username", "taken_by__last_name"]
    date_hierarchy = "date"
    list_select_related = ["class_group", "taken_by", "school"]
    readonly_fields = ["version"]
    # Who took it and when: the one adding it, now.
    set_by_service = ("taken_by", "taken_at")
    # Its records are of that form and day, and would be left behind.
    fixed_once_saved = ("class_group", "date")

    def perform_create(self, request, obj):
        # Taken as the register page takes it with nothing changed: the marks already recorded for the
        # day kept, every other student of the form present; the day's rules, audit rows and the alerts'
        # reaction with it.
        marked = [
            {"student": row["id"], "status": row["day__status"], "reason": row["day__reason"]}
            for row in register_students(class_group_id=obj.class_group_id, date=obj.date)
            if row["day__id"] is not None
        ]
        saved = services.register_save(
            actor=request.user, class_group_id=obj.class_group_id, date=obj.date, records=marked, expected_version=0
        )
        adopt_saved(obj, saved.register)

    def perform_delete(self, request, obj):
        # With the marks of its day: a register deleted with its marks left behind would still count them.
        services.register_delete(actor=request.user, register=obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        marks = sum(register_marks(register).count() for register in objs)
        if marks:
            plural = AttendanceRecord._meta.verbose_name_plural
            counts[plural] = marks
            deleted.append(f"{marks} {plural} of the day (the marks of the register)")
        return deleted, counts, perms_needed, protected


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(SchoolScopedAdmin):
    list_display = ["date", "student", "status", "reason", "marked_by", "marked_at", "school"]
    list_filter = ["status", "student__class_group", "school"]
    search_fields = ["student__first_name", "student__last_name", "student__student_id", "reason"]
    date_hierarchy = "date"
    list_select_related = ["student", "marked_by", "school"]
    # Searched by name among the school's students (a school has too many for a select).
    autocomplete_fields = ["student"]

    # A mark added, corrected or removed here keeps the register page's rules for the day, and the
    # student's alerts and risk react to it as to a register save.
    def perform_create(self, request, obj):
        services.attendance_record_save(actor=request.user, record=obj)

    def perform_update(self, request, obj, before):
        services.attendance_record_save(actor=request.user, record=obj, before=before)

    def perform_delete(self, request, obj):
        services.attendance_record_delete(actor=request.user, record=obj)


# Lessons register their admin when imported.
from attendance.lessons import admin as lessons_admin  # noqa: E402, F401
