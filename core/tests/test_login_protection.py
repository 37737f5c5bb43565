"""Login protection (SPEC §10): ten failures lock a username and address out for 15 minutes, on the login
page and on the token endpoint alike; the right password is refused while locked; audited; unlocked by
an admin. Sessions: 8 hours, ending with the browser unless "Remember me"; the password-change page."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from core.auth import login_unlock
from core.errors import PermissionDeniedError
from core.models import AuditLog

pytestmark = pytest.mark.django_db

PASSWORD = "pass-12345"
LOGIN = "/accounts/login/"
TOKEN = "/api/auth/token/"
HOME_ADDRESS = "192.0.2.10"  # the test client's default is 127.0.0.1


def page_login(username, password, *, address="127.0.0.1", client=None, **extra):
    client = client or Client()
    response = client.post(LOGIN, {"username": username, "password": password, **extra}, REMOTE_ADDR=address)
    return client, response


def token(username, password, *, address="127.0.0.1"):
    return APIClient().post(TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=address)


def fail_on_page(username, times, **kwargs):
    return [page_login(username, "wrong-password", **kwargs)[1].status_code for _ in range(times)]


def fail_on_token(username, times, **kwargs):
    return [token(username, "wrong-password", **kwargs).status_code for _ in range(times)]


def locked_rows(username):
    return AuditLog.objects.filter(action="login_locked_out", after__username=username)


class TestLoginPage:
    def test_ten_failures_lock_the_username_and_address_out(self, form_master, teacher):
        assert fail_on_page("north-fm1", 9) == [200] * 9  # the form again, with its error
        client, response = page_login("north-fm1", "wrong-password")
        assert response.status_code == 429
        html = response.content.decode()
        assert "Too many failed logins for this username from your address" in html
        assert "locked for 15 minutes" in html and 'name="username"' in html
        assert response["Retry-After"] == "900"

        # The right password is refused too, and no session is opened.
        client, response = page_login("north-fm1", PASSWORD)
        assert response.status_code == 429 and "_auth_user_id" not in client.session
        assert client.get("/").status_code == 302

        # Another user from the same address, and the same user from another address, are unaffected.
        assert page_login("north-teacher", PASSWORD)[1].status_code == 302
        client, response = page_login("north-fm1", PASSWORD, address=HOME_ADDRESS)
        assert response.status_code == 302 and client.get("/").status_code == 200

        row = locked_rows("north-fm1").first()
        assert row is not None and row.actor is None
        assert (row.school_id, row.entity_type, row.entity_id) == (
            form_master.school_id,
            "core.user",
            str(form_master.pk),
        )
        assert row.after["ip_address"] == "127.0.0.1" and row.after["path"] == LOGIN and row.ip == "127.0.0.1"
        # The lockout and the refused attempt during it are both on record.
        assert locked_rows("north-fm1").count() == 2

    def test_the_lockout_ends_after_15_minutes_and_is_not_extended_by_attempts(self, form_master, time_machine):
        time_machine.move_to(datetime.datetime(2027, 2, 10, 9, 0, tzinfo=datetime.UTC), tick=False)
        fail_on_page("north-fm1", 10)
        time_machine.move_to(datetime.datetime(2027, 2, 10, 9, 14, tzinfo=datetime.UTC), tick=False)
        assert page_login("north-fm1", PASSWORD)[1].status_code == 429
        time_machine.move_to(datetime.datetime(2027, 2, 10, 9, 15, 1, tzinfo=datetime.UTC), tick=False)
        assert page_login("north-fm1", PASSWORD)[1].status_code == 302

    def test_a_success_clears_the_count(self, form_master):
        fail_on_page("north-fm1", 9)
        assert page_login("north-fm1", PASSWORD)[1].status_code == 302
        assert fail_on_page("north-fm1", 9) == [200] * 9
        assert page_login("north-fm1", PASSWORD)[1].status_code == 302

    def test_other_spellings_of_the_username_share_the_count(self, form_master):
        """MariaDB matches usernames ignoring case: "NORTH-FM1" must not buy another ten tries."""
        fail_on_page("NORTH-FM1", 5)
        fail_on_page(" North-Fm1 ", 5)
        assert page_login("north-fm1", PASSWORD)[1].status_code == 429


class TestTokenEndpoint:
    def test_ten_failures_lock_the_username_and_address_out(self, form_master, teacher):
        assert fail_on_token("north-fm1", 9) == [401] * 9
        response = token("north-fm1", "wrong-password")
        assert response.status_code == 429
        assert "Too many failed logins for this username from your address" in response.json()["detail"]
        assert response["Retry-After"] == "900"

        response = token("north-fm1", PASSWORD)
        assert response.status_code == 429 and "access" not in response.json()
        assert set(response.json()) == {"detail"}

        assert token("north-teacher", PASSWORD).status_code == 200
        assert token("north-fm1", PASSWORD, address=HOME_ADDRESS).status_code == 200
        row = locked_rows("north-fm1").first()
        assert (row.school_id, row.entity_id, row.after["path"]) == (form_master.school_id, str(form_master.pk), TOKEN)

    def test_failures_on_the_page_and_the_api_add_up(self, form_master):
        fail_on_page("north-fm1", 5)
        fail_on_token("north-fm1", 5)
        assert token("north-fm1", PASSWORD).status_code == 429
        assert page_login("north-fm1", PASSWORD)[1].status_code == 429

    def test_an_unknown_username_is_locked_out_too_and_audited_without_a_school(self, form_master):
        assert fail_on_token("nobody-here", 10)[-1] == 429
        row = locked_rows("nobody-here").get()
        assert (row.school_id, row.entity_id) == (None, "")


class TestOverlongUsernames:
    """A username longer than any account's fails like any wrong one, and is counted under its first 150
    characters (axes' column holds 255; MariaDB refuses more rather than cutting it)."""

    NAME = "North-" + "a" * 994

    def test_the_login_page_and_the_admins_say_the_login_failed(self, form_master):
        _, response = page_login(self.NAME, "wrong-password")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
        admin = Client().post("/admin/login/", {"username": self.NAME, "password": "x"}, REMOTE_ADDR=HOME_ADDRESS)
        assert admin.status_code == 200 and "Please enter the correct username and password" in admin.content.decode()
        attempts = {(row.username, row.ip_address, row.failures_since_start) for row in AccessAttempt.objects.all()}
        counted = self.NAME.casefold()[:150]
        assert attempts == {(counted, "127.0.0.1", 1), (counted, HOME_ADDRESS, 1)}

    def test_the_token_endpoint_answers_401_and_ten_lock_it_out(self, form_master):
        assert fail_on_token(self.NAME, 10) == [401] * 9 + [429]
        assert AccessAttempt.objects.get().username == self.NAME.casefold()[:150]
        assert locked_rows(self.NAME.casefold()[:150]).exists()


class TestUnlockInAdmin:
    def test_a_school_admin_sees_and_unlocks_their_schools_users_only(self, admin_user, form_master, other_admin):
        fail_on_page("north-fm1", 10)
        fail_on_page("south-admin", 10, address=HOME_ADDRESS)
        admin = Client()
        admin.force_login(admin_user)
        listing = admin.get("/admin/axes/accessattempt/")
        html = listing.content.decode()
        assert listing.status_code == 200
        assert "north-fm1" in html and "south-admin" not in html and "Locked Out" in html
        assert "Access attempts" in admin.get("/admin/").content.decode()

        attempt = AccessAttempt.objects.get(username="north-fm1")
        foreign = AccessAttempt.objects.get(username="south-admin")
        assert admin.get(f"/admin/axes/accessattempt/{foreign.pk}/delete/").status_code == 302  # not theirs
        response = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
        assert not AccessAttempt.objects.filter(username="north-fm1").exists()
        assert AccessAttempt.objects.filter(username="south-admin").exists()
        row = AuditLog.objects.get(action="login_unlocked")
        assert (row.actor, row.school_id, row.entity_id) == (admin_user, admin_user.school_id, str(form_master.pk))
        assert row.before["username"] == "north-fm1" and row.before["failures"] == 10

        assert page_login("north-fm1", PASSWORD)[1].status_code == 302

    def test_other_roles_do_not_see_the_attempts(self, form_master, teacher):
        staff = Client()
        staff.force_login(teacher)
        assert staff.get("/admin/axes/accessattempt/").status_code == 302  # the admin's login page

    def test_only_an_admin_may_unlock(self, form_master, admin_user):
        fail_on_page("north-fm1", 10)
        attempts = AccessAttempt.objects.filter(username="north-fm1")
        with pytest.raises(PermissionDeniedError):
            login_unlock(actor=form_master, attempts=attempts)
        assert attempts.exists() and not AuditLog.objects.filter(action="login_unlocked").exists()
        login_unlock(actor=admin_user, attempts=attempts)
        assert (
            not AccessAttempt.objects.filter(username="north-fm1").exists()
            and AuditLog.objects.filter(action="login_unlocked").count() == 1
        )


class TestSessions:
    def test_sessions_last_eight_hours(self):
        assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60

    def test_without_remember_me_the_cookie_ends_with_the_browser(self, form_master):
        client, response = page_login("north-fm1", PASSWORD)
        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        assert response.status_code == 302 and not cookie["max-age"] and not cookie["expires"]
        assert client.session.get_expire_at_browser_close()
        assert client.session.get_expiry_age() == 8 * 60 * 60  # and the session itself ends after 8 hours

    def test_remember_me_keeps_the_cookie_for_eight_hours(self, form_master):
        client, response = page_login("north-fm1", PASSWORD, remember_me="on")
        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        assert response.status_code == 302 and int(cookie["max-age"]) == 8 * 60 * 60
        assert not client.session.get_expire_at_browser_close()

    def test_the_login_page_offers_remember_me(self, client):
        html = client.get(LOGIN).content.decode()
        assert 'type="checkbox" name="remember_me" id="id_remember_me"' in html
        assert "checked" not in html


class TestPasswordChange:
    def test_linked_from_the_header(self, client, teacher):
        client.force_login(teacher)
        html = client.get("/").content.decode()
        assert '<a href="/accounts/password/">Change password</a>' in html

    def test_a_user_changes_their_password_audited_and_stays_signed_in(self, client, teacher):
        client.force_login(teacher)
        page = client.get("/accounts/password/")
        assert page.status_code == 200 and 'name="old_password"' in page.content.decode()
        new = "Tulips-and-Rain-2027"
        response = client.post(
            "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
        )
        assert response.status_code == 302 and response["Location"] == "/"
        assert "Your password has been changed." in client.get("/").content.decode()  # still signed in
        teacher.refresh_from_db()
        assert teacher.check_password(new)
        row = AuditLog.objects.get(action="password_change")
        assert (row.actor, row.entity_id) == (teacher, str(teacher.pk))
        assert "password" not in str(row.after or "") and "pbkdf2" not in str(row.after or "")

    def test_a_wrong_old_password_changes_nothing(self, client, teacher):
        client.force_login(teacher)
        response = client.post(
            "/accounts/password/",
            {"old_password": "nope", "new_password1": "Abc-def-98765", "new_password2": "Abc-def-98765"},
        )
        assert response.status_code == 200
        assert "Your old password was entered incorrectly" in response.content.decode()
        teacher.refresh_from_db()
        assert teacher.check_password(PASSWORD)
        assert not AuditLog.objects.filter(action="password_change").exists()

    def test_anonymous_is_sent_to_login(self, client):
        assert client.get("/accounts/password/")["Location"] == "/accounts/login/?next=/accounts/password/"
