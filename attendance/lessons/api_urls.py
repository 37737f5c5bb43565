from django.urls import path

from attendance.lessons import api

urlpatterns = [
    path("lessons/", api.LessonListView.as_view(), name="api-lessons"),
]
