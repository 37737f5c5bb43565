from django.urls import path

from students.admissions import views

app_name = "admissions"

urlpatterns = [
    path("admissions/", views.admissions_page, name="page"),
    path("admissions/export.csv", views.admissions_export, name="export"),
    path("admissions/<int:pk>/", views.inquiry_page, name="inquiry"),
    path("admissions/<int:pk>/move/", views.inquiry_move_page, name="move"),
    path("admissions/<int:pk>/enrol/", views.inquiry_enrol_page, name="enrol"),
]
