from django.urls import path

from interventions.risk import views

app_name = "risk"

urlpatterns = [
    path("risk/", views.risk_levels, name="list"),
    path("risk/students/<int:student_id>/", views.abc_panel, name="abc_panel"),
]
