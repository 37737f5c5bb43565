"""Mounted at /api/interventions/ (SPEC §7). Fixed paths come before `<pk>/`."""

from django.urls import path

from interventions.programs import api

urlpatterns = [
    path("templates/", api.TemplateListCreateView.as_view(), name="api-program-templates"),
    path("templates/<int:pk>/", api.TemplateDetailView.as_view(), name="api-program-template"),
    path("programs/", api.ProgramListCreateView.as_view(), name="api-programs"),
    path("programs/<int:pk>/", api.ProgramDetailView.as_view(), name="api-program"),
    path("programs/<int:pk>/sessions/", api.ProgramSessionsView.as_view(), name="api-program-sessions"),
    path(
        "programs/<int:pk>/sessions/generate/", api.GenerateSessionsView.as_view(), name="api-program-sessions-generate"
    ),
    path("programs/<int:pk>/enrollments/", api.ProgramEnrollmentsView.as_view(), name="api-program-enrollments"),
    path("sessions/<int:pk>/", api.SessionDetailView.as_view(), name="api-session"),
    path("sessions/<int:pk>/attendance/", api.SessionAttendanceView.as_view(), name="api-session-attendance"),
    path("enrollments/<int:pk>/", api.EnrollmentDetailView.as_view(), name="api-enrollment"),
    path("risk-list/", api.RiskListView.as_view(), name="api-risk-list"),
]
