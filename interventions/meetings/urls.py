from django.urls import path

from interventions.meetings import views

urlpatterns = [
    path("form-master/interventions/", views.interventions_page, name="meetings-page"),
    path("form-master/interventions/<int:pk>/", views.meeting_tracker, name="meeting-tracker"),
]
