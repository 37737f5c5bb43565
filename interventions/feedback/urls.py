from django.urls import path

from interventions.feedback import views

urlpatterns = [
    path("feedback/<str:token>/", views.feedback_form_page, name="feedback-form"),
    path("interventions/feedback/", views.feedback_review_page, name="feedback-review"),
    path("interventions/feedback/analytics/", views.feedback_analytics_page, name="feedback-analytics"),
    path("interventions/feedback/<int:pk>/resolve/", views.feedback_resolve_page, name="feedback-resolve"),
]
