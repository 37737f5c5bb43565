from django.urls import path

from interventions.feedback import api

# Mounted at /api/interventions/
urlpatterns = [
    path("feedback/", api.FeedbackListView.as_view(), name="api-feedback"),
    path("feedback/analytics/", api.FeedbackAnalyticsView.as_view(), name="api-feedback-analytics"),
    path("feedback/links/", api.FeedbackSendLinksView.as_view(), name="api-feedback-links"),
    path("feedback/<int:pk>/resolve/", api.FeedbackResolveView.as_view(), name="api-feedback-resolve"),
]
