from django.urls import include, path

# Mounted at /api/interventions/
urlpatterns = [
    path("", include("interventions.alerts.api_urls")),
    path("", include("interventions.meetings.api_urls")),
    path("", include("interventions.feedback.api_urls")),
    path("", include("interventions.programs.api_urls")),
    path("", include("interventions.communications.api_urls")),
    path("", include("interventions.outcomes.api_urls")),
]
