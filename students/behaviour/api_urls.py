from django.urls import path

from students.behaviour import api

urlpatterns = [
    path("behaviour/", api.BehaviourListView.as_view(), name="api-behaviour"),
    path("behaviour/<int:pk>/", api.BehaviourDetailView.as_view(), name="api-behaviour-record"),
]
