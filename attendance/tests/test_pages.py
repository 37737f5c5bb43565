"""Register pages: the day's overview, taking a register (full page and htmx), conflicts, export, home page."""

import datetime

import pytest
from django.utils import timezone

from attendance.models import AttendanceRecord, Register
from attendance.tests.factories import AttendanceRecordFactory, HolidayFactory, RegisterFactory
from core.models import AuditLog
from core.testing.queries import assert_query_count
from students.tests.factories import ClassGroupFactory, StudentFactory
from students.tests.fixtures import previous_weekday

pytestmark = pytest.mark.django_db


def register_url(form, day):
    return f"/attendance/register/{form.pk}/{day.isoformat()}/"


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_day_page_shows_taken_and_missing_registers(login, teacher, form_master, form, form_b, school_day):
    yesterday = previous_weekday(school_day)
    RegisterFactory(school=form.school, class_group=form, date=yesterday, taken_by=form_master)
    response = login(teacher).get("/attendance/", {"date": yesterday.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 of 2</strong> registers taken" in html
    assert form_master.display_name in html
    assert "Missing" in html  # Form 2B's register of a past school day
    assert "Missing registers" in html
    assert register_url(form_b, yesterday) in html


def test_day_page_htmx_returns_the_fragment(login, teacher, form, school_day):
    response = login(teacher).get("/attendance/", {"date": school_day.isoformat()}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and "Form 2A" in html


def test_day_page_holiday_and_weekend(login, teacher, form, school_day):
    HolidayFactory(school=form.school, date=school_day, name="Founders' Day")
    html = login(teacher).get("/attendance/", {"date": school_day.isoformat()}).content.decode()
    assert "Holiday: Founders&#x27; Day" in html
    today = timezone.localdate()
    saturday = today - datetime.timedelta(days=(today.weekday() - 5) % 7)
    assert "Weekend" in login(teacher).get("/attendance/", {"date": saturday.isoformat()}).content.decode()


@pytest.mark.parametrize("forms", [2, 12])
def test_day_page_query_count_is_constant(login, teacher, school, year, school_day, forms):
    for index in range(forms):
        form = ClassGroupFactory(school=school, academic_year=year, name=f"Form {index}")
        RegisterFactory(school=school, class_group=form, date=school_day, taken_by=teacher)
    client = login(teacher)
    with assert_query_count(10):
        response = client.get("/attendance/", {"date": school_day.isoformat()})
    assert f"{forms} of {forms}</strong>" in response.content.decode()
    # the fragment the day picker swaps in: as the page (its header's school comes with the user)
    with assert_query_count(10):
        response = client.get("/attendance/", {"date": school_day.isoformat()}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and f"{forms} of {forms}</strong>" in html


def test_page_roles(login, client, counselor, other_admin, form, school_day):
    assert client.get("/attendance/").status_code == 302
    assert client.get(register_url(form, school_day)).status_code == 302
    assert login(counselor).get("/attendance/").status_code == 403
    assert login(counselor).get(register_url(form, school_day)).status_code == 403
    assert login(other_admin).get(register_url(form, school_day)).status_code == 404
    assert login(other_admin).post(register_url(form, school_day), {"version": "0"}).status_code == 404
    assert login(other_admin).get(f"/attendance/register/{form.pk}/not-a-date/").status_code == 404


def test_register_day_links_skip_weekends_and_holidays_and_stop_at_today(login, teacher, form, school_day):
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday() + 14)  # two weeks back
    friday, thursday = monday - datetime.timedelta(days=3), monday - datetime.timedelta(days=4)
    HolidayFactory(school=form.school, date=friday, name="Staff day")
    HolidayFactory(school=form.school, date=monday + datetime.timedelta(days=1), name="Sports day")
    html = login(teacher).get(register_url(form, monday)).content.decode()
    assert f'href="{register_url(form, thursday)}"' in html  # over the weekend and Friday's holiday
    assert f'href="{register_url(form, monday + datetime.timedelta(days=2))}"' in html  # over Tuesday's
    html = login(teacher).get(register_url(form, school_day)).content.decode()
    following = school_day + datetime.timedelta(days=1)
    assert (
        register_url(form, following) not in html
        and f"{following:%a} {following.day} {following:%b} &rarr;" not in html
    )
    day_page = login(teacher).get("/attendance/", {"date": monday.isoformat()}).content.decode()
    assert f"?date={thursday.isoformat()}" in day_page


def test_register_page_shows_everyone_present_by_default(login, teacher, form, make_students, school_day):
    students = make_students(form, 3)
    html = login(teacher).get(register_url(form, school_day)).content.decode()
    assert "Not taken yet" in html
    for student in students:
        assert f'name="status-{student.pk}" value="present" checked' in html
        assert f'name="reason-{student.pk}"' in html
    assert 'name="version" value="0"' in html
    assert "Save register" in html


def test_saving_the_register_then_reopening_shows_it(login, teacher, form, make_students, school_day):
    first, second, third = make_students(form, 3)
    client = login(teacher)
    response = client.post(
        register_url(form, school_day),
        {
            "version": "0",
            f"status-{first.pk}": "absent",
            f"reason-{first.pk}": "Flu",
            f"status-{second.pk}": "late",
            f"reason-{second.pk}": "Bus",
            f"status-{third.pk}": "present",
        },
    )
    assert response.status_code == 302
    assert AttendanceRecord.objects.get(student=first).reason == "Flu"
    assert AttendanceRecord.objects.get(student=second).status == "late"
    assert AttendanceRecord.objects.get(student=third).status == "present"
    html = client.get(register_url(form, school_day)).content.decode()
    assert "saved." in html  # the flash message
    assert f'name="status-{first.pk}" value="absent" checked' in html
    assert 'value="Flu"' in html
    assert f'Taken by <strong class="taken-by">{teacher.display_name}</strong>' in html
    assert f"marked by {teacher.display_name}" in html
    assert 'name="version" value="1"' in html


def test_htmx_save_returns_the_form_fragment(login, teacher, form, make_students, school_day):
    student = make_students(form, 1)[0]
    response = login(teacher).post(
        register_url(form, school_day),
        {"version": "0", f"status-{student.pk}": "excused", f"reason-{student.pk}": "Exam"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Register saved." in html and 'name="version" value="1"' in html
    assert AttendanceRecord.objects.get(student=student).status == "excused"


def test_stale_save_shows_conflict_and_keeps_what_was_typed(
    login, teacher, form_master, form, make_students, school_day
):
    first, second = make_students(form, 2)
    login(form_master).post(
        register_url(form, school_day), {"version": "0", f"status-{first.pk}": "late", f"reason-{first.pk}": "Bus"}
    )
    audit_rows = AuditLog.objects.count()
    response = login(teacher).post(
        register_url(form, school_day),
        {"version": "0", f"status-{first.pk}": "absent", f"reason-{first.pk}": "Flu", f"status-{second.pk}": "present"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "changed by someone else" in html
    assert f'name="status-{first.pk}" value="absent" checked' in html and 'value="Flu"' in html
    assert f"Saved: late (Bus) by {form_master.display_name}" in html
    assert 'name="version" value="1"' in html  # saving again overwrites knowingly
    assert AttendanceRecord.objects.get(student=first).status == "late"
    assert AuditLog.objects.count() == audit_rows


def test_future_weekend_and_holiday_cannot_be_saved(login, teacher, form, make_students, school_day):
    student = make_students(form, 1)[0]
    client = login(teacher)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page = client.get(register_url(form, tomorrow)).content.decode()
    assert "future date" in page and "Save register" not in page
    response = client.post(
        register_url(form, tomorrow), {"version": "0", f"status-{student.pk}": "absent"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400 and "future date" in response.content.decode()
    HolidayFactory(school=form.school, date=school_day, name="Snow day")
    response = client.post(register_url(form, school_day), {"version": "0"})
    assert response.status_code == 400 and "holiday (Snow day)" in response.content.decode()
    assert not AttendanceRecord.objects.exists() and not Register.objects.exists()


def test_unknown_status_posted_is_an_inline_error(login, teacher, form, make_students, school_day):
    student = make_students(form, 1)[0]
    response = login(teacher).post(register_url(form, school_day), {"version": "0", f"status-{student.pk}": "sick"})
    assert response.status_code == 400 and "unknown status" in response.content.decode()
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize("size", [5, 40])
def test_register_page_and_save_query_counts_are_constant(login, teacher, form, make_students, school_day, size):
    students = make_students(form, size)
    client = login(teacher)
    with assert_query_count(7):  # the register form's 6 + the holidays near the day
        client.get(register_url(form, school_day))
    # the register form alone: session, user, form, register, students with their day, holiday
    with assert_query_count(6):
        html = client.get(register_url(form, school_day), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html and html.count('value="present" checked') == size
    data = {"version": "0", **{f"status-{s.pk}": "absent" for s in students}}
    with assert_query_count(17):
        response = client.post(register_url(form, school_day), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert AttendanceRecord.objects.filter(status="absent").count() == size


def test_attendance_export(login, teacher, school, form, other_form, make_students, school_day):
    student = make_students(form, 1)[0]
    foreigner = make_students(other_form, 1)[0]
    AttendanceRecordFactory(
        school=school, student=student, date=school_day, status="absent", reason="Flu", marked_by=teacher
    )
    AttendanceRecordFactory(school=other_form.school, student=foreigner, date=school_day, status="absent")
    response = login(teacher).get(
        "/attendance/export.csv",
        {"start": school_day.isoformat(), "end": school_day.isoformat(), "class_group": form.pk},
    )
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("date,student_id,first_name")
    assert len(lines) == 2 and f"{student.student_id}" in lines[1] and "absent,Flu,north-teacher" in lines[1]
    assert AuditLog.objects.filter(action="export.attendance", actor=teacher).exists()
    bad = login(teacher).get("/attendance/export.csv", {"start": "2026-01-10", "end": "2026-01-01"})
    assert bad.status_code == 400


def test_export_takes_the_same_queries_for_few_and_many_rows(
    login, teacher, form_master, school, year, form, make_students, school_day
):
    """Each record with its student, form and marker in the one streamed SELECT."""
    days = [school_day, previous_weekday(school_day), previous_weekday(previous_weekday(school_day))]
    params = {"start": days[-1].isoformat(), "end": days[0].isoformat()}

    def mark(students, marker):
        AttendanceRecord.objects.bulk_create(
            [
                AttendanceRecord(
                    school=school,
                    student=s,
                    date=day,
                    status="late",
                    reason="Bus",
                    marked_by=marker,
                    marked_at=timezone.now(),
                )
                for s in students
                for day in days
            ]
        )

    mark(make_students(form, 2), teacher)
    client = login(teacher)
    # session, user, the audit row, the records with their students, forms and markers
    with assert_query_count(4):
        lines = b"".join(client.get("/attendance/export.csv", params).streaming_content).decode().splitlines()
    assert len(lines) == 1 + 6
    other = ClassGroupFactory(school=school, academic_year=year, name="Form 3C")
    mark(make_students(form, 10), form_master)
    mark(make_students(other, 10), teacher)
    with assert_query_count(4):
        lines = b"".join(client.get("/attendance/export.csv", params).streaming_content).decode().splitlines()
    assert len(lines) == 1 + 66 and sum("Form 3C" in line for line in lines) == 30


@pytest.mark.parametrize("role_fixture", ["form_master", "other_form_master", "admin_user"])
def test_form_masters_and_admins_take_a_register_of_their_school(
    request, login, form, make_students, school_day, role_fixture
):
    """The form's own form master, a colleague's form master and an admin: the page and one save."""
    user = request.getfixturevalue(role_fixture)
    first, second = make_students(form, 2)
    client = login(user)
    page = client.get(register_url(form, school_day))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Save register" in html and f'name="status-{first.pk}" value="present" checked' in html
    response = client.post(
        register_url(form, school_day), {"version": "0", f"status-{first.pk}": "absent", f"reason-{first.pk}": "Flu"}
    )
    assert response.status_code == 302
    register = Register.objects.get(class_group=form, date=school_day)
    assert register.taken_by == user and register.version == 1
    assert AttendanceRecord.objects.get(student=first).status == "absent"
    assert AttendanceRecord.objects.get(student=second).status == "present"
    assert set(AttendanceRecord.objects.values_list("marked_by", flat=True)) == {user.pk}
    assert AuditLog.objects.filter(actor=user, entity_type="attendance.register", entity_id=str(register.pk)).exists()


@pytest.mark.parametrize("role", ["teacher", "form_master"])
def test_teachers_and_form_masters_of_another_school_get_404(
    login, make_user, other_school, form, make_students, school_day, role
):
    student = make_students(form, 1)[0]
    client = login(make_user(role, other_school, username=f"south-{role}"))
    url = register_url(form, school_day)
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404
    assert (
        client.post(url, {"version": "0", f"status-{student.pk}": "absent", f"reason-{student.pk}": "Flu"}).status_code
        == 404
    )
    assert client.post(url, {"version": "0"}, HTTP_HX_REQUEST="true").status_code == 404
    assert not Register.objects.exists() and not AttendanceRecord.objects.exists()
    assert not AuditLog.objects.filter(entity_type__startswith="attendance.").exists()


def test_register_errors_name_the_student(login, teacher, form, school_day):
    """Each problem with a posted row names the student (as the register lists them), not "Item 2"."""
    StudentFactory(school=form.school, class_group=form, first_name="Zoe", last_name="Adams")
    brown = StudentFactory(school=form.school, class_group=form, first_name="Oscar", last_name="Brown")
    client = login(teacher)
    response = client.post(register_url(form, school_day), {"version": "0", f"status-{brown.pk}": "sick"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Brown, Oscar: unknown status \u201csick\u201d" in html
    assert "Item " not in html and "Adams, Zoe:" not in html
    response = client.post(
        register_url(form, school_day),
        {"version": "0", f"status-{brown.pk}": "absent", f"reason-{brown.pk}": "x" * 300},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 400 and "Brown, Oscar: reason must be text of at most 255 characters" in html
    assert "Item " not in html
    assert not AttendanceRecord.objects.exists() and not Register.objects.exists()


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1999-12-31", "not-a-date"])
def test_day_page_with_an_unusable_date_shows_the_error_on_the_day_picker(login, teacher, form, value):
    """Never a server error: the day picker says what is wrong and today's page is shown."""
    client = login(teacher)
    today = timezone.localdate()
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get("/attendance/", {"date": value}, **headers)
        html = response.content.decode()
        assert response.status_code == 400
        assert '<ul class="errorlist" id="id_date_error" role="alert">' in html and "Showing today instead." in html
        assert "Choose a day between" in html or "Enter a valid date." in html
        assert 'aria-invalid="true"' in html
        assert f"{today:%A} {today.day} {today:%B} {today.year}" in html and "Form 2A" in html
    within = today + datetime.timedelta(days=300)
    assert client.get("/attendance/", {"date": within.isoformat()}).status_code == 200


def test_register_of_a_day_outside_the_kept_years_is_404(login, teacher, form, make_students):
    student = make_students(form, 1)[0]
    client = login(teacher)
    far = timezone.localdate() + datetime.timedelta(days=400)
    for day in ("0001-01-01", "1999-12-31", "9999-12-31", far.isoformat()):
        url = f"/attendance/register/{form.pk}/{day}/"
        assert client.get(url).status_code == 404, day
        assert client.post(url, {"version": "0", f"status-{student.pk}": "absent"}).status_code == 404, day
        assert client.post(url, {"version": "0"}, HTTP_HX_REQUEST="true").status_code == 404, day
    assert not Register.objects.exists() and not AttendanceRecord.objects.exists()


def _export(client, **params):
    return client.get("/attendance/export.csv", params)


def test_export_bad_input_reopens_the_day_page_with_the_errors_beside_the_fields(login, teacher, form, school_day):
    """End before start, missing or out-of-range dates: the day page (400), its export form open and
    bound, each error under its field; nothing exported or audited."""
    client = login(teacher)
    response = _export(client, start="2026-01-10", end="2026-01-01", class_group=form.pk)
    html = response.content.decode()
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert "<h1>Registers</h1>" in html and '<details id="attendance-export" open>' in html
    assert '<ul class="errorlist" id="id_end_error"><li>Must not be before the start date.</li></ul>' in html
    assert 'name="end" value="2026-01-01"' in html and 'aria-invalid="true" aria-describedby="id_end_error"' in html
    assert 'name="start" value="2026-01-10"' in html and "id_start_error" not in html
    assert f'<option value="{form.pk}" selected>Form 2A</option>' in html

    html = _export(client).content.decode()
    assert '<ul class="errorlist" id="id_start_error"><li>This field is required.</li></ul>' in html
    assert '<ul class="errorlist" id="id_end_error"><li>This field is required.</li></ul>' in html

    response = _export(client, start="0001-01-01", end="9999-12-31")
    assert response.status_code == 400
    assert response.content.decode().count("Choose a day between 1 Jan 2000 and") == 2
    assert not AuditLog.objects.filter(action="export.attendance").exists()


def test_export_of_an_unknown_or_another_schools_form_is_the_same_inline_error(
    login, teacher, form, other_form, school_day
):
    # a surname no factory draws, so finding it on the page can only mean the other school leaked
    foreigner = StudentFactory(school=other_form.school, class_group=other_form, last_name="Zyxwvutsrq")
    AttendanceRecordFactory(school=other_form.school, student=foreigner, date=school_day, status="absent")
    client = login(teacher)
    day = school_day.isoformat()
    answers = []
    for class_group in (other_form.pk, 987654, "abc", "-3", "99999999999999999999999"):
        response = _export(client, start=day, end=day, class_group=class_group)
        html = response.content.decode()
        assert response.status_code == 400, class_group
        assert '<ul class="errorlist" id="id_class_group_error"><li>No such form.</li></ul>' in html
        assert foreigner.last_name not in html and "South High" not in html
        answers.append(html.split('<details id="attendance-export"')[1].split("</details>")[0])
    assert all(answer == answers[0] for answer in answers)  # a foreign form and a missing one alike
    assert not AuditLog.objects.filter(action="export.attendance").exists()


def test_export_error_page_query_count(login, teacher, school, year, form, school_day):
    client = login(teacher)
    for index in range(5):
        ClassGroupFactory(school=school, academic_year=year, name=f"Form {index}")
    with assert_query_count(11):  # the day page's 10 + the form looked up
        response = _export(client, start="2026-01-10", end="2026-01-01", class_group=form.pk)
    assert response.status_code == 400


def test_home_page_sections(login, teacher, form_master, admin_user, form, form_b, make_students, school_day):
    make_students(form, 3)
    today = timezone.localdate()
    if today.weekday() < 5:
        RegisterFactory(school=form.school, class_group=form_b, date=today, taken_by=teacher)
    html = login(form_master).get("/").content.decode()
    assert "Today's registers" in html
    if today.weekday() < 5:
        assert "Your form:" in html and 'Form 2A</a> <span class="badge badge-yellow">to take' in html
        assert "1 register still to take" in html
    admin_html = login(admin_user).get("/").content.decode()
    assert "School figures" in admin_html and "Today's registers" not in admin_html
    assert '<span class="value figure-students">3</span>' in admin_html
    if today.weekday() < 5:
        assert '<span class="value figure-registers">1/2</span>' in admin_html
    assert '<span class="value figure-week-rate">—</span>' in admin_html  # nothing marked yet
    students = form.students.all()
    eight_days_ago = today - datetime.timedelta(days=8)
    for student, status in zip(students, ["present", "late", "absent"], strict=False):
        AttendanceRecordFactory(school=form.school, student=student, date=school_day, status=status)
        AttendanceRecordFactory(school=form.school, student=student, date=eight_days_ago, status="absent")
    admin_html = login(admin_user).get("/").content.decode()
    assert '<span class="value figure-week-rate">66.7%</span>' in admin_html  # 2 of 3; older days left out


def test_home_page_on_days_without_registers(login, form_master, school, time_machine):
    """A weekend, a holiday or the summer says so and shows where the last school day's registers stand."""
    from students.tests.factories import AcademicYearFactory

    year = AcademicYearFactory(
        school=school, name="2026/27", start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2027, 7, 16)
    )
    form = ClassGroupFactory(school=school, academic_year=year, name="Form 3A", form_master=form_master)
    ClassGroupFactory(school=school, academic_year=year, name="Form 3B")
    RegisterFactory(school=school, class_group=form, date=datetime.date(2027, 7, 16), taken_by=form_master)
    HolidayFactory(school=school, date=datetime.date(2027, 2, 15), name="Mid-term break")

    def home(now):
        time_machine.move_to(datetime.datetime.fromisoformat(f"{now}T10:00:00+00:00"))
        return login(form_master).get("/").content.decode()

    html = home("2027-02-13")  # a Saturday
    assert "Weekend. No registers today." in html
    assert (
        'Last school day, <a href="/attendance/?date=2027-02-12">Fri 12 Feb</a>: 0 of 2 registers taken, 2 missing.'
        in (html)
    )
    assert "to take" not in html
    html = home("2027-02-15")
    assert "Holiday: Mid-term break. No registers today." in html and ">Fri 12 Feb</a>" in html
    html = home("2027-07-21")  # a Wednesday of the summer: not a school day either
    assert "The academic year 2026/27 ended on 16 Jul 2027. No registers today." in html
    assert ">Fri 16 Jul</a>: 1 of 2 registers taken, 1 missing." in html and "to take" not in html
    html = home("2026-08-28")
    assert "The academic year 2026/27 starts on 1 Sep 2026. No registers today." in html
    assert "Last school day" not in html
    html = home("2026-09-01")
    assert "Your form:" in html and 'Form 3A</a> <span class="badge badge-yellow">to take' in html
