"""Django admin of inquiries and follow-ups: school-scoped; their writes go through the services
(status guard, version, score, audit)."""

from __future__ import annotations

from django.contrib import admin

from core.admin_base import RecordedRowAdmin, SchoolScopedAdmin, adopt_saved
from students.admissions import scoring, services
from students.admissions.models import FollowUp, Inquiry


class FollowUpInline(admin.TabularInline):
    model = FollowUp
    fields = ["follow_up_date", "follow_up_type", "status", "outcome", "next_follow_up_date", "counselor"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Inquiry)
class InquiryAdmin(SchoolScopedAdmin):
    inlines = [FollowUpInline]
    list_display = [
        "student_name",
        "status",
        "source",
        "priority",
        "lead_score",
        "next_follow_up_date",
        "counselor",
        "received_on",
        "school",
    ]
    list_filter = ["status", "source", "priority", "counselor", "received_on", "school"]
    list_select_related = ["counselor", "school"]
    search_fields = ["student_name", "phone", "email", "tags"]
    date_hierarchy = "received_on"
    # Subjects are set through the API and pages, which rescore the inquiry with them.
    readonly_fields = [
        "score_explained",
        "interested_subjects",
        "lost_at_stage",
        "last_contacted_on",
        "student",
        "version",
    ]

    @admin.display(description="Lead score")
    def score_explained(self, obj):
        return f"{obj.lead_score} = {scoring.explain(obj.lead_score_parts)}" if obj.pk else "—"

    def perform_create(self, request, obj):
        data = {name: getattr(obj, name) for name in services.INQUIRY_EDITABLE_FIELDS if name != "status"}
        adopt_saved(obj, services.inquiry_create(actor=request.user, **data))

    def perform_update(self, request, obj, before):
        stored = Inquiry.objects.get(pk=obj.pk)
        changes = {
            name: getattr(obj, name)
            for name in services.INQUIRY_EDITABLE_FIELDS
            if getattr(obj, name) != getattr(stored, name)
        }
        adopt_saved(obj, services.inquiry_update(actor=request.user, inquiry=stored, version=obj.version, **changes))


# What the one who records a follow-up says (the service sets the rest).
FOLLOW_UP_RECORDED = ["follow_up_date", "follow_up_type", "notes", "next_follow_up_date", "status", "outcome"]


@admin.register(FollowUp)
class FollowUpAdmin(RecordedRowAdmin):
    """Follow-ups are the record of contacts with a family, as in the API and on the pages: one added here
    goes through `follow_up_create` (its dates checked; the inquiry's last contact, next date, status and
    score moved on; audited), and a recorded one is shown, not changed or deleted, since nothing else
    would rescore its inquiry. The counsellor is the one who records it."""

    list_display = ["inquiry", "follow_up_date", "follow_up_type", "status", "outcome", "counselor", "school"]
    list_filter = ["status", "follow_up_type", "follow_up_date", "counselor", "school"]
    list_select_related = ["inquiry", "counselor", "school"]
    search_fields = ["inquiry__student_name", "notes", "outcome"]
    raw_id_fields = ["inquiry"]
    set_by_service = ("counselor",)  # the one who records it

    def has_delete_permission(self, request, obj=None):
        return False

    def perform_create(self, request, obj):
        recorded = {name: getattr(obj, name) for name in FOLLOW_UP_RECORDED}
        adopt_saved(obj, services.follow_up_create(actor=request.user, inquiry=obj.inquiry, **recorded))
