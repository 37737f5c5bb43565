"""Django admin of intervention programs: the school's rows only; every write audited."""

from __future__ import annotations

from django.contrib import admin

from core.admin_base import ReadOnlyAdmin, SchoolScopedAdmin
from interventions.models import (
    Enrollment,
    Intervention,
    InterventionSession,
    InterventionTemplate,
    ScheduleLock,
    SessionAttendance,
)


@admin.register(InterventionTemplate)
class InterventionTemplateAdmin(SchoolScopedAdmin):
    list_display = ["name", "tier", "frequency", "sessions_per_week", "duration_minutes", "default_weeks", "version"]
    list_filter = ["tier", "frequency", "location_type", "progress_metric", "school"]
    search_fields = ["name", "description"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(Intervention)
class InterventionAdmin(ReadOnlyAdmin):
    list_display = ["name", "owner", "tier", "start_date", "end_date", "status", "version"]
    list_filter = ["status", "tier", "owner", "school"]
    list_select_related = ["owner"]
    search_fields = ["name", "objective"]
    date_hierarchy = "start_date"


@admin.register(InterventionSession)
class InterventionSessionAdmin(ReadOnlyAdmin):
    list_display = ["intervention", "start_time", "end_time", "location", "facilitator", "status", "version"]
    list_filter = ["status", "facilitator", "school"]
    list_select_related = ["intervention", "facilitator"]
    search_fields = ["intervention__name", "location"]
    date_hierarchy = "start_time"


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ["student", "intervention", "source", "status", "enrolled_at", "withdrawn_at", "version"]
    list_filter = ["status", "source", "school"]
    list_select_related = ["student", "intervention"]
    search_fields = ["student__first_name", "student__last_name", "student__student_id", "intervention__name"]


@admin.register(SessionAttendance)
class SessionAttendanceAdmin(ReadOnlyAdmin):
    list_display = ["session", "student", "status", "taken_by", "recorded_at"]
    list_filter = ["status", "school"]
    list_select_related = ["session__intervention", "student", "taken_by"]
    search_fields = ["student__first_name", "student__last_name", "session__intervention__name"]


@admin.register(ScheduleLock)
class ScheduleLockAdmin(ReadOnlyAdmin):
    list_display = ["key", "school"]
    list_filter = ["school"]
    search_fields = ["key"]
