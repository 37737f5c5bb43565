from django.urls import path

from students.behaviour import views

app_name = "behaviour"

urlpatterns = [
    path("students/<int:student_id>/behaviour/", views.behaviour_log, name="log"),
    path("behaviour/<int:record_id>/appeal/", views.behaviour_appeal, name="appeal"),
    path("behaviour/<int:record_id>/resolve/", views.behaviour_resolve, name="resolve"),
]
