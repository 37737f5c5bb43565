"""The auth API: JWT tokens with rotation and blacklisting, /me, and 401/400 for bad requests."""

import datetime

import pytest
from rest_framework_simplejwt.tokens import AccessToken

pytestmark = pytest.mark.django_db

PASSWORD = "pass-12345"


def obtain(api_client, username="north-fm1", password=PASSWORD):
    return api_client.post("/api/auth/token/", {"username": username, "password": password}, format="json")


def test_token_pair_then_me(api_client, form_master):
    response = obtain(api_client)
    assert response.status_code == 200
    tokens = response.json()
    assert set(tokens) == {"access", "refresh"}

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = api_client.get("/api/auth/me/")
    assert me.status_code == 200
    body = me.json()
    assert body["id"] == form_master.pk
    assert body["username"] == "north-fm1"
    assert body["role"] == "form_master"
    assert body["school"] == form_master.school_id
    assert body["school_name"] == "North High"
    assert "password" not in body


def test_refresh_rotates_and_blacklists_the_old_refresh(api_client, form_master):
    first = obtain(api_client).json()

    refreshed = api_client.post("/api/auth/token/refresh/", {"refresh": first["refresh"]}, format="json")
    assert refreshed.status_code == 200
    second = refreshed.json()
    assert second["access"] and second["refresh"] and second["refresh"] != first["refresh"]

    reused = api_client.post("/api/auth/token/refresh/", {"refresh": first["refresh"]}, format="json")
    assert reused.status_code == 401
    assert api_client.post("/api/auth/token/refresh/", {"refresh": second["refresh"]}, format="json").status_code == 200


def test_logout_blacklists_the_refresh(api_client, form_master):
    tokens = obtain(api_client).json()
    logout = api_client.post("/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert logout.status_code == 200

    again = api_client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert again.status_code == 401
    assert "blacklisted" in again.json()["detail"].lower()


def test_a_new_password_revokes_the_refresh_tokens_already_given_out(api_client, form_master):
    first, second = obtain(api_client).json(), obtain(api_client).json()
    form_master.set_password("a-new-pass-678")
    form_master.save()
    for tokens in (first, second):
        refused = api_client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
        assert refused.status_code == 401
    fresh = obtain(api_client, password="a-new-pass-678").json()
    form_master.first_name = "Renamed"
    form_master.save()  # not a password change: the tokens stay good
    assert api_client.post("/api/auth/token/refresh/", {"refresh": fresh["refresh"]}, format="json").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_401(api_client, form_master):
    wrong_password = obtain(api_client, password="not-it")
    unknown_user = obtain(api_client, username="nobody")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json()
    message = wrong_password.json()["detail"].lower()
    assert "password" not in message and "username" not in message


def test_inactive_user_gets_no_token(api_client, make_user, school):
    make_user("teacher", school, username="gone", is_active=False)
    assert obtain(api_client, username="gone").status_code == 401


@pytest.mark.parametrize("path", ["/api/auth/token/", "/api/auth/token/refresh/", "/api/auth/logout/", "/api/audit/"])
def test_malformed_json_is_400(api_client, form_master, path):
    if path == "/api/audit/":
        api_client.force_authenticate(form_master)
    response = api_client.post(path, data='{"username": "north-fm1", "password":', content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_missing_fields_are_400_per_field(api_client):
    response = api_client.post("/api/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


@pytest.mark.parametrize(
    "authorization",
    ["Bearer garbage", "Bearer a.b.c", "Token abc", "Bearer"],
)
def test_garbage_tokens_are_401(api_client, authorization):
    api_client.credentials(HTTP_AUTHORIZATION=authorization)
    assert api_client.get("/api/auth/me/").status_code == 401


def test_expired_access_token_is_401(api_client, form_master):
    token = AccessToken.for_user(form_master)
    token.set_exp(lifetime=-datetime.timedelta(minutes=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api_client.get("/api/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_garbage_refresh_is_401(api_client):
    response = api_client.post("/api/auth/token/refresh/", {"refresh": "garbage"}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/api/auth/me/", "/api/audit/"])
def test_unauthenticated_api_is_401_with_challenge(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_session_login_works_for_the_api(client, form_master):
    client.force_login(form_master)
    assert client.get("/api/auth/me/").json()["username"] == "north-fm1"


def test_session_writes_to_the_api_need_the_csrf_token(form_master):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(form_master)
    refused = client.post("/api/audit/", {"action": "printed_report"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    page = client.get("/")
    token = page.context["csrf_token"]
    accepted = client.post(
        "/api/audit/", {"action": "printed_report"}, content_type="application/json", HTTP_X_CSRFTOKEN=str(token)
    )
    assert accepted.status_code == 201


def test_a_deactivated_users_tokens_stop_working(api_client, form_master):
    tokens = obtain(api_client).json()
    form_master.is_active = False
    form_master.save()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api_client.get("/api/auth/me/").status_code == 401
    api_client.credentials()
    assert api_client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json").status_code == 401
