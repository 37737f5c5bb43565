"""Students, forms and years in Django admin: duplicates are inline form errors, stale edits are refused."""

import datetime

import pytest

from core.models import AuditLog
from core.tests.admin_forms import admin_form_data
from students import services
from students.models import AcademicYear, Student
from students.tests.factories import AcademicYearFactory, StudentFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/students/student/add/"


def change_url(student):
    return f"/admin/students/student/{student.pk}/change/"


def new_student_data(form, **overrides):
    return {
        "student_id": "N-100",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "gender": "female",
        "class_group": str(form.pk),
        "status": "active",
        "guardian_name": "",
        "guardian_phone": "",
        "guardian_email": "",
        **overrides,
    }


def test_adding_a_student_with_a_taken_student_id_is_an_inline_error(school_admin_client, form):
    StudentFactory(school=form.school, class_group=form, student_id="N-100")
    response = school_admin_client.post(ADD_URL, new_student_data(form))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Student with this Student id already exists." in html
    assert 'class="errorlist' in html
    assert Student.objects.filter(student_id="N-100").count() == 1
    assert not AuditLog.objects.exists()


def test_a_student_id_taken_in_another_school_is_free_here(school_admin_client, admin_user, form, other_form):
    StudentFactory(school=other_form.school, class_group=other_form, student_id="N-100")
    response = school_admin_client.post(ADD_URL, new_student_data(form))
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Student.objects.get(school=admin_user.school, student_id="N-100")
    assert AuditLog.objects.filter(action="create", entity_id=str(created.pk), actor=admin_user).exists()


def test_changing_a_student_id_to_a_taken_one_is_an_inline_error(school_admin_client, form):
    StudentFactory(school=form.school, class_group=form, student_id="N-100")
    student = StudentFactory(school=form.school, class_group=form, student_id="N-200")
    data = admin_form_data(school_admin_client.get(change_url(student)).content.decode())
    data["student_id"] = "N-100"
    response = school_admin_client.post(change_url(student), data)
    assert response.status_code == 200
    assert "Student with this Student id already exists." in response.content.decode()
    student.refresh_from_db()
    assert (student.student_id, student.version) == ("N-200", 1)
    assert not AuditLog.objects.exists()


def test_adding_an_academic_year_with_a_taken_name_is_an_inline_error(school_admin_client, year):
    data = {"name": year.name, "start_date": "2030-09-01", "end_date": "2031-07-15"}
    response = school_admin_client.post("/admin/students/academicyear/add/", data)
    assert response.status_code == 200
    assert "Academic year with this Name already exists." in response.content.decode()
    assert AcademicYear.objects.filter(school=year.school).count() == 1
    assert not AuditLog.objects.exists()


def test_renaming_an_academic_year_to_a_taken_name_is_an_inline_error(school_admin_client, year):
    older = AcademicYearFactory(
        school=year.school, name="Last year", start_date=datetime.date(2020, 9, 1), end_date=datetime.date(2021, 7, 1)
    )
    url = f"/admin/students/academicyear/{older.pk}/change/"
    data = admin_form_data(school_admin_client.get(url).content.decode())
    data["name"] = year.name
    response = school_admin_client.post(url, data)
    assert response.status_code == 200
    assert "Academic year with this Name already exists." in response.content.decode()
    older.refresh_from_db()
    assert older.name == "Last year"


def test_a_year_name_used_by_another_school_is_free_here(school_admin_client, admin_user, other_year):
    data = {"name": other_year.name, "start_date": "2030-09-01", "end_date": "2031-07-15"}
    response = school_admin_client.post("/admin/students/academicyear/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AcademicYear.objects.get(school=admin_user.school).name == other_year.name


def test_the_change_form_carries_the_loaded_version(school_admin_client, form):
    student = StudentFactory(school=form.school, class_group=form)
    services.student_update(actor=None, student=student, first_name="Twice")
    data = admin_form_data(school_admin_client.get(change_url(student)).content.decode())
    assert data["expected_version"] == "2"


def test_a_stale_student_edit_is_refused_and_the_newer_save_kept(school_admin_client, admin_user, form):
    student = StudentFactory(school=form.school, class_group=form, first_name="Ada", last_name="Lovelace")
    data = admin_form_data(school_admin_client.get(change_url(student)).content.decode())
    assert data["expected_version"] == "1"

    # Someone else saves while the form is open.
    services.student_update(actor=None, student=Student.objects.get(pk=student.pk), last_name="King", version=1)

    data["first_name"] = "Augusta"
    response = school_admin_client.post(change_url(student), data, follow=True)
    html = response.content.decode()
    assert "changed by someone else" in html and "not saved" in html
    student.refresh_from_db()
    assert (student.first_name, student.last_name, student.version) == ("Ada", "King", 2)
    assert not AuditLog.objects.filter(actor=admin_user).exists()


def test_a_fresh_student_edit_saves_and_is_audited(school_admin_client, admin_user, form):
    student = StudentFactory(school=form.school, class_group=form, first_name="Ada")
    data = admin_form_data(school_admin_client.get(change_url(student)).content.decode())
    data["first_name"] = "Augusta"
    response = school_admin_client.post(change_url(student), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    student.refresh_from_db()
    assert (student.first_name, student.version) == ("Augusta", 2)
    entry = AuditLog.objects.get(action="update", actor=admin_user)
    assert (entry.before["first_name"], entry.after["first_name"]) == ("Ada", "Augusta")


def test_adding_a_student_id_taken_in_another_case_is_an_inline_error(school_admin_client, form):
    StudentFactory(school=form.school, class_group=form, student_id="N-100")
    response = school_admin_client.post(ADD_URL, new_student_data(form, student_id="n-100", first_name="Typed"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["student_id"] and "already exists" in errors["student_id"][0]
    assert admin_form_data(response.content.decode())["first_name"] == "Typed"
    assert list(Student.objects.filter(school=form.school).values_list("student_id", flat=True)) == ["N-100"]
    assert not AuditLog.objects.exists()


def test_changing_a_student_id_to_a_taken_one_in_another_case_is_an_inline_error(school_admin_client, form):
    StudentFactory(school=form.school, class_group=form, student_id="N-100")
    student = StudentFactory(school=form.school, class_group=form, student_id="N-200")
    data = admin_form_data(school_admin_client.get(change_url(student)).content.decode())
    data["student_id"] = "n-100"
    response = school_admin_client.post(change_url(student), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["student_id"] and "already exists" in errors["student_id"][0]
    student.refresh_from_db()
    assert (student.student_id, student.version) == ("N-200", 1)
    assert not AuditLog.objects.exists()


def test_a_student_may_keep_their_id_in_another_case(school_admin_client, admin_user, form):
    student = StudentFactory(school=form.school, class_group=form, student_id="N-100")
    data = admin_form_data(school_admin_client.get(change_url(student)).content.decode())
    data["student_id"] = "n-100"
    assert school_admin_client.post(change_url(student), data).status_code == 302
    student.refresh_from_db()
    assert (student.student_id, student.version) == ("n-100", 2)
    entry = AuditLog.objects.get(action="update", actor=admin_user)
    assert (entry.before["student_id"], entry.after["student_id"]) == ("N-100", "n-100")


def test_an_added_student_is_created_through_the_service_and_audited_once(school_admin_client, admin_user, form):
    response = school_admin_client.post(ADD_URL, new_student_data(form))
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Student.objects.get(school=form.school, student_id="N-100")
    assert response["Location"] == "/admin/students/student/"
    assert (created.version, created.class_group) == (1, form)
    assert AuditLog.objects.filter(entity_id=str(created.pk), action="create", actor=admin_user).count() == 1
