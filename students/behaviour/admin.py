"""Behaviour records in Django admin: the school's rows, written through the behaviour services.

A record added here is logged by `behaviour_record_create` (its rules, its audit row, the student's risk
looked at again); a logged one is shown, not edited: its appeal and the decision are made on the pages
and through the API, where their rules hold. A record logged in error is removed by
`behaviour_record_delete`."""

from django.contrib import admin
from django.utils import timezone

from core.admin_base import RecordedRowAdmin, adopt_saved
from students.behaviour import services
from students.behaviour.models import BehaviourRecord

# What the one who logs a record says.
LOGGED = ["type", "category", "reason", "points", "date"]


@admin.register(BehaviourRecord)
class BehaviourRecordAdmin(RecordedRowAdmin):
    list_display = ("student", "type", "category", "points", "date", "status", "upheld", "created_by")
    list_filter = ("type", "category", "status", "upheld", "school")
    search_fields = ("student__first_name", "student__last_name", "student__student_id", "reason")
    list_select_related = ("student", "created_by")
    date_hierarchy = "date"
    readonly_fields = ("version", "created_at", "updated_at")
    # Searched by name among the school's students (a school has too many for a select).
    autocomplete_fields = ("student",)
    # Who logged it, and where its appeal stands.
    set_by_service = ("created_by", "status", "upheld", "appeal_reason", "resolution_note")

    def get_changeform_initial_data(self, request):
        return {"date": timezone.localdate(), **super().get_changeform_initial_data(request)}

    def perform_create(self, request, obj):
        logged = {name: getattr(obj, name) for name in LOGGED}
        adopt_saved(obj, services.behaviour_record_create(actor=request.user, student=obj.student, **logged))

    def perform_delete(self, request, obj):
        services.behaviour_record_delete(actor=request.user, record=obj)
