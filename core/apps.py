from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"

    def ready(self):
        # Core's home-page section registers itself like the apps' `sections.py` modules do.
        from core import dashboard_sections  # noqa: F401


class SchoolAdminConfig(admin_apps.AdminConfig):
    """Django admin, opened to school admins (scoped to their school) as well as superusers."""

    default = False
    default_site = "core.admin_site.SchoolAdminSite"
