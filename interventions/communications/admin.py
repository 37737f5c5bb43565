"""The contact log in Django admin: templates (placeholders checked), the log (read-only), notice settings."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from core.admin_base import ReadOnlyAdmin, SchoolScopedAdmin
from interventions.communications import services
from interventions.communications.models import AbsenceNoticeSettings, CommunicationLog, CommunicationTemplate


class TemplateAdminForm(forms.ModelForm):
    class Meta:
        model = CommunicationTemplate
        fields = ["name", "channel", "subject", "body"]

    def clean(self):
        cleaned = super().clean()
        values = {name: cleaned.get(name) or "" for name in ("subject", "body")}
        for name, messages in services.template_errors(values).items():
            for message in messages:
                self.add_error(name, message)
        return cleaned


@admin.register(CommunicationTemplate)
class CommunicationTemplateAdmin(SchoolScopedAdmin):
    form = TemplateAdminForm
    list_display = ("name", "channel", "subject", "updated_at", "school")
    list_filter = ("channel", "school")
    search_fields = ("name", "subject", "body")


@admin.register(CommunicationLog)
class CommunicationLogAdmin(ReadOnlyAdmin):
    """The log is a record of what was said to families: read here, never rewritten; it goes only with
    the student it is about."""

    removed_with_parent = True

    list_display = ("created_at", "student", "channel", "recipient", "status", "actor", "school")
    list_filter = ("channel", "status", "school")
    search_fields = ("student__first_name", "student__last_name", "student__student_id", "recipient", "subject")
    list_select_related = ("student", "actor", "school")
    date_hierarchy = "created_at"


class NoticeSettingsForm(forms.ModelForm):
    class Meta:
        model = AbsenceNoticeSettings
        fields = ["enabled", "channel", "template"]

    def clean(self):
        cleaned = super().clean()
        template = cleaned.get("template")
        if template is not None and template.channel != cleaned.get("channel"):
            self.add_error("template", "Choose a template of the notice's channel.")
        return cleaned


@admin.register(AbsenceNoticeSettings)
class AbsenceNoticeSettingsAdmin(SchoolScopedAdmin):
    form = NoticeSettingsForm
    list_display = ("school", "enabled", "channel", "template")
    list_filter = ("enabled", "channel", "school")
    search_fields = ("school__name", "school__code")

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
