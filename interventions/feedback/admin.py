"""Django admin of feedback: school-scoped and read-only (families write it through their link;
reviewers resolve it on the feedback page or through the API, which keep the version rule)."""

from django.contrib import admin

from core.admin_base import ReadOnlyAdmin
from interventions.feedback.models import Feedback, FeedbackLink


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["submitted_at", "intervention", "rating", "sentiment", "sentiment_score", "status", "school"]
    list_filter = ["status", "sentiment", "feedback_type", "rating", "intervention", "submitted_at", "school"]
    list_select_related = ["intervention", "school"]
    search_fields = ["comments", "resolution", "intervention__name"]
    date_hierarchy = "submitted_at"


@admin.register(FeedbackLink)
class FeedbackLinkAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "feedback_type", "intervention", "channel", "sent_to", "expires_at", "used_at"]
    list_filter = ["feedback_type", "channel", "created_at", "school"]
    list_select_related = ["intervention", "school"]
    search_fields = ["sent_to", "intervention__name"]
    exclude = ["nonce"]
