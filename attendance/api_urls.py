from django.urls import include, path

from attendance import api

urlpatterns = [
    path("attendance/", api.AttendanceListView.as_view(), name="api-attendance"),
    path("attendance/bulk/", api.BulkRegisterView.as_view(), name="api-attendance-bulk"),
    path("students/<int:pk>/attendance/", api.StudentAttendanceView.as_view(), name="api-student-attendance"),
    path("", include("attendance.lessons.api_urls")),
]
