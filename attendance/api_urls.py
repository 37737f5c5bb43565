from django.urls import include, path

from attendance import api

urlpatterns = [
    path("attendance/", api.AttendanceListView.as_view(), name="api-attendance"),
    path("attendance/bulk/", api.BulkRegisterView.as_view(), name="api-attendance-bulk"),
    path("", include("attendance.lessons.api_urls")),
]
