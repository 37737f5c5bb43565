"""POST /api/attendance/bulk/ and GET /api/attendance/: roles, schools, bad input, query counts."""

import datetime

import pytest
from django.utils import timezone

from attendance.models import AttendanceRecord, Register
from attendance.tests.factories import AttendanceRecordFactory, HolidayFactory
from core.models import AuditLog
from core.testing.queries import assert_query_count
from students.tests.fixtures import previous_weekday

pytestmark = pytest.mark.django_db
BULK = "/api/attendance/bulk/"


def _payload(form, day, records, **extra):
    return {"class_group": form.pk, "date": day.isoformat(), "records": records, **extra}


@pytest.mark.parametrize("role_fixture", ["teacher", "form_master", "other_form_master", "admin_user"])
def test_register_takers_save_a_day(request, client_for, form, make_students, school_day, role_fixture):
    user = request.getfixturevalue(role_fixture)
    students = make_students(form, 3)
    response = client_for(user).post(
        BULK,
        _payload(form, school_day, [{"student": students[0].pk, "status": "absent", "reason": "Flu"}], version=0),
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"], body["version"], body["taken_by"]) == (
        3,
        0,
        0,
        1,
        user.pk,
    )
    assert AttendanceRecord.objects.get(student=students[0]).status == "absent"
    assert AttendanceRecord.objects.filter(date=school_day, status="present").count() == 2
    assert AuditLog.objects.filter(actor=user, entity_type="attendance.attendancerecord").count() == 3

    again = client_for(user).post(
        BULK,
        _payload(form, school_day, [{"student": students[0].pk, "status": "absent", "reason": "Flu"}]),
        format="json",
    )
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 3)
    assert AttendanceRecord.objects.count() == 3


def test_counselor_may_not_take_registers(client_for, counselor, form, make_students, school_day):
    make_students(form, 1)
    response = client_for(counselor).post(BULK, _payload(form, school_day, []), format="json")
    assert response.status_code == 403
    assert not Register.objects.exists()


def test_unauthenticated_is_401(api_client, form, school_day):
    assert api_client.post(BULK, _payload(form, school_day, []), format="json").status_code == 401
    assert api_client.get("/api/attendance/").status_code == 401


def test_another_schools_form_is_404(client_for, other_admin, make_user, other_school, form, make_students, school_day):
    make_students(form, 1)
    for user in (other_admin, make_user("teacher", other_school, username="south-teacher")):
        response = client_for(user).post(BULK, _payload(form, school_day, []), format="json")
        assert response.status_code == 404
    assert not Register.objects.exists()


def test_bad_input_is_400_and_writes_nothing(client_for, teacher, form, form_b, other_form, make_students, school_day):
    student = make_students(form, 2)[0]
    stranger = make_students(form_b, 1)[0]
    foreigner = make_students(other_form, 1)[0]
    HolidayFactory(school=form.school, date=previous_weekday(school_day), name="Strike day")
    today = timezone.localdate()
    saturday = today - datetime.timedelta(days=(today.weekday() - 5) % 7)
    client = client_for(teacher)
    cases = [
        (_payload(form, today + datetime.timedelta(days=1), []), "date", "future"),
        (_payload(form, saturday, []), "date", "weekend"),
        (_payload(form, previous_weekday(school_day), []), "date", "holiday"),
        (_payload(form, school_day, [{"student": stranger.pk, "status": "absent"}]), "records", "not in Form 2A"),
        (_payload(form, school_day, [{"student": foreigner.pk, "status": "absent"}]), "records", "not in Form 2A"),
        (_payload(form, school_day, [{"student": student.pk, "status": "sick"}]), "records", "not a valid choice"),
        (
            _payload(
                form,
                school_day,
                [{"student": student.pk, "status": "absent"}, {"student": student.pk, "status": "late"}],
            ),
            "records",
            "more than once",
        ),
        ({"class_group": form.pk, "date": "2026-13-45", "records": []}, "date", "wrong format"),
        ({"class_group": "x", "date": school_day.isoformat(), "records": "all"}, "class_group", "valid integer"),
    ]
    for payload, field, message in cases:
        response = client.post(BULK, payload, format="json")
        assert response.status_code == 400, (payload, response.content)
        assert message in str(response.json()[field]), (payload, response.json())
    assert not Register.objects.exists() and not AttendanceRecord.objects.exists()


def test_stale_version_is_409(client_for, teacher, form_master, form, make_students, school_day):
    students = make_students(form, 2)
    client_for(teacher).post(BULK, _payload(form, school_day, [], version=0), format="json")
    response = client_for(form_master).post(
        BULK, _payload(form, school_day, [{"student": students[0].pk, "status": "absent"}], version=0), format="json"
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 1
    assert AttendanceRecord.objects.get(student=students[0]).status == "present"


@pytest.mark.parametrize("size", [10, 40])
def test_bulk_view_query_count_does_not_grow_with_the_form(client_for, teacher, form, make_students, school_day, size):
    students = make_students(form, size)
    client = client_for(teacher)
    records = [{"student": s.pk, "status": "absent", "reason": "Flu"} for s in students]
    # The service's five statements, its savepoint pair and the view's own (none: the user is forced).
    with assert_query_count(7):
        response = client.post(BULK, _payload(form, school_day, records), format="json")
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 40])
def test_the_whole_save_request_with_its_alerts_refresh_does_not_grow_with_the_form(
    client_for,
    teacher,
    form,
    make_students,
    school_day,
    django_capture_on_commit_callbacks,
    size,
):
    students = make_students(form, size)
    client = client_for(teacher)
    records = [{"student": s.pk, "status": "present"} for s in students]
    with django_capture_on_commit_callbacks(execute=True):  # the first register; the school's alert settings
        client.post(BULK, _payload(form, school_day, records), format="json")
    records[0] = {"student": students[0].pk, "status": "absent", "reason": "Flu"}
    # The save (7, as above), then the refresh of the form's alerts after the commit: the school, its
    # settings, the calendar (2), the six rules (the behaviour letters' reads its risk settings too),
    # the open alerts, the students, and a savepoint pair. Each alert the refresh raises, changes or
    # resolves adds its own writes; none does here. Then the form's risk refresh: the school, its risk
    # settings, the calendar (2), the students, the attendance, behaviour and two course aggregates, the
    # stored digests, and the changed rows (a savepoint pair, their read, one UPDATE, one audit INSERT).
    with assert_query_count(37), django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(BULK, _payload(form, school_day, records, version=1), format="json")
    assert response.status_code == 200 and len(callbacks) == 1


# The list ------------------------------------------------------------------------------------------


def test_list_filters_and_stays_in_school(
    client_for, counselor, school, form, form_b, other_form, make_students, school_day
):
    a, b = make_students(form, 2)
    c = make_students(form_b, 1)[0]
    foreigner = make_students(other_form, 1)[0]
    yesterday = previous_weekday(school_day)
    AttendanceRecordFactory(school=school, student=a, date=school_day, status="absent", reason="Flu")
    AttendanceRecordFactory(school=school, student=b, date=school_day, status="present")
    AttendanceRecordFactory(school=school, student=c, date=yesterday, status="late")
    AttendanceRecordFactory(school=other_form.school, student=foreigner, date=school_day, status="absent")
    client = client_for(counselor)
    body = client.get("/api/attendance/").json()
    assert body["count"] == 3
    assert set(body["results"][0]) == {"id", "student", "date", "status", "reason", "marked_by", "marked_at"}
    assert [r["student"] for r in client.get("/api/attendance/", {"status": "absent"}).json()["results"]] == [a.pk]
    assert client.get("/api/attendance/", {"date": yesterday.isoformat()}).json()["count"] == 1
    assert client.get("/api/attendance/", {"class_group": form.pk}).json()["count"] == 2
    assert client.get("/api/attendance/", {"student": c.pk}).json()["results"][0]["status"] == "late"
    assert client.get("/api/attendance/", {"from": school_day.isoformat()}).json()["count"] == 2
    assert client.get("/api/attendance/", {"student": foreigner.pk}).json()["count"] == 0
    assert client.get("/api/attendance/", {"status": "sick"}).status_code == 400
    assert client.get("/api/attendance/", {"date": "yesterday"}).status_code == 400


@pytest.mark.parametrize("count", [10, 300])
def test_list_query_count_is_constant(client_for, teacher, school, form, make_students, school_day, count):
    students = make_students(form, count)
    AttendanceRecord.objects.bulk_create(
        [
            AttendanceRecord(school=school, student=s, date=school_day, status="present", marked_at=timezone.now())
            for s in students
        ]
    )
    client = client_for(teacher)
    with assert_query_count(2):  # count + page
        response = client.get("/api/attendance/", {"page_size": 200})
    assert response.json()["count"] == count


def test_list_of_another_schools_form_or_student_is_empty(client_for, teacher, other_form, make_students, school_day):
    foreigner = make_students(other_form, 1)[0]
    AttendanceRecordFactory(school=other_form.school, student=foreigner, date=school_day, status="absent")
    client = client_for(teacher)
    for params in ({"class_group": other_form.pk}, {"student": foreigner.pk}):
        assert client.get("/api/attendance/", params).json()["count"] == 0
    refused = client.get("/api/attendance/", {"student": -1})
    assert refused.status_code == 400 and "student" in refused.json()


def test_list_refuses_to_before_from(client_for, counselor, school, form, make_students, school_day):
    """Like /api/students/{id}/attendance/: a range that ends before it starts is 400, not an empty list."""
    student = make_students(form, 1)[0]
    AttendanceRecordFactory(school=school, student=student, date=school_day, status="absent")
    client = client_for(counselor)
    day, earlier = school_day.isoformat(), previous_weekday(school_day).isoformat()
    response = client.get("/api/attendance/", {"from": day, "to": earlier})
    assert response.status_code == 400
    assert response.json() == {"to": ["Must not be before from."]}
    assert client.get("/api/attendance/", {"from": day, "to": day}).json()["count"] == 1
    assert client.get("/api/attendance/", {"from": earlier}).json()["count"] == 1
    assert client.get("/api/attendance/", {"to": earlier}).json()["count"] == 0


def test_a_students_attendance_takes_the_same_queries_for_few_and_many_days(
    client_for, counselor, teacher, form_master, school, form, make_students, school_day
):
    student = make_students(form, 1)[0]
    days = [school_day]
    while len(days) < 30:
        days.append(previous_weekday(days[-1]))

    def mark(some_days):
        AttendanceRecord.objects.bulk_create(
            [
                AttendanceRecord(
                    school=school,
                    student=student,
                    date=day,
                    status="absent" if n % 4 == 0 else "present",
                    marked_by=(teacher, form_master)[n % 2],
                    marked_at=timezone.now(),
                )
                for n, day in enumerate(some_days)
            ]
        )

    mark(days[:3])
    client = client_for(counselor)
    url = f"/api/students/{student.pk}/attendance/"
    with assert_query_count(3):  # the student, count, page with who marked each day
        assert client.get(url).json()["count"] == 3
    mark(days[3:])
    with assert_query_count(3):
        body = client.get(url, {"page_size": 50}).json()
    assert body["count"] == 30 and len(body["results"]) == 30
