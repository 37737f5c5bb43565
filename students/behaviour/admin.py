"""Behaviour records in Django admin: the school's rows; changes audited by the scoped admin."""

from django.contrib import admin

from core.admin_base import SchoolScopedAdmin
from students.behaviour.models import BehaviourRecord


@admin.register(BehaviourRecord)
class BehaviourRecordAdmin(SchoolScopedAdmin):
    list_display = ("student", "type", "category", "points", "date", "status", "upheld", "created_by")
    list_filter = ("type", "category", "status", "upheld", "school")
    search_fields = ("student__first_name", "student__last_name", "student__student_id", "reason")
    list_select_related = ("student", "created_by")
    date_hierarchy = "date"
    readonly_fields = ("version", "created_at", "updated_at")
