from django.urls import path

from students.academics import views

app_name = "academics"

urlpatterns = [
    path("marks/", views.marks_page, name="marks"),
    path("subjects/", views.subject_list_page, name="subjects"),
    path("subjects/<int:subject_id>/", views.subject_page, name="subject"),
]
