"""Django admin of meetings: school-scoped, and every write through the meeting services (rules, version, audit)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from core.admin_base import ReadOnlyAdmin, SchoolScopedAdmin, adopt_saved
from core.errors import ApplicationError
from core.permissions import is_platform_operator
from interventions.meetings import services
from interventions.models import FollowUpReminder, InterventionMeeting, ProgressUpdate

Meeting = InterventionMeeting


class MeetingAdminForm(forms.ModelForm):
    class Meta:
        model = Meeting
        exclude = ["created_by"]  # noqa: DJ006 - every other field is the admin's to edit

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The student is fixed once recorded.
            self.fields["student"].disabled = True

    def clean(self):
        cleaned = super().clean()
        student, alert = cleaned.get("student"), cleaned.get("alert")
        if student is not None and alert is not None and alert.student_id != student.pk:
            self.add_error("alert", "The alert must be one of this student's alerts.")
        return cleaned


class ProgressUpdateInline(admin.TabularInline):
    model = ProgressUpdate
    fields = ["created_at", "created_by", "update_text", "previous_status", "new_status"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class InterventionMeetingAdmin(SchoolScopedAdmin):
    form = MeetingAdminForm
    inlines = [ProgressUpdateInline]
    list_display = [
        "id",
        "student",
        "meeting_date",
        "root_cause",
        "urgency_level",
        "status",
        "follow_up_date",
        "created_by",
        "version",
    ]
    list_filter = ["status", "urgency_level", "root_cause", "meeting_date", "created_by", "school"]
    list_select_related = ["student", "created_by"]
    search_fields = ["student__first_name", "student__last_name", "student__student_id", "absence_reason"]
    date_hierarchy = "meeting_date"
    readonly_fields = ["version", "created_by", "created_at", "updated_at"]

    def perform_create(self, request, obj):
        if is_platform_operator(request.user):
            obj.created_by = request.user
            return super().perform_create(request, obj)
        if obj.status != Meeting.Status.OPEN:
            raise ApplicationError(field_errors={"status": ["A new meeting starts open; move it on afterwards."]})
        created = services.meeting_create(
            actor=request.user,
            student=obj.student,
            alert=obj.alert,
            meeting_date=obj.meeting_date,
            absence_reason=obj.absence_reason,
            root_cause=obj.root_cause,
            intervention_notes=obj.intervention_notes,
            action_plan=obj.action_plan,
            follow_up_date=obj.follow_up_date,
            urgency_level=obj.urgency_level,
        )
        adopt_saved(obj, created)

    def perform_update(self, request, obj, before):
        stored = Meeting.objects.select_related("student").get(pk=obj.pk)
        changes = {
            name: getattr(obj, name) for name in services.EDITABLE_FIELDS if getattr(obj, name) != getattr(stored, name)
        }
        if obj.alert_id != stored.alert_id:
            raise ApplicationError(field_errors={"alert": ["The alert of a recorded meeting cannot be changed."]})
        # The version the form was loaded at (save_model has refused a stale one already).
        updated = services.meeting_update(actor=request.user, meeting=stored, version=obj.version, **changes)
        adopt_saved(obj, updated)

    def perform_delete(self, request, obj):
        if is_platform_operator(request.user):
            return super().perform_delete(request, obj)
        services.meeting_delete(actor=request.user, meeting=obj, version=obj.version)


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyAdmin):
    removed_with_parent = True  # with its meeting
    list_display = ["meeting", "created_at", "created_by", "previous_status", "new_status"]
    list_filter = ["new_status", "created_at", "school"]
    list_select_related = ["meeting__student", "created_by"]
    search_fields = ["update_text", "meeting__student__first_name", "meeting__student__last_name"]


@admin.register(FollowUpReminder)
class FollowUpReminderAdmin(ReadOnlyAdmin):
    removed_with_parent = True  # with its meeting
    list_display = ["meeting", "recipient", "sent_on", "sent_at"]
    list_filter = ["sent_on", "school"]
    list_select_related = ["meeting__student", "recipient"]
    search_fields = ["recipient__username", "meeting__student__first_name", "meeting__student__last_name"]
