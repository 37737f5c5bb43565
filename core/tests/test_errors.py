"""One mapping from the application's errors to HTTP: 409 with the version, 400, 403, 404."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.urls")]


@pytest.mark.parametrize(
    "kind, status, body",
    [
        (
            "conflict",
            409,
            {"detail": "This record was changed by someone else. Reload it and try again.", "current_version": 7},
        ),
        ("field", 400, {"follow_up_date": ["Must be after the meeting date."]}),
        ("message", 400, {"detail": "Closed meetings cannot change."}),
        ("not-found", 404, {"detail": "No School matches the given query."}),
        ("denied", 403, {"detail": "Only the meeting's owner may change it."}),
        ("django-validation", 400, {"date": ["Not a school day."]}),
    ],
)
def test_application_errors_map_to_http(client_for, teacher, kind, status, body):
    response = client_for(teacher).get(f"/api/raise/{kind}/")
    assert response.status_code == status
    if kind == "not-found":
        assert set(response.json()) == {"detail"}
    else:
        assert response.json() == body
