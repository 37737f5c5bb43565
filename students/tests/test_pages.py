"""Student pages, the CSV export, the admin (roster upload, audited saves) and the demo data."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from attendance.models import AttendanceRecord, Register
from attendance.tests.factories import AttendanceRecordFactory, HolidayFactory
from core.admin_base import domain_models_without_audited_admin
from core.models import AuditLog
from core.testing.queries import assert_query_count
from students.models import Student
from students.tests.factories import StudentFactory
from students.tests.fixtures import previous_weekday

pytestmark = pytest.mark.django_db
# session, user, the student (with their school, form and year), attendance (records, holidays), the ABC
# panel (risk row, settings, current year, holidays, the forecast's aggregate, holidays to come, alert settings), subjects
# (enrollments, assessments), behaviour (records, may log), alerts, programs
PROFILE_QUERIES_TEACHER = 18
# The same, and what an admin sees besides: topic progress (grade bands, progress, topics), the
# attendance trend (records, programs, meetings), the meetings' timeline (meetings, updates) and the
# contact log; no "may log" read (admins log for everyone)
PROFILE_QUERIES_ADMIN = 26


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_list_search_filter_and_school(login, counselor, form, form_b, other_form):
    StudentFactory(school=form.school, class_group=form, first_name="Ada", last_name="Lovelace")
    StudentFactory(school=form.school, class_group=form_b, first_name="Alan", last_name="Turing")
    StudentFactory(school=other_form.school, class_group=other_form, first_name="Ada", last_name="Elsewhere")
    client = login(counselor)
    html = client.get("/students/").content.decode()
    assert "2 students" in html and "Lovelace, Ada" in html and "Elsewhere" not in html
    html = client.get("/students/", {"q": "ada"}).content.decode()
    assert "1 student " in html and "Turing" not in html
    fragment = client.get("/students/", {"class_group": form_b.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Turing, Alan" in fragment and "Lovelace" not in fragment
    assert "0 students" in client.get("/students/", {"class_group": other_form.pk}).content.decode()


def test_a_search_past_its_length_is_cut_and_its_words_must_all_match(login, counselor, form):
    StudentFactory(school=form.school, class_group=form, first_name="Ada", last_name="Lovelace", student_id="S-77")
    client = login(counselor)
    # Every word must match a name or the admission number, each in any field and any case.
    assert "1 student " in client.get("/students/", {"q": "  lovelace s-77 "}).content.decode()
    assert "0 students" in client.get("/students/", {"q": "lovelace turing"}).content.decode()
    # A pasted essay is read up to its first 100 characters: the box shows them, the page answers.
    response = client.get("/students/", {"q": "Ada " + "z" * 300})
    assert response.status_code == 200
    assert f'value="Ada {"z" * 96}"' in response.content.decode()
    assert "0 students" in response.content.decode()


def test_list_requires_login(client):
    assert client.get("/students/").status_code == 302


@pytest.mark.parametrize("count", [10, 120])
def test_list_query_count_is_constant_and_paginated(login, teacher, form, make_students, count):
    make_students(form, count)
    client = login(teacher)
    with assert_query_count(5):
        html = client.get("/students/").content.decode()
    assert f"{count} students" in html
    assert ("Page 1 of 3" in html) == (count == 120)


def test_the_lists_htmx_fragment_takes_constant_queries(login, teacher, form, form_b, make_students):
    make_students(form, 3)
    client = login(teacher)
    with assert_query_count(4):
        fragment = client.get("/students/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "3 students" in fragment
    make_students(form, 60)
    make_students(form_b, 60)
    with assert_query_count(4):
        fragment = client.get("/students/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "123 students" in fragment and "Page 1 of 3" in fragment


def test_the_pager_keeps_the_filters_and_swaps_the_table(login, teacher, form, make_students):
    make_students(form, 120)
    html = login(teacher).get("/students/", {"class_group": form.pk, "page": "2"}).content.decode()
    query = f"class_group={form.pk}"
    assert "<li>Page 2 of 3</li>" in html
    assert (
        f'<a href="?{query}&amp;page=1" hx-get="?{query}&amp;page=1" hx-target="#student-table" hx-push-url="true">'
        in html
    )
    assert f'<a href="?{query}&amp;page=3" hx-get="?{query}&amp;page=3" hx-target="#student-table"' in html
    assert f'href="/students/export.csv?{query}"' in html


def test_a_bad_filter_in_the_address_is_a_400_with_every_student(login, admin_user, form, make_students):
    """Parsed like the API's filters: every student listed, the problem said beside the filters; the
    export of such an address is the 400 page, not a file of everyone."""
    make_students(form, 3)
    client = login(admin_user)
    response = client.get("/students/", {"class_group": "2a", "status": "gone", "q": "  "})
    html = response.content.decode()
    assert response.status_code == 400 and "3 students" in html
    assert '<p class="form-error" role="alert">A form id is a whole number.</p>' in html
    assert "\u201cgone\u201d is not a valid status. Allowed: active, transferred, graduated, withdrawn." in html
    export = client.get("/students/export.csv", {"status": "gone"})
    assert export.status_code == 400 and export["Content-Type"].startswith("text/html")
    assert not AuditLog.objects.filter(action="export.students").exists()


def test_export_csv_round_trips_into_the_import(login, admin_user, form, other_form):
    StudentFactory(school=form.school, class_group=form, student_id="N-1", first_name="Ada", last_name="Lovelace")
    StudentFactory(school=other_form.school, class_group=other_form, student_id="S-1")
    response = login(admin_user).get("/students/export.csv")
    lines = response.content.decode().splitlines()
    assert (
        lines[0]
        == "student_id,first_name,last_name,date_of_birth,gender,class_group,grade_level,guardian_name,guardian_phone,guardian_email"
    )
    assert len(lines) == 2 and lines[1].startswith("N-1,Ada,Lovelace,2012-05-04,female,Form 2A,2,")
    assert AuditLog.objects.filter(action="export.students", actor=admin_user).exists()


def test_export_csv_takes_constant_queries(login, admin_user, form, form_b, make_students):
    make_students(form, 2)
    client = login(admin_user)
    with assert_query_count(4):
        response = client.get("/students/export.csv")
    assert len(response.content.decode().splitlines()) == 1 + 2
    make_students(form, 20)
    make_students(form_b, 20)
    with assert_query_count(4):
        response = client.get("/students/export.csv")
    lines = response.content.decode().splitlines()
    assert len(lines) == 1 + 42 and sum(",Form 2B,2," in line for line in lines) == 20


def test_profile_shows_calendar_rate_records_and_sections(login, form_master, teacher, school, form, school_day):
    student = StudentFactory(school=school, class_group=form, first_name="Ada", last_name="Lovelace")
    yesterday = previous_weekday(school_day)
    AttendanceRecordFactory(
        school=school, student=student, date=yesterday, status="absent", reason="Flu", marked_by=teacher
    )
    AttendanceRecordFactory(school=school, student=student, date=school_day, status="present", marked_by=teacher)
    HolidayFactory(school=school, date=previous_weekday(yesterday), name="Founders' Day")
    html = login(form_master).get(f"/students/{student.pk}/").content.decode()
    assert "Ada Lovelace" in html
    assert '<span class="value attendance-rate">50.0%</span>' in html
    assert "Flu" in html and teacher.display_name in html
    assert 'class="cal-absent"' in html and 'class="cal-holiday" title="' in html and "Founders" in html
    assert "register not taken" in html or yesterday - datetime.timedelta(days=3) < form.academic_year.start_date
    # Attendance's section opens the profile, before the sections the other apps add.
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    assert headings[0].startswith("Attendance") and "Early warning (ABC)" in headings[1:], headings


def test_profile_query_count_does_not_grow_with_records(login, teacher, school, form, school_day):
    """A student with three records and one with sixty: the same queries; all records in one."""
    client = login(teacher)
    for days in (3, 60):
        student = StudentFactory(school=school, class_group=form)
        day, records = school_day, []
        for _ in range(days):
            records.append(
                AttendanceRecord(
                    school=school, student=student, date=day, status="late", marked_by=teacher, marked_at=timezone.now()
                )
            )
            day = previous_weekday(day)
        AttendanceRecord.objects.bulk_create(records)
        client.get(f"/students/{student.pk}/")  # the first request registers the page sections
        with assert_query_count(PROFILE_QUERIES_TEACHER) as captured:
            response = client.get(f"/students/{student.pk}/")
        assert response.status_code == 200
        # The records in one query, and the attendance forecast's one aggregate (GROUP BY).
        reads = [q["sql"] for q in captured.captured_queries if "attendance_attendancerecord" in q["sql"]]
        assert len([sql for sql in reads if "GROUP BY" not in sql]) == 1 and len(reads) == 2


def test_profile_query_count_for_an_admin_does_not_grow_with_any_section(
    login, admin_user, teacher, school, form, school_day
):
    """Every section the other apps add to the profile, read by an admin (who sees them all): a student
    with one row of each and the same student with many take the same queries."""
    from interventions.tests.communication_factories import CommunicationLogFactory
    from interventions.tests.factories import (
        AlertFactory,
        EnrollmentFactory,
        InterventionFactory,
        InterventionMeetingFactory,
        ProgressUpdateFactory,
    )
    from students.academics.tests.factories import AssessmentFactory, SubjectEnrollmentFactory, SubjectFactory
    from students.tests.factories import BehaviourRecordFactory

    student = StudentFactory(school=school, class_group=form, first_name="Ada", last_name="Lovelace")
    kinds = ("consecutive_absences", "low_attendance", "chronic_absence")

    def add_rows(n, day):
        for _ in range(n):
            AttendanceRecordFactory(school=school, student=student, date=day, status="absent", marked_by=teacher)
            day = previous_weekday(day)
        for i in range(n):
            BehaviourRecordFactory(school=school, student=student, created_by=teacher, date=school_day, reason=f"R{i}")
            subject = SubjectFactory(school=school)
            SubjectEnrollmentFactory(school=school, student=student, subject=subject, teacher=teacher)
            AssessmentFactory(school=school, student=student, subject=subject, assessment_date=school_day)
            AlertFactory(school=school, student=student, kind=kinds[i % len(kinds)], status="resolved")
            meeting = InterventionMeetingFactory(school=school, student=student, created_by=admin_user, status="closed")
            ProgressUpdateFactory(meeting=meeting, created_by=admin_user)
            EnrollmentFactory(school=school, student=student, intervention=InterventionFactory(school=school))
            CommunicationLogFactory(school=school, student=student)
        return day

    day = add_rows(1, school_day)
    client = login(admin_user)
    client.get(f"/students/{student.pk}/")  # the first request registers the page sections
    with assert_query_count(PROFILE_QUERIES_ADMIN):
        response = client.get(f"/students/{student.pk}/")
    assert response.status_code == 200 and "Ada Lovelace" in response.content.decode()
    add_rows(12, day)
    with assert_query_count(PROFILE_QUERIES_ADMIN):
        response = client.get(f"/students/{student.pk}/")
    html = response.content.decode()
    assert response.status_code == 200 and "Ada Lovelace" in html
    # All thirteen subjects and meeting updates; the contact log shows its latest ten.
    assert len(set(re.findall(r"Subject \d+", html))) == 13
    assert html.count("Attended every day this week.") == 13 and html.count("Reached. All well.") == 10


def test_profile_of_another_school_is_404(login, other_admin, form):
    student = StudentFactory(school=form.school, class_group=form)
    assert login(other_admin).get(f"/students/{student.pk}/").status_code == 404


# Admin ---------------------------------------------------------------------------------------------


def test_every_students_and_attendance_model_has_an_audited_admin():
    from django.contrib import admin

    missing = [
        m for m in domain_models_without_audited_admin(admin.site) if m._meta.app_label in ("students", "attendance")
    ]
    assert missing == []


def test_admin_change_is_audited_and_scoped(login, admin_user, form, other_form):
    student = StudentFactory(school=form.school, class_group=form, first_name="Ada")
    foreign = StudentFactory(school=other_form.school, class_group=other_form)
    client = login(admin_user)
    listing = client.get("/admin/students/student/").content.decode()
    assert student.student_id in listing and foreign.student_id not in listing
    assert client.get(f"/admin/students/student/{foreign.pk}/change/").status_code == 302  # "doesn't exist" redirect
    data = {
        "student_id": student.student_id,
        "first_name": "Augusta",
        "last_name": student.last_name,
        "gender": "female",
        "class_group": form.pk,
        "status": "active",
        "guardian_name": "",
        "guardian_phone": "",
        "guardian_email": "",
    }
    response = client.post(f"/admin/students/student/{student.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    student.refresh_from_db()
    assert (student.first_name, student.version) == ("Augusta", 2)
    assert (
        AuditLog.objects.get(entity_type="students.student", action="update", actor=admin_user).after["first_name"]
        == "Augusta"
    )


def test_admin_roster_upload(login, admin_user, teacher, form):
    client = login(admin_user)
    assert "Import roster" in client.get("/admin/students/student/").content.decode()
    header = b"student_id,first_name,last_name,date_of_birth,gender,class_group,grade_level,guardian_name,guardian_phone,guardian_email\n"
    bad = SimpleUploadedFile("r.csv", header + b"N-1,Ada,Lovelace,10/12/2012,F,Form 2A,,,,\nN-2,Alan,,,M,Form 7Q,,,,\n")
    response = client.post("/admin/students/student/import/", {"file": bad})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Line 2: bad date_of_birth" in html
    assert "Line 3: last_name is empty; unknown form &#x27;Form 7Q&#x27; (give a grade_level to create it)" in html
    assert not Student.objects.exists()
    latin1 = SimpleUploadedFile("r.csv", header + b"N-1,Ada,Lovelace,,F,Form 2A,,,,\nN-2,Zo\xeb,Smith,,F,Form 2A,,,,\n")
    response = client.post("/admin/students/student/import/", {"file": latin1})
    assert response.status_code == 400
    assert "Line 3: the file is not UTF-8 text" in response.content.decode()
    assert not Student.objects.exists()
    good = SimpleUploadedFile("r.csv", header + b"N-1,Ada,Lovelace,2012-12-10,F,Form 2A,,,,\n")
    response = client.post("/admin/students/student/import/", {"file": good}, follow=True)
    assert "Roster imported: 1 created, 0 updated, 0 unchanged." in response.content.decode()
    assert Student.objects.get(student_id="N-1").school == admin_user.school
    assert login(teacher).get("/admin/students/student/import/").status_code == 302  # not an admin: login page
