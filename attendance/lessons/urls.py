from django.urls import path

from attendance.lessons import views

app_name = "lessons"

urlpatterns = [
    path("lessons/", views.lesson_page, name="take"),
]
