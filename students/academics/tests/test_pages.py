"""Marks entry for a whole form (one save, all or nothing, errors beside each student) and the
subjects pages; roles, schools and query counts."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from core.testing.html import chosen
from core.testing.queries import assert_query_count
from students.academics.models import Assessment, Subject, Topic
from students.academics.tests.factories import SubjectFactory, TopicFactory

pytestmark = pytest.mark.django_db
# The profile as a counsellor sees it (students/tests/test_pages.py pins its sections for an admin):
# session, user, the student (with their school, form and year), attendance (records, holidays), the ABC
# panel (risk row, settings, current year, holidays, the forecast's aggregate, holidays to come, alert settings), subjects
# (enrollments, assessments, grade bands, topic progress, topics), behaviour, alerts, the attendance trend
# (records, programs, meetings), the meetings' timeline, the contact log, programs
PROFILE_QUERIES = 25


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def marks_url(form, subject, day, title="Quiz 1", total="20"):
    return f"/marks/?class_group={form.pk}&subject={subject.pk}&assessment_type=quiz&title={title.replace(' ', '+')}&date={day.isoformat()}&total={total}"


def marks_data(values: dict):
    data = {"students": [str(pk) for pk in values]}
    for pk, value in values.items():
        data[f"marks-{pk}"] = value
        data[f"version-{pk}"] = "0"
    return data


def test_the_sheet_saves_the_form_at_once(teacher, form, maths, taught, school_day):
    client = signed_in(teacher)
    url = marks_url(form, maths, school_day)
    body = client.get(url).content.decode()
    assert body.count('class="marks"') == len(taught) and 'class="stack-table marks-table"' in body
    response = client.post(url, marks_data({s.pk: str(10 + i) for i, s in enumerate(taught)}))
    assert response.status_code == 302
    assert sorted(Assessment.objects.values_list("grade", flat=True)) == ["B", "B", "C", "C", "D", "D"]
    # Reopened: the marks and grades are shown, and the form's recent assessments list it.
    body = client.get(url).content.decode()
    assert 'value="15"' in body and "Recent assessments of" in body and ">Quiz 1</a>" in body


def test_a_teacher_of_one_form_and_one_subject_names_the_assessment_only(teacher, form, maths, taught, school_day):
    """The address names the assessment alone: the only form and subject she teaches are chosen, the type
    is a quiz, and the marks sheet is there."""
    body = signed_in(teacher).get(f"/marks/?title=Quiz+1&total=20&date={school_day.isoformat()}").content.decode()
    assert body.count('class="marks"') == len(taught)
    assert (chosen(body, "class_group"), chosen(body, "subject")) == (str(form.pk), str(maths.pk))
    assert chosen(body, "assessment_type") == "quiz"


def test_one_bad_mark_saves_nothing_and_is_shown_beside_its_student(teacher, form, maths, taught, school_day):
    client = signed_in(teacher)
    values = {s.pk: "12" for s in taught}
    values[taught[2].pk] = "25"
    response = client.post(marks_url(form, maths, school_day), marks_data(values), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 400
    assert f'id="marks-error-{taught[2].pk}">At most 20, the total marks.' in body
    assert body.count('aria-invalid="true"') == 1 and body.count('value="12"') == len(taught) - 1
    assert not Assessment.objects.exists()


def test_roles_and_schools(counselor, other_admin, make_user, school, form, maths, taught, school_day):
    assert signed_in(counselor).get("/marks/").status_code == 403
    art = make_user("teacher", school, username="north-art")
    assert "You teach no subject" in signed_in(art).get(marks_url(form, maths, school_day)).content.decode()
    body = signed_in(other_admin).get(marks_url(form, maths, school_day)).content.decode()
    assert "Mathematics" not in body and 'class="marks"' not in body


@pytest.mark.parametrize("size", [4, 30])
def test_the_save_request_takes_constant_queries(teacher, form, maths, make_students, enroll, school_day, size):
    students = make_students(form, size)
    enroll(students, maths, teacher)
    client = signed_in(teacher)
    url = marks_url(form, maths, school_day)
    # session, user, year, forms/subjects/pairs (3), topics, recent, the save (3 + a savepoint pair), the sheet
    with assert_query_count(14):
        response = client.post(url, marks_data({s.pk: "7" for s in students}), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Marks saved." in response.content.decode()
    assert Assessment.objects.filter(marks_obtained=Decimal("7")).count() == size


def test_the_sheet_takes_constant_queries(teacher, form, maths, make_students, enroll, school_day):
    """The marks sheet, as a page and as the fragment htmx swaps in, for a small form and a large one with
    marks and recent assessments."""
    students = make_students(form, 3)
    enroll(students, maths, teacher)
    client = signed_in(teacher)
    url = marks_url(form, maths, school_day)
    # session, user, year, forms/subjects/pairs (3), topics, recent, the sheet
    with assert_query_count(9):
        assert client.get(url).content.decode().count('class="marks"') == 3
    with assert_query_count(9):
        fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and fragment.count('class="marks"') == 3
    more = make_students(form, 27)
    enroll(more, maths, teacher)
    for title in ("Quiz 1", "Quiz 2", "Quiz 3"):
        client.post(
            marks_url(form, maths, school_day, title=title), marks_data({s.pk: "13.5" for s in students + more})
        )
    with assert_query_count(9):
        body = client.get(url).content.decode()
    assert body.count('class="marks"') == 30 and body.count('value="13.5"') == 30 and ">Quiz 3</a>" in body
    with assert_query_count(9):
        fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and fragment.count('value="13.5"') == 30


def test_the_subject_pages_take_constant_queries(admin_user, school, maths, maths_topics):
    client = signed_in(admin_user)
    with assert_query_count(3):  # session, user, the subjects (topic counts annotated)
        assert "Mathematics" in client.get("/subjects/").content.decode()
    with assert_query_count(4):  # session, user, the subject, its topics
        assert client.get(f"/subjects/{maths.pk}/").content.decode().count('<td data-label="Topic">') == 5
    for subject in SubjectFactory.create_batch(20, school=school):
        TopicFactory.create_batch(3, school=school, subject=subject)
    TopicFactory.create_batch(25, school=school, subject=maths)
    with assert_query_count(3):
        body = client.get("/subjects/").content.decode()
    assert len(set(re.findall(r'<a href="/subjects/\d+/">', body))) == 21
    with assert_query_count(4):
        body = client.get(f"/subjects/{maths.pk}/").content.decode()
    assert body.count('<td data-label="Topic">') == 30


def test_admins_manage_subjects_and_topics(admin_user, teacher):
    client = signed_in(admin_user)
    response = client.post("/subjects/", {"name": "Chemistry", "code": "chem", "status": "active"})
    subject = Subject.objects.get(code="CHEM")
    assert response.status_code == 302 and response["Location"] == f"/subjects/{subject.pk}/"
    assert client.post("/subjects/", {"name": "Chem 2", "code": "CHEM", "status": "active"}).status_code == 400
    client.post(
        f"/subjects/{subject.pk}/", {"action": "topic", "topic-name": "Atoms", "topic-difficulty_level": "easy"}
    )
    client.post(
        f"/subjects/{subject.pk}/", {"action": "topic", "topic-name": "Bonds", "topic-difficulty_level": "hard"}
    )
    assert list(Topic.objects.values_list("name", "order_index")) == [("Atoms", 1), ("Bonds", 2)]
    client.post(
        f"/subjects/{subject.pk}/",
        {"action": "subject", "subject-name": "Chemistry", "subject-code": "CHEM", "subject-status": "inactive"},
    )
    assert Subject.objects.get(pk=subject.pk).status == "inactive"
    assert "Atoms" in client.get(f"/subjects/{subject.pk}/").content.decode()
    assert signed_in(teacher).get("/subjects/").status_code == 403


def test_another_schools_subject_is_not_found(other_admin, maths):
    assert signed_in(other_admin).get(f"/subjects/{maths.pk}/").status_code == 404


def test_the_profile_shows_each_subject_with_its_mean_and_topic_progress(
    teacher,
    counselor,
    form,
    maths,
    english,
    maths_topics,
    taught,
    enroll,
    school_day,
    django_capture_on_commit_callbacks,
):
    from students.academics import services

    enroll(taught, english, None)
    student = taught[0]
    with django_capture_on_commit_callbacks(execute=True):
        for title, mark in (("Q1", "16"), ("Q2", "12")):
            services.assessment_bulk_save(
                actor=teacher,
                class_group_id=form.pk,
                subject_id=maths.pk,
                topic_id=maths_topics[0].pk,
                title=title,
                assessment_type="quiz",
                total_marks="20",
                assessment_date=school_day,
                marks=[{"student": student.pk, "marks_obtained": mark}],
            )
    client = signed_in(counselor)
    client.get(f"/students/{student.pk}/")  # the first request registers the page sections
    with assert_query_count(PROFILE_QUERIES) as captured:
        body = client.get(f"/students/{student.pk}/").content.decode()
    assert 'id="student-subjects"' in body
    assert '<span class="subject-mean">70.0 %</span> · <strong class="grade">B</strong>' in body
    assert "2 graded</small>" in body
    assert "Completed · 4/5" in body  # Fractions: quizzes at 80 % and 60 % → levels 4 and 3 → 4 (half up)
    assert "English" in body and "no graded work" in body
    subject_queries = [q for q in captured.captured_queries if "students_assessment" in q["sql"]]
    assert len(subject_queries) == 1
