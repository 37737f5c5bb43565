from django.urls import path

from interventions.outcomes import views

urlpatterns = [
    path("programs/enrollments/<int:pk>/progress/", views.enrollment_progress, name="enrollment-progress"),
    path("programs/<int:pk>/evaluate/", views.program_evaluate, name="program-evaluate"),
    path("programs/<int:pk>/exit-criteria/", views.program_criteria_add, name="program-criteria-add"),
]
