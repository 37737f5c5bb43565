"""Mounted at /api/interventions/."""

from django.urls import path

from interventions.outcomes import api

urlpatterns = [
    path("programs/<int:pk>/notes/", api.ProgramNotesView.as_view(), name="api-program-notes"),
    path("programs/<int:pk>/exit-criteria/", api.ProgramCriteriaView.as_view(), name="api-program-exit-criteria"),
    path("programs/<int:pk>/evaluate/", api.ProgramEvaluateView.as_view(), name="api-program-evaluate"),
    path("recommendations/", api.RecommendationListView.as_view(), name="api-recommendations"),
    path("recommendations/<int:pk>/", api.RecommendationDetailView.as_view(), name="api-recommendation-detail"),
    path("enrollments/<int:pk>/progress/", api.EnrollmentProgressView.as_view(), name="api-enrollment-progress"),
]
