"""Students and class groups API: roles, schools, filters, versioned PATCH, query counts."""

import datetime

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from attendance.tests.factories import AttendanceRecordFactory
from core.models import AuditLog
from core.testing.queries import assert_query_count
from interventions.models import Alert
from students import selectors
from students.api import StudentSerializer
from students.models import Student
from students.tests.factories import AcademicYearFactory, ClassGroupFactory, StudentFactory
from students.tests.fixtures import previous_weekday

pytestmark = pytest.mark.django_db


def test_list_filters_and_search(client_for, counselor, form, form_b, other_form):
    ada = StudentFactory(school=form.school, class_group=form, first_name="Ada", last_name="Lovelace", student_id="N-1")
    alan = StudentFactory(
        school=form.school, class_group=form_b, first_name="Alan", last_name="Turing", student_id="N-2"
    )
    StudentFactory(school=form.school, class_group=form_b, first_name="Grace", last_name="Hopper", status="transferred")
    StudentFactory(school=other_form.school, class_group=other_form, first_name="Ada", last_name="Elsewhere")
    client = client_for(counselor)
    body = client.get("/api/students/").json()
    assert body["count"] == 3
    assert set(body["results"][0]) >= {"id", "student_id", "first_name", "last_name", "class_group", "status"}
    assert [s["id"] for s in client.get("/api/students/", {"search": "ada"}).json()["results"]] == [ada.pk]
    assert [s["id"] for s in client.get("/api/students/", {"search": "N-2"}).json()["results"]] == [alan.pk]
    assert client.get("/api/students/", {"class_group": form_b.pk}).json()["count"] == 2
    assert client.get("/api/students/", {"class_group": form_b.pk, "status": "active"}).json()["count"] == 1
    assert client.get("/api/students/", {"class_group": other_form.pk}).json()["count"] == 0
    assert client.get("/api/students/", {"status": "expelled"}).status_code == 400
    assert client.get("/api/students/", {"class_group": "x"}).status_code == 400
    # The page's words, keyed by the parameter (the /students/ page parses its address the same way).
    assert client.get("/api/students/", {"class_group": "x", "status": " expelled "}).json() == {
        "class_group": ["A form id is a whole number."],
        "status": ["\u201cexpelled\u201d is not a valid status. Allowed: active, transferred, graduated, withdrawn."],
    }
    assert client.get("/api/students/", {"status": " active "}).json()["count"] == 2


def test_unauthenticated_is_401(api_client, form):
    student = StudentFactory(school=form.school, class_group=form)
    for url in (
        "/api/students/",
        f"/api/students/{student.pk}/",
        f"/api/students/{student.pk}/attendance/",
        "/api/class-groups/",
    ):
        assert api_client.get(url).status_code == 401


@pytest.mark.parametrize("count", [10, 120])
def test_list_query_count_is_constant(client_for, teacher, form, make_students, count):
    make_students(form, count)
    with assert_query_count(2):
        response = client_for(teacher).get("/api/students/", {"page_size": 200})
    assert response.json()["count"] == count


def test_only_admins_create(client_for, admin_user, teacher, form_master, form):
    payload = {"student_id": "N-9", "first_name": "Ada", "last_name": "Lovelace", "class_group": form.pk}
    for user in (teacher, form_master):
        assert client_for(user).post("/api/students/", payload, format="json").status_code == 403
    response = client_for(admin_user).post("/api/students/", payload, format="json")
    assert response.status_code == 201, response.content
    student = Student.objects.get(student_id="N-9")
    assert (student.school, student.class_group, response.json()["version"]) == (admin_user.school, form, 1)
    assert AuditLog.objects.get(entity_type="students.student", entity_id=str(student.pk)).action == "create"
    duplicate = client_for(admin_user).post("/api/students/", payload, format="json")
    assert duplicate.status_code == 400 and "student_id" in duplicate.json()


def test_create_with_another_schools_form_is_400(client_for, admin_user, other_form):
    payload = {"student_id": "N-9", "first_name": "Ada", "last_name": "Lovelace", "class_group": other_form.pk}
    response = client_for(admin_user).post("/api/students/", payload, format="json")
    assert response.status_code == 400 and "class_group" in response.json()
    assert not Student.objects.filter(student_id="N-9").exists()


def test_detail_has_rate_and_open_alert_count(client_for, form_master, school, form, school_day):
    student = StudentFactory(school=school, class_group=form)
    day = school_day
    for status in ("present", "late", "absent", "present"):
        AttendanceRecordFactory(school=school, student=student, date=day, status=status)
        day = previous_weekday(day)
    Alert.objects.create(school=school, student=student, kind="low_attendance", status="open")
    Alert.objects.create(school=school, student=student, kind="chronic_absence", status="acknowledged")
    Alert.objects.create(school=school, student=student, kind="consecutive_absences", status="resolved")
    body = client_for(form_master).get(f"/api/students/{student.pk}/").json()
    assert (body["attendance_rate"], body["days_marked"], body["open_alert_count"], body["version"]) == (75.0, 4, 2, 1)


def test_detail_of_another_school_is_404(client_for, other_admin, form):
    student = StudentFactory(school=form.school, class_group=form)
    client = client_for(other_admin)
    assert client.get(f"/api/students/{student.pk}/").status_code == 404
    assert client.patch(f"/api/students/{student.pk}/", {"first_name": "X"}, format="json").status_code == 404
    assert client.get(f"/api/students/{student.pk}/attendance/").status_code == 404


def test_patch_is_admin_only_versioned_and_audited(client_for, admin_user, teacher, form, form_b):
    student = StudentFactory(school=form.school, class_group=form, first_name="Ada")
    url = f"/api/students/{student.pk}/"
    assert client_for(teacher).patch(url, {"first_name": "Eve"}, format="json").status_code == 403
    client = client_for(admin_user)
    response = client.patch(url, {"first_name": "Augusta", "class_group": form_b.pk, "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["first_name"], response.json()["version"], response.json()["class_group"]) == (
        "Augusta",
        2,
        form_b.pk,
    )
    entry = AuditLog.objects.get(entity_type="students.student", action="update")
    assert (entry.before["first_name"], entry.after["first_name"], entry.actor) == ("Ada", "Augusta", admin_user)
    stale = client.patch(url, {"first_name": "Stale", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert Student.objects.get(pk=student.pk).first_name == "Augusta"
    # Without a version the change goes through.
    assert client.patch(url, {"status": "withdrawn"}, format="json").json()["version"] == 3
    assert client.patch(url, {"status": "gone"}, format="json").status_code == 400


def test_patch_that_changes_nothing_writes_nothing_and_a_future_birth_date_is_refused(client_for, admin_user, form):
    student = StudentFactory(school=form.school, class_group=form, first_name="Ada")
    url = f"/api/students/{student.pk}/"
    client = client_for(admin_user)
    same = client.patch(url, {"first_name": "Ada", "version": 1}, format="json")
    assert same.status_code == 200 and same.json()["version"] == 1
    assert not AuditLog.objects.filter(entity_type="students.student", action="update").exists()
    client.patch(url, {"first_name": "Augusta", "version": 1}, format="json")
    assert client.patch(url, {"first_name": "Augusta", "version": 1}, format="json").status_code == 409
    future = client.patch(url, {"date_of_birth": "2099-01-01", "version": 2}, format="json")
    assert future.status_code == 400 and future.json() == {"date_of_birth": ["Must be in the past."]}
    assert Student.objects.get(pk=student.pk).date_of_birth == student.date_of_birth


def test_student_attendance_with_range(client_for, teacher, school, form, school_day):
    student = StudentFactory(school=school, class_group=form)
    yesterday = previous_weekday(school_day)
    AttendanceRecordFactory(
        school=school, student=student, date=yesterday, status="absent", reason="Flu", marked_by=teacher
    )
    AttendanceRecordFactory(school=school, student=student, date=school_day, status="present")
    client = client_for(teacher)
    body = client.get(f"/api/students/{student.pk}/attendance/").json()
    assert [r["date"] for r in body["results"]] == [yesterday.isoformat(), school_day.isoformat()]
    assert body["results"][0]["reason"] == "Flu" and body["results"][0]["marked_by"] == teacher.pk
    only = client.get(f"/api/students/{student.pk}/attendance/", {"from": school_day.isoformat()}).json()
    assert only["count"] == 1
    assert client.get(f"/api/students/{student.pk}/attendance/", {"to": yesterday.isoformat()}).json()["count"] == 1
    bad = client.get(
        f"/api/students/{student.pk}/attendance/", {"from": school_day.isoformat(), "to": yesterday.isoformat()}
    )
    assert bad.status_code == 400 and "to" in bad.json()
    assert client.get(f"/api/students/{student.pk}/attendance/", {"from": "soon"}).status_code == 400


def test_class_groups_form_master_sees_theirs_first(
    client_for, form_master, other_form_master, school, year, form, form_b, other_form
):
    ClassGroupFactory(school=school, academic_year=year, name="Form 1A", grade_level=1)
    names = [g["name"] for g in client_for(other_form_master).get("/api/class-groups/").json()["results"]]
    assert names == ["Form 2B", "Form 1A", "Form 2A"]
    body = client_for(form_master).get("/api/class-groups/").json()
    assert [g["name"] for g in body["results"]] == ["Form 2A", "Form 1A", "Form 2B"]
    assert set(body["results"][0]) >= {"id", "name", "grade_level", "academic_year", "form_master"}
    assert body["results"][0]["form_master"] == form_master.pk


def test_class_groups_of_the_current_year_only_and_a_bad_flag_is_a_400(client_for, teacher, school, year, form):
    last_year = AcademicYearFactory(
        school=school,
        name="Last year",
        start_date=year.start_date - datetime.timedelta(days=365),
        end_date=year.start_date - datetime.timedelta(days=30),
        is_current=False,
    )
    ClassGroupFactory(school=school, academic_year=last_year, name="Old 1A")
    client = client_for(teacher)
    names = lambda query: sorted(g["name"] for g in client.get("/api/class-groups/", query).json()["results"])  # noqa: E731
    for current in ("1", "true", " yes "):
        assert names({"current": current}) == [form.name], current
    for everything in ("", "0", "false"):
        assert names({"current": everything}) == sorted([form.name, "Old 1A"]), everything
    response = client.get("/api/class-groups/", {"current": "perhaps"})
    assert (response.status_code, response.json()) == (400, {"current": ["Use current=true or current=false."]})


@pytest.mark.parametrize("count", [3, 40])
def test_class_groups_query_count_is_constant(client_for, teacher, school, year, count):
    ClassGroupFactory.create_batch(count, school=school, academic_year=year)
    with assert_query_count(2):
        assert client_for(teacher).get("/api/class-groups/").json()["count"] == count


def test_list_rows_are_what_the_declared_fields_give(admin_user, form):
    """The list's serializer writes its rows directly; the JSON is byte for byte what DRF's walk over the
    declared fields gives: with and without a form, a birth date and the guardian's details."""
    StudentFactory(
        school=form.school,
        class_group=form,
        date_of_birth=datetime.date(2012, 3, 4),
        guardian_name="Jo Ng",
        guardian_phone="+44 20 7946 0000",
        guardian_email="jo@example.org",
        guardian_address="1 High St\nTown",
        gender="female",
    )
    StudentFactory(school=form.school, class_group=None, date_of_birth=None, status="left")
    renderer = JSONRenderer()
    rows = list(selectors.student_list(actor=admin_user, joined=()))
    assert len(rows) == 2
    for student in rows:
        serializer = StudentSerializer(student)
        generic = serializers.ModelSerializer.to_representation(serializer, student)
        assert renderer.render(serializer.data) == renderer.render(generic)
