from django.urls import path

from interventions.alerts import api

# Mounted at /api/interventions/
urlpatterns = [
    path("alerts/", api.AlertListView.as_view(), name="api-alerts"),
    path("alerts/<int:pk>/", api.AlertDetailView.as_view(), name="api-alert"),
]
