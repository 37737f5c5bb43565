from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import auth as core_auth
from core import views as core_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", core_auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", core_auth.PasswordChangeView.as_view(), name="password_change"),
    path("", core_views.dashboard, name="dashboard"),
    path("manifest.webmanifest", core_views.web_manifest, name="web-manifest"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    # API
    path("api/", include("core.api.urls")),
    path("api/", include("students.api_urls")),
    path("api/", include("attendance.api_urls")),
    path("api/", include("students.behaviour.api_urls")),
    path("api/", include("interventions.risk.api_urls")),
    path("api/interventions/", include("interventions.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's set-up as a script of its own (?script): no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Pages
    path("", include("students.urls")),
    path("", include("students.admissions.urls")),
    path("", include("attendance.urls")),
    path("", include("attendance.lessons.urls")),
    path("", include("students.academics.urls")),
    path("", include("interventions.urls")),
    path("", include("students.behaviour.urls")),
    path("", include("interventions.risk.urls")),
]
