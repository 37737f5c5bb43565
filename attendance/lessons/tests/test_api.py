"""POST/GET /api/lessons/: one request for a lesson, idempotent; roles, schools and query counts."""

import datetime

import pytest
from rest_framework.test import APIClient

from attendance.lessons import services
from attendance.lessons.models import Lesson, LessonAttendance
from core.testing.queries import assert_query_count
from students.tests.fixtures import previous_weekday

pytestmark = pytest.mark.django_db
URL = "/api/lessons/"


def payload(form, subject, day, **extra):
    return {"class_group": form.pk, "subject": subject.pk, "date": day.isoformat(), "start_time": "09:20", **extra}


def test_a_lesson_with_topics_and_attendance_in_one_request(
    client_for, teacher, form, maths, maths_topics, taught, school_day
):
    client = client_for(teacher)
    body = payload(
        form,
        maths,
        school_day,
        topics_covered=[maths_topics[0].pk],
        attendance=[{"student": taught[0].pk, "status": "absent"}, {"student": taught[1].pk, "understanding": 4}],
    )
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["topics_covered"] == [maths_topics[0].pk] and data["version"] == 1 and data["teacher"] == teacher.pk
    by_student = {row["student"]: row for row in data["attendance"]}
    assert len(by_student) == len(taught)
    assert by_student[taught[0].pk]["status"] == "absent"
    assert by_student[taught[1].pk] == {"student": taught[1].pk, "status": "present", "understanding": 4, "notes": ""}

    again = client.post(URL, body, format="json")
    assert again.status_code == 200 and again.json()["id"] == data["id"] and again.json()["version"] == 2
    assert Lesson.objects.count() == 1 and LessonAttendance.objects.count() == len(taught)
    stale = client.post(URL, {**body, "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 2


def test_bad_input_is_a_400_never_a_500(client_for, teacher, form, maths, taught, school_day):
    client = client_for(teacher)
    cases = [
        payload(form, maths, school_day, attendance=[{"student": taught[0].pk, "status": "sleeping"}]),
        payload(form, maths, school_day, attendance=[{"student": taught[0].pk, "understanding": 7}]),
        payload(form, maths, school_day, topics_covered=[987654]),
        {**payload(form, maths, school_day), "start_time": "25:00"},
        {**payload(form, maths, school_day), "date": "2026-02-30"},
        payload(form, maths, school_day, attendance=[{"student": 2**70}]),
    ]
    for body in cases:
        response = client.post(URL, body, format="json")
        assert response.status_code == 400, (body, response.content)
    assert not Lesson.objects.exists()


def test_roles_and_schools(
    client_for, teacher, counselor, other_admin, make_user, school, form, maths, taught, school_day
):
    assert client_for(counselor).post(URL, payload(form, maths, school_day), format="json").status_code == 403
    art = make_user("teacher", school, username="north-art")
    assert client_for(art).post(URL, payload(form, maths, school_day), format="json").status_code == 403
    assert client_for(other_admin).post(URL, payload(form, maths, school_day), format="json").status_code == 404
    assert client_for(teacher).post(URL, payload(form, maths, school_day), format="json").status_code == 201
    # Everyone on staff reads; another school sees none of it.
    assert client_for(counselor).get(URL).json()["count"] == 1
    assert client_for(other_admin).get(URL).json()["count"] == 0
    assert APIClient().get(URL).status_code == 401


def test_the_list_takes_constant_queries(client_for, admin_user, form, maths, maths_topics, make_students, school_day):
    make_students(form, 8)
    day = school_day
    for _ in range(4):
        services.lesson_save(
            actor=admin_user,
            class_group_id=form.pk,
            subject_id=maths.pk,
            date=day,
            start_time=datetime.time(9),
            topic_ids=[maths_topics[0].pk],
        )
        day = previous_weekday(day)
    client = client_for(admin_user)
    with assert_query_count(4):  # count, page, topics, attendance
        response = client.get(URL, {"class_group": form.pk})
    assert response.json()["count"] == 4
    make_students(form, 12)
    for n in range(12):
        services.lesson_save(
            actor=admin_user,
            class_group_id=form.pk,
            subject_id=maths.pk,
            date=day,
            start_time=datetime.time(8 + n // 3, 15 * (n % 3)),
            topic_ids=[topic.pk for topic in maths_topics[: 1 + n % 4]],
        )
        day = previous_weekday(day) if n % 3 == 2 else day
    with assert_query_count(4):
        response = client.get(URL, {"class_group": form.pk})
    assert response.json()["count"] == 16
