"""Mounted at /api/interventions/. The fixed paths come before `<pk>/` so that none is taken for an id."""

from django.urls import path

from interventions.meetings import api

urlpatterns = [
    path("meetings/", api.MeetingListCreateView.as_view(), name="api-meetings"),
    path("meetings/progress/", api.ProgressCreateView.as_view(), name="api-meeting-progress"),
    path("meetings/stats/", api.MeetingStatsView.as_view(), name="api-meeting-stats"),
    path("meetings/recurring/", api.RecurringStudentsView.as_view(), name="api-meeting-recurring"),
    path("meetings/student/<int:student_id>/", api.StudentMeetingsView.as_view(), name="api-meeting-student"),
    path("meetings/<int:pk>/", api.MeetingDetailView.as_view(), name="api-meeting-detail"),
]
