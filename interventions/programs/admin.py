"""Django admin of intervention programs: the school's rows only; every write goes through the program
services (rules, clash checks, version, audit), as the pages' and the API's do."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from core.admin_base import ReadOnlyAdmin, SchoolScopedAdmin, adopt_saved
from core.errors import ApplicationError
from core.permissions import is_platform_operator
from interventions.models import (
    Enrollment,
    Intervention,
    InterventionSession,
    InterventionTemplate,
    ScheduleLock,
    SessionAttendance,
)
from interventions.programs import services


def _changes(obj, stored, names) -> dict:
    return {name: getattr(obj, name) for name in names if getattr(obj, name) != getattr(stored, name)}


@admin.register(InterventionTemplate)
class InterventionTemplateAdmin(SchoolScopedAdmin):
    list_display = ["name", "tier", "frequency", "sessions_per_week", "duration_minutes", "default_weeks", "version"]
    list_filter = ["tier", "frequency", "location_type", "progress_metric", "school"]
    search_fields = ["name", "description"]
    readonly_fields = ["version", "created_at", "updated_at"]

    def perform_create(self, request, obj):
        if is_platform_operator(request.user):
            return super().perform_create(request, obj)
        created = services.template_create(
            actor=request.user, **{name: getattr(obj, name) for name in services.TEMPLATE_FIELDS}
        )
        adopt_saved(obj, created)

    def perform_update(self, request, obj, before):
        stored = InterventionTemplate.objects.get(pk=obj.pk)
        changes = _changes(obj, stored, services.TEMPLATE_FIELDS)
        updated = services.template_update(actor=request.user, template=stored, version=obj.version, **changes)
        adopt_saved(obj, updated)


@admin.register(Intervention)
class InterventionAdmin(SchoolScopedAdmin):
    list_display = ["name", "owner", "tier", "start_date", "end_date", "status", "version"]
    list_filter = ["status", "tier", "owner", "school"]
    list_select_related = ["owner"]
    search_fields = ["name", "objective"]
    date_hierarchy = "start_date"
    fields = ["name", "objective", "owner", "template", "tier", "start_date", "end_date", "status"]
    readonly_fields = ["version", "created_at"]
    fixed_once_saved = ("template",)

    def perform_create(self, request, obj):
        if is_platform_operator(request.user):
            return super().perform_create(request, obj)
        created = services.program_create(
            actor=request.user,
            name=obj.name,
            objective=obj.objective,
            template=obj.template,
            tier=obj.tier,
            start_date=obj.start_date,
            end_date=obj.end_date,
            owner=obj.owner,
            status=obj.status,
        )
        adopt_saved(obj, created)

    def perform_update(self, request, obj, before):
        stored = Intervention.objects.select_related("owner").get(pk=obj.pk)
        changes = _changes(obj, stored, services.PROGRAM_EDITABLE_FIELDS)
        updated = services.program_update(actor=request.user, program=stored, version=obj.version, **changes)
        adopt_saved(obj, updated)


class SessionAdminForm(forms.ModelForm):
    class Meta:
        model = InterventionSession
        fields = ["intervention", "start_time", "end_time", "location", "facilitator", "status", "cancel_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["intervention"].disabled = True


@admin.register(InterventionSession)
class InterventionSessionAdmin(SchoolScopedAdmin):
    form = SessionAdminForm
    list_display = ["intervention", "start_time", "end_time", "location", "facilitator", "status", "version"]
    list_filter = ["status", "facilitator", "school"]
    list_select_related = ["intervention", "facilitator"]
    search_fields = ["intervention__name", "location"]
    date_hierarchy = "start_time"
    readonly_fields = ["version", "attendance_taken_by", "attendance_taken_at"]

    def perform_create(self, request, obj):
        if is_platform_operator(request.user):
            return super().perform_create(request, obj)
        created = services.session_create(
            actor=request.user,
            program=obj.intervention,
            start_time=obj.start_time,
            end_time=obj.end_time,
            location=obj.location,
            facilitator=obj.facilitator,
        )
        adopt_saved(obj, created)

    def perform_update(self, request, obj, before):
        stored = InterventionSession.objects.select_related("intervention__owner", "facilitator").get(pk=obj.pk)
        changes = _changes(obj, stored, services.SESSION_EDITABLE_FIELDS)
        updated = services.session_update(actor=request.user, session=stored, version=obj.version, **changes)
        adopt_saved(obj, updated)


class EnrollmentAdminForm(forms.ModelForm):
    class Meta:
        model = Enrollment
        fields = [
            "intervention",
            "student",
            "source",
            "referred_by_meeting",
            "baseline",
            "goal",
            "goal_date",
            "status",
            "exit_reason",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("intervention", "student", "source", "referred_by_meeting", "baseline", "goal", "goal_date"):
                self.fields[name].disabled = True


@admin.register(Enrollment)
class EnrollmentAdmin(SchoolScopedAdmin):
    form = EnrollmentAdminForm
    list_display = ["student", "intervention", "source", "status", "enrolled_at", "withdrawn_at", "version"]
    list_filter = ["status", "source", "school"]
    list_select_related = ["student", "intervention"]
    search_fields = ["student__first_name", "student__last_name", "student__student_id", "intervention__name"]
    readonly_fields = ["version", "enrolled_at", "withdrawn_at", "enrolled_by"]

    def perform_create(self, request, obj):
        if is_platform_operator(request.user):
            return super().perform_create(request, obj)
        if obj.status != Enrollment.Status.ACTIVE:
            raise ApplicationError(field_errors={"status": ["A new enrollment starts active."]})
        created = services.enrollment_create(
            actor=request.user,
            program=obj.intervention,
            student=obj.student,
            source=obj.source,
            referred_by_meeting=obj.referred_by_meeting,
            baseline=obj.baseline,
            goal=obj.goal,
            goal_date=obj.goal_date,
        )
        adopt_saved(obj, created)

    def perform_update(self, request, obj, before):
        stored = Enrollment.objects.select_related("intervention__owner", "student").get(pk=obj.pk)
        if obj.status == stored.status and obj.exit_reason == stored.exit_reason:
            return
        updated = services.enrollment_update(
            actor=request.user, enrollment=stored, version=obj.version, status=obj.status, exit_reason=obj.exit_reason
        )
        adopt_saved(obj, updated)


@admin.register(SessionAttendance)
class SessionAttendanceAdmin(ReadOnlyAdmin):
    removed_with_parent = True  # with its session or student
    list_display = ["session", "student", "status", "taken_by", "recorded_at"]
    list_filter = ["status", "school"]
    list_select_related = ["session__intervention", "student", "taken_by"]
    search_fields = ["student__first_name", "student__last_name", "session__intervention__name"]


@admin.register(ScheduleLock)
class ScheduleLockAdmin(ReadOnlyAdmin):
    list_display = ["key", "school"]
    list_filter = ["school"]
    search_fields = ["key"]
