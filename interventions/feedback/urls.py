from django.urls import path

from interventions.feedback import views

urlpatterns = [
    path("feedback/<str:token>/", views.feedback_form_page, name="feedback-form"),
]
