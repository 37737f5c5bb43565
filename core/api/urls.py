from django.urls import path
from rest_framework_simplejwt.views import TokenBlacklistView, TokenRefreshView

from core.api import views

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="api-token"),
    path("auth/token/refresh/", TokenRefreshView.as_view(), name="api-token-refresh"),
    path("auth/logout/", TokenBlacklistView.as_view(), name="api-logout"),
    path("auth/me/", views.MeView.as_view(), name="api-me"),
    path("audit/", views.AuditLogView.as_view(), name="api-audit"),
]
