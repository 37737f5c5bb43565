from django.urls import path

from interventions.programs import views

urlpatterns = [
    path("programs/", views.programs_page, name="programs-page"),
    path("programs/<int:pk>/", views.program_detail, name="program-detail"),
    path("programs/<int:pk>/calendar.ics", views.program_calendar, name="program-calendar"),
    path("programs/sessions/<int:pk>/", views.session_page, name="program-session"),
    path("programs/refer/<int:meeting_id>/", views.refer_page, name="program-refer"),
]
