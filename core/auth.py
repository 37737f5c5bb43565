"""Logging in: the login page ("Remember me"), the password-change page, and what a lockout looks like.

Repeated failures are counted and locked out by django-axes (settings: AXES_*); this module gives the
locked-out client a clear answer (the login page with a message, or JSON from the API), records each
lockout in the audit log, and keys the count on the username as the database matches it.
"""

from __future__ import annotations

import math

from axes.helpers import get_cool_off
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from core import audit
from core.permissions import require_admin


class UserBackend(ModelBackend):
    """Django's model backend, reading the signed-in user of a request with their school in the same
    query: every page names the school in its header, and most reads are scoped by it."""

    def get_user(self, user_id):
        User = get_user_model()
        user = User._default_manager.select_related("school").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class LoginForm(AuthenticationForm):
    remember_me = forms.BooleanField(
        required=False, label="Remember me", help_text="Stay signed in after the browser closes (up to 8 hours)."
    )


class LoginView(auth_views.LoginView):
    """Django's login; without "Remember me" the session cookie ends with the browser (the session
    itself ends after SESSION_COOKIE_AGE, 8 hours, either way)."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if not form.cleaned_data.get("remember_me"):
            self.request.session.set_expiry(0)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """A signed-in user changes their own password; the change is audited like an admin's reset, and
    the refresh tokens they hold stop working (User.save)."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("dashboard")

    @transaction.atomic
    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(actor=self.request.user, action="password_change", instance=self.request.user)
        messages.success(self.request, "Your password has been changed.")
        return response


# Lockout -------------------------------------------------------------------------------------------


def lockout_username(request, credentials) -> str | None:
    """The username the failures are counted under: as typed, without case or surrounding spaces, so
    that "North-Admin" and "north-admin" (one account on MariaDB, whose collation ignores case) share a
    count instead of giving an attacker ten tries per spelling; no longer than a username can be."""
    username = (credentials or {}).get("username")
    if username is None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        username = data.get("username") if hasattr(data, "get") else None
    if not isinstance(username, str):
        return None
    # Cut to the longest username an account has: a longer one is no user's, and axes stores the name in a
    # column of 255 characters, which MariaDB refuses to overflow (a 500 where the login should fail).
    return username.strip().casefold()[: get_user_model()._meta.get_field("username").max_length] or None


def lockout_message(request) -> str:
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    wait = f"for {minutes} minutes" if minutes else "until an administrator unlocks it"
    return (
        f"Too many failed logins for this username from your address: logging in is locked {wait}. "
        "The right password is refused too until then. Ask your school's administrator if you need "
        "it unlocked sooner."
    )


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: what a locked-out login attempt gets, 429 with a Retry-After. The API
    (the token endpoint) answers `{"detail": …}`; a page shows the login form with the message."""
    message = lockout_message(request)
    cool_off = get_cool_off(request)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        form = LoginForm(request, initial={"username": lockout_username(request, credentials) or ""})
        response = render(
            request,
            "registration/login.html",
            {"form": form, "locked_out": message, "next": request.POST.get("next", "")},
            status=429,
        )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def _user_named(username: str | None):
    """The user a counted username is of (axes counts it as typed, lower case), or None."""
    if not username:
        return None
    return get_user_model()._base_manager.filter(username__iexact=username).only("pk", "school_id").first()


def record_lockout(sender, request, username, ip_address, **kwargs):
    """axes' `user_locked_out` signal: the lockout (and each refused attempt during it) in the audit log,
    on the user's school when the username is a user's."""
    user = _user_named(username)
    audit.record(
        actor=None,
        action="login_locked_out",
        entity_type="core.user",
        entity_id=user.pk if user else "",
        school_id=user.school_id if user else None,
        after={
            "username": username,
            "ip_address": ip_address,
            "path": getattr(request, "path", ""),
            "failures": getattr(request, "axes_failures_since_start", None),
        },
        ip=ip_address,
    )


@transaction.atomic
def login_unlock(*, actor, attempts) -> None:
    """Forget counted failed logins (django-axes' `AccessAttempt` rows), which unlocks a locked-out
    username and address: each deleted, with an audit row on the user it names (the actor's school when the
    username is no user's). Admins only; which rows an admin may see is the admin's queryset."""
    require_admin(actor, "Only an admin may unlock a login.")
    for attempt in attempts:
        user = _user_named(attempt.username)
        audit.record(
            actor=actor,
            action="login_unlocked",
            entity_type="core.user",
            entity_id=user.pk if user else "",
            school_id=user.school_id if user else actor.school_id,
            before={
                "username": attempt.username,
                "ip_address": attempt.ip_address,
                "failures": attempt.failures_since_start,
                "last_attempt": attempt.attempt_time.isoformat() if attempt.attempt_time else None,
            },
        )
        attempt.delete()
