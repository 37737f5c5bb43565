"""Role gates for API views and pages, and the ownership check for one row. Object rules that go
further (who may see an escalated meeting) live beside the services that need them."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from core.errors import NotFoundError, PermissionDeniedError
from core.models import User

Role = User.Role

# The role sets, defined once. A gate names one of these (or a single role).
STAFF = (Role.ADMIN, Role.FORM_MASTER, Role.TEACHER, Role.COUNSELOR)  # everyone on a school's staff
REGISTER_TAKERS = (Role.ADMIN, Role.FORM_MASTER, Role.TEACHER)  # take registers, act on alerts
INTERVENTION_ROLES = (Role.ADMIN, Role.FORM_MASTER, Role.COUNSELOR)  # meetings; teachers have no access
MEETING_RECORDERS = (Role.ADMIN, Role.FORM_MASTER)  # record new meetings
PROGRAM_RUNNERS = (Role.ADMIN, Role.COUNSELOR)  # run intervention programs, admissions
ACADEMIC_RECORDERS = (Role.ADMIN, Role.FORM_MASTER, Role.TEACHER)  # lessons and marks (their subjects, forms)


def has_role(user, *roles: str) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.school_id is not None and (not roles or user.role in roles)
    )


def is_platform_operator(user) -> bool:
    """A platform superuser: signed in, a superuser, of no school (they operate every school)."""
    return bool(user is not None and user.is_authenticated and user.is_superuser and user.school_id is None)


def require_role(user, *roles: str) -> None:
    """For services: refuse an actor whose role is not one of `roles`."""
    if not has_role(user, *roles):
        raise PermissionDeniedError()


def require_admin(user, message: str) -> None:
    """For services that only a school's admin (or a platform superuser) may run, such as removing or
    correcting a recorded row in Django admin: refuse anyone else with `message`."""
    if user.role != Role.ADMIN and not user.is_superuser:
        raise PermissionDeniedError(message)


def owns(user, row, owner_field: str = "created_by") -> bool:
    """The row is of the user's school and the user owns it (`owner_field` names them); a school's
    admins own every row of their school."""
    if not has_role(user) or getattr(row, "school_id", None) != user.school_id:
        return False
    return user.role == Role.ADMIN or getattr(row, f"{owner_field}_id") == user.pk


def require_ownership(
    user, row, owner_field: str = "created_by", message: str = "Only its owner may change this."
) -> None:
    """For services: a row of another school does not exist for the user (404); one of their school
    that they do not own is refused (403)."""
    if not has_role(user) or getattr(row, "school_id", None) != user.school_id:
        raise NotFoundError()
    if not owns(user, row, owner_field):
        raise PermissionDeniedError(message)


def HasRole(*roles: str) -> type[BasePermission]:  # noqa: N802 - reads like a class in permission_classes
    """DRF permission: authenticated (else 401) and of one of `roles` in a school (else 403)."""

    class _HasRole(BasePermission):
        message = "Your role does not allow this."

        def has_permission(self, request, view):
            return has_role(request.user, *roles)

    _HasRole.__name__ = f"HasRole({', '.join(roles) or 'any'})"
    return _HasRole


def role_required(*roles: str):
    """Page decorator: login (else redirect to the login page), then the role (else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied("Your role does not allow this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
