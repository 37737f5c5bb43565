"""A student_id is unique in its school whatever its case, as MariaDB's unique index has it: "a001"
beside "A001" is a 400 in the API and an inline error in the admin, on SQLite and MariaDB alike."""

import pytest

from core.errors import ApplicationError
from core.models import AuditLog
from students import services
from students.models import Student
from students.tests.factories import ClassGroupFactory, StudentFactory

pytestmark = pytest.mark.django_db

TAKEN = ["student_id", ["A student with this admission number already exists."]]


@pytest.fixture
def form(school):
    return ClassGroupFactory(school=school, name="Form 2A")


@pytest.fixture
def other_form(other_school):
    return ClassGroupFactory(school=other_school, name="Form 2A")


@pytest.fixture
def a001(form):
    return StudentFactory(school=form.school, class_group=form, student_id="A001")


def test_creating_a001_beside_a001_in_another_case_is_refused_by_the_service(admin_user, a001):
    with pytest.raises(ApplicationError) as refused:
        services.student_create(
            actor=admin_user, school_id=a001.school_id, student_id="a001", first_name="X", last_name="Y"
        )
    assert refused.value.field_errors == dict([TAKEN])
    assert Student.objects.filter(school=a001.school).count() == 1


def test_api_create_with_a_taken_id_in_another_case_is_400(client_for, admin_user, form, a001):
    payload = {"student_id": "a001", "first_name": "Ada", "last_name": "Lovelace", "class_group": form.pk}
    response = client_for(admin_user).post("/api/students/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == dict([TAKEN])
    assert list(Student.objects.filter(school=form.school).values_list("student_id", flat=True)) == ["A001"]
    assert not AuditLog.objects.exists()


def test_api_patch_to_a_taken_id_in_another_case_is_400(client_for, admin_user, form, a001):
    other = StudentFactory(school=form.school, class_group=form, student_id="B002")
    client = client_for(admin_user)
    response = client.patch(f"/api/students/{other.pk}/", {"student_id": "a001"}, format="json")
    assert response.status_code == 400
    assert response.json() == dict([TAKEN])
    other.refresh_from_db()
    assert (other.student_id, other.version) == ("B002", 1)

    # A student's own id in another case is no clash.
    response = client.patch(f"/api/students/{a001.pk}/", {"student_id": "a001"}, format="json")
    assert response.status_code == 200, response.content
    a001.refresh_from_db()
    assert a001.student_id == "a001"


def test_the_same_id_in_another_school_is_free(client_for, other_admin, other_form, a001):
    payload = {"student_id": "a001", "first_name": "Ada", "last_name": "Lovelace", "class_group": other_form.pk}
    response = client_for(other_admin).post("/api/students/", payload, format="json")
    assert response.status_code == 201, response.content
    assert Student.objects.get(school=other_form.school).student_id == "a001"


def test_a_duplicate_saved_in_between_is_a_400_not_a_database_error(client_for, admin_user, form, a001, monkeypatch):
    """The check passed, then someone else saved the id: the unique index refuses, the answer is the same."""
    checks = []
    check = services._check_unique_student_id

    def check_too_early(**kwargs):
        checks.append(kwargs)
        if len(checks) > 1:  # the check made after the index refused
            check(**kwargs)

    monkeypatch.setattr(services, "_check_unique_student_id", check_too_early)
    payload = {"student_id": "A001", "first_name": "Ada", "last_name": "Lovelace", "class_group": form.pk}
    response = client_for(admin_user).post("/api/students/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == dict([TAKEN])
    assert Student.objects.filter(school=form.school).count() == 1
    assert not AuditLog.objects.exists()
