from django.urls import path

from students.academics import api

urlpatterns = [
    path("subjects/", api.SubjectListView.as_view(), name="api-subjects"),
    path("subjects/<int:pk>/topics/", api.SubjectTopicsView.as_view(), name="api-subject-topics"),
    path("assessments/", api.AssessmentListView.as_view(), name="api-assessments"),
    path("assessments/bulk/", api.AssessmentBulkView.as_view(), name="api-assessments-bulk"),
]
