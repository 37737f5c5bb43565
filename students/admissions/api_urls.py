from django.urls import path

from students.admissions import api

# Mounted at /api/admissions/
urlpatterns = [
    path("inquiries/", api.InquiryListView.as_view(), name="api-inquiries"),
    path("inquiries/<int:pk>/", api.InquiryDetailView.as_view(), name="api-inquiry"),
    path("inquiries/<int:pk>/follow-ups/", api.FollowUpListView.as_view(), name="api-inquiry-follow-ups"),
    path("inquiries/<int:pk>/enrol/", api.EnrolView.as_view(), name="api-inquiry-enrol"),
    path("funnel/", api.FunnelView.as_view(), name="api-admissions-funnel"),
]
