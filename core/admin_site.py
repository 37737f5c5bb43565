from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm


def can_use_admin(user) -> bool:
    """Platform superusers, and school admins (scoped to their school by SchoolScopedAdmin)."""
    if not (user.is_active and user.is_authenticated):
        return False
    return user.is_superuser or (user.role == "admin" and user.school_id is not None)


class SchoolAdminAuthenticationForm(AdminAuthenticationForm):
    """Django's admin login only admits `is_staff`; ours admits school admins as well."""

    def confirm_login_allowed(self, user):
        if not can_use_admin(user):
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class SchoolAdminSite(admin.AdminSite):
    site_header = "School Support administration"
    site_title = "School Support admin"
    index_title = "School administration"
    login_form = SchoolAdminAuthenticationForm

    def has_permission(self, request):
        return can_use_admin(request.user)
