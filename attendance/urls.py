from django.urls import path

from attendance import views

app_name = "attendance"

urlpatterns = [
    path("attendance/", views.attendance_day, name="day"),
    path("attendance/export.csv", views.attendance_export, name="export"),
    path("attendance/register/<int:class_group_id>/<str:date>/", views.register, name="register"),
]
