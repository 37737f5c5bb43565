from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"

    def ready(self):
        # Core's home-page section registers itself like the apps' `sections.py` modules do.
        from axes.signals import user_locked_out

        from core import dashboard_sections  # noqa: F401
        from core.auth import record_lockout

        user_locked_out.connect(record_lockout, dispatch_uid="core.auth.record_lockout")


class SchoolAdminConfig(admin_apps.AdminConfig):
    """Django admin, opened to school admins (scoped to their school) as well as superusers."""

    default = False
    default_site = "core.admin_site.SchoolAdminSite"
