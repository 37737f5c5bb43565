from django.urls import include, path

urlpatterns = [
    path("", include("interventions.alerts.urls")),
    path("", include("interventions.meetings.urls")),
    path("", include("interventions.programs.urls")),
    path("", include("interventions.communications.urls")),
    path("", include("interventions.outcomes.urls")),
    path("", include("interventions.feedback.urls")),
]
