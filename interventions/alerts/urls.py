from django.urls import path

from interventions.alerts import views

urlpatterns = [
    path("alerts/", views.alert_list_page, name="alerts"),
    path("alerts/<int:pk>/status/", views.alert_change_status_page, name="alert-change-status"),
]
