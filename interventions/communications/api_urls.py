"""Mounted at /api/interventions/."""

from django.urls import path

from interventions.communications import api

urlpatterns = [
    path("communications/", api.CommunicationListCreateView.as_view(), name="api-communications"),
    path("communications/<int:pk>/", api.CommunicationDetailView.as_view(), name="api-communication-detail"),
    path("communications/<int:pk>/retry/", api.CommunicationRetryView.as_view(), name="api-communication-retry"),
    path("communications/<int:pk>/letter/", api.CommunicationLetterView.as_view(), name="api-communication-letter"),
    path("communication-templates/", api.TemplateListCreateView.as_view(), name="api-communication-templates"),
    path(
        "communication-templates/<int:pk>/", api.TemplateDetailView.as_view(), name="api-communication-template-detail"
    ),
]
