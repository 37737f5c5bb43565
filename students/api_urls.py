from django.urls import include, path

from students import api

urlpatterns = [
    path("students/", api.StudentListView.as_view(), name="api-students"),
    path("students/<int:pk>/", api.StudentDetailView.as_view(), name="api-student"),
    path("class-groups/", api.ClassGroupListView.as_view(), name="api-class-groups"),
    path("", include("students.academics.api_urls")),
    path("admissions/", include("students.admissions.api_urls")),
]
