from django.urls import path

from interventions.risk import api

urlpatterns = [
    path("risk/", api.RiskListView.as_view(), name="api-risk"),
    path("students/<int:pk>/risk/", api.StudentRiskView.as_view(), name="api-student-risk"),
]
