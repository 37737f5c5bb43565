from django.urls import include, path

# Mounted at /api/interventions/
urlpatterns = [
    path("", include("interventions.alerts.api_urls")),
    path("", include("interventions.meetings.api_urls")),
    path("", include("interventions.feedback.api_urls")),
]
