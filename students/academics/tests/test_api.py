"""Subjects, topics and assessments API: shapes, roles, schools, all-or-nothing marks, query counts."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from core.testing.queries import assert_query_count
from students.academics.models import Assessment, Subject
from students.academics.tests.factories import SubjectFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_admins_add_subjects_and_topics_everyone_on_staff_reads(
    client_for, admin_user, teacher, counselor, other_admin
):
    admin = client_for(admin_user)
    response = admin.post("/api/subjects/", {"name": "Physics", "code": "phy"}, format="json")
    assert response.status_code == 201 and response.json()["code"] == "PHY"
    subject_id = response.json()["id"]
    assert admin.post("/api/subjects/", {"name": "Physics 2", "code": "PHY"}, format="json").status_code == 400
    assert client_for(teacher).post("/api/subjects/", {"name": "Art", "code": "ART"}, format="json").status_code == 403

    topics = f"/api/subjects/{subject_id}/topics/"
    assert admin.post(topics, {"name": "Forces", "difficulty_level": "easy"}, format="json").status_code == 201
    assert admin.post(topics, {"name": "Energy", "order_index": 5}, format="json").status_code == 201
    listed = client_for(counselor).get(topics).json()
    assert [(t["name"], t["order_index"]) for t in listed] == [("Forces", 1), ("Energy", 5)]
    assert client_for(teacher).post(topics, {"name": "Waves"}, format="json").status_code == 403
    assert client_for(counselor).get("/api/subjects/").json()["results"][0]["topic_count"] == 2
    # Another school: nothing listed, the subject is not found.
    assert client_for(other_admin).get("/api/subjects/").json()["count"] == 0
    assert client_for(other_admin).get(topics).status_code == 404
    assert client_for(other_admin).post(topics, {"name": "Sneaky"}, format="json").status_code == 404
    assert APIClient().get("/api/subjects/").status_code == 401


def test_the_subject_list_takes_constant_queries(client_for, teacher, school, maths, maths_topics):
    client = client_for(teacher)
    with assert_query_count(2):  # count, page (topic counts annotated)
        body = client.get("/api/subjects/").json()
    assert body["count"] == 1 and body["results"][0]["topic_count"] == 5
    for subject in SubjectFactory.create_batch(20, school=school):
        TopicFactory.create_batch(3, school=school, subject=subject)
    with assert_query_count(2):
        body = client.get("/api/subjects/", {"page_size": 50}).json()
    assert body["count"] == 21 and sorted(row["topic_count"] for row in body["results"]) == [3] * 20 + [5]


def test_a_subjects_topics_take_constant_queries(client_for, teacher, school, maths, maths_topics):
    client = client_for(teacher)
    url = f"/api/subjects/{maths.pk}/topics/"
    with assert_query_count(2):  # the subject, its topics
        assert len(client.get(url).json()) == 5
    TopicFactory.create_batch(25, school=school, subject=maths)
    with assert_query_count(2):
        assert len(client.get(url).json()) == 30


def bulk_body(form, subject, day, marks, **extra):
    return {
        "class_group": form.pk,
        "subject": subject.pk,
        "title": "Unit test 1",
        "assessment_type": "exam",
        "total_marks": "50",
        "assessment_date": day.isoformat(),
        "marks": marks,
        **extra,
    }


def test_bulk_marks_all_or_nothing_with_errors_per_student(client_for, teacher, form, maths, taught, school_day):
    client = client_for(teacher)
    marks = [{"student": s.pk, "marks_obtained": m} for s, m in zip(taught, [45, "38.5", 30, 51, "x"], strict=False)]
    response = client.post("/api/assessments/bulk/", bulk_body(form, maths, school_day, marks), format="json")
    assert response.status_code == 400
    assert set(response.json()["marks"]) == {str(taught[3].pk), str(taught[4].pk)}
    assert not Assessment.objects.exists()

    marks[3]["marks_obtained"], marks[4]["marks_obtained"] = 20, None
    response = client.post("/api/assessments/bulk/", bulk_body(form, maths, school_day, marks), format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["created"], data["updated"]) == (len(taught), 0)
    grades = {row["student"]: (row["percentage"], row["grade"], row["status"]) for row in data["assessments"]}
    assert grades[taught[0].pk] == ("90.00", "A", "graded")
    assert grades[taught[1].pk] == ("77.00", "B", "graded")
    assert grades[taught[3].pk] == ("40.00", "F", "graded")
    assert grades[taught[4].pk] == (None, "", "pending")


def test_single_assessment_and_the_list(
    client_for, teacher, counselor, other_admin, taught, maths, maths_topics, school_day
):
    client = client_for(teacher)
    body = {
        "student": taught[0].pk,
        "subject": maths.pk,
        "topic": maths_topics[0].pk,
        "assessment_type": "quiz",
        "title": "Fractions",
        "total_marks": "10",
        "marks_obtained": "6",
        "assessment_date": school_day.isoformat(),
    }
    response = client.post("/api/assessments/", body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["percentage"], response.json()["grade"]) == ("60.00", "C")
    assert (
        client.post("/api/assessments/", {**body, "marks_obtained": "11", "title": "Other"}, format="json").status_code
        == 400
    )
    listed = client_for(counselor).get("/api/assessments/", {"student": taught[0].pk}).json()
    assert listed["count"] == 1 and listed["results"][0]["topic"] == maths_topics[0].pk
    assert client_for(other_admin).get("/api/assessments/").json()["count"] == 0
    assert client_for(counselor).post("/api/assessments/", body, format="json").status_code == 403


@pytest.mark.parametrize("size", [3, 30])
def test_the_bulk_marks_take_constant_queries(
    client_for, teacher, form, maths, make_students, enroll, school_day, size
):
    students = make_students(form, size)
    enroll(students, maths, teacher)
    client = client_for(teacher)
    marks = [{"student": s.pk, "marks_obtained": 40} for s in students]
    # savepoint, the students with their rows and the form-level figures, the upsert, the audit rows, release
    with assert_query_count(5):
        response = client.post("/api/assessments/bulk/", bulk_body(form, maths, school_day, marks), format="json")
    assert response.status_code == 200 and response.json()["created"] == size
    marks = [{"student": s.pk, "marks_obtained": 45} for s in students]
    with assert_query_count(5):
        response = client.post("/api/assessments/bulk/", bulk_body(form, maths, school_day, marks), format="json")
    assert response.status_code == 200 and response.json()["updated"] == size


def test_bulk_roles_and_schools(client_for, counselor, other_admin, make_user, school, form, maths, taught, school_day):
    body = bulk_body(form, maths, school_day, [])
    assert client_for(counselor).post("/api/assessments/bulk/", body, format="json").status_code == 403
    art = make_user("teacher", school, username="north-art")
    assert client_for(art).post("/api/assessments/bulk/", body, format="json").status_code == 403
    assert client_for(other_admin).post("/api/assessments/bulk/", body, format="json").status_code == 404


def test_the_assessment_list_takes_constant_queries(client_for, admin_user, form, maths, taught, school_day):
    from students.academics import services

    for title in ("A", "B", "C"):
        services.assessment_bulk_save(
            actor=admin_user,
            class_group_id=form.pk,
            subject_id=maths.pk,
            title=title,
            assessment_type="quiz",
            total_marks=Decimal("10"),
            assessment_date=school_day,
            marks=[{"student": s.pk, "marks_obtained": 5} for s in taught],
        )
    with assert_query_count(2):  # count, page
        response = client_for(admin_user).get("/api/assessments/", {"page_size": 50})
    assert response.json()["count"] == 3 * len(taught)
    assert Subject.objects.count() == 1
