from django.urls import path

from interventions.communications import views

urlpatterns = [
    path("students/<int:student_id>/contact/", views.contact_guardian, name="contact-guardian"),
    path("students/<int:student_id>/contact/<int:pk>/letter.pdf", views.letter_pdf, name="contact-letter"),
    path("students/<int:student_id>/contact/<int:pk>/retry/", views.retry, name="contact-retry"),
]
