from django.urls import path

from students import views

app_name = "students"

urlpatterns = [
    path("students/", views.student_list, name="list"),
    path("students/export.csv", views.student_export, name="export"),
    path("students/<int:student_id>/", views.student_profile, name="profile"),
]
