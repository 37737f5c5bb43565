"""The lesson page: the picker, the sheet, one save; roles and schools; constant queries."""

import datetime

import pytest
from django.test import Client

from attendance.lessons.models import Lesson, LessonAttendance
from attendance.models import Holiday
from core.testing.html import chosen
from core.testing.queries import assert_query_count
from students.tests.factories import ClassGroupFactory

pytestmark = pytest.mark.django_db
URL = "/lessons/"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def query(form, subject, day, start="09:20"):
    return f"{URL}?class_group={form.pk}&subject={subject.pk}&date={day.isoformat()}&start={start}"


def post_data(students, absent=(), topics=(), understanding=None, version=0):
    data = {"version": str(version), "students": [str(s.pk) for s in students], "topics": [str(t) for t in topics]}
    for student in students:
        data[f"status-{student.pk}"] = "absent" if student in absent else "present"
        if understanding and student.pk in understanding:
            data[f"understanding-{student.pk}"] = str(understanding[student.pk])
    return data


def test_the_sheet_shows_everyone_present_and_suggests_the_next_topics(
    teacher, form, maths, maths_topics, taught, school_day
):
    response = signed_in(teacher).get(query(form, maths, school_day))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('value="present" checked') == len(taught)
    # Nothing taught yet: the first two topics by order_index are suggested and ticked.
    assert body.count('<small class="badge">next</small>') == 2
    assert f'value="{maths_topics[0].pk}" checked' in body and f'value="{maths_topics[2].pk}" checked' not in body
    assert 'class="stack-table lesson-table"' in body and 'data-label="Attendance"' in body


def test_a_teacher_of_one_form_and_one_subject_gets_the_sheet_without_choosing(
    teacher, form, maths, english, enroll, taught, school_day
):
    """Nothing in the address: the day is today (on a weekend the Friday before), the period the first,
    and the only form and subject she teaches are chosen for her."""
    body = signed_in(teacher).get(URL).content.decode()
    assert body.count('value="present" checked') == len(taught)
    assert (chosen(body, "class_group"), chosen(body, "subject")) == (str(form.pk), str(maths.pk))
    assert f'value="{school_day.isoformat()}"' in body and chosen(body, "start") == "08:30"
    # A second subject to the same form: she must choose the subject; the form is still chosen.
    enroll(taught[:1], english, teacher)
    body = signed_in(teacher).get(URL).content.decode()
    assert 'value="present" checked' not in body
    assert (chosen(body, "class_group"), chosen(body, "subject")) == (str(form.pk), "")  # "Choose a subject"
    assert "This field is required" not in body and 'role="alert"' not in body  # not chosen yet: no error
    # A subject named by hand that she does not teach there is an error beside the picker.
    body = signed_in(teacher).get(f"{URL}?class_group={form.pk}&subject=999999").content.decode()
    assert "Subject: Select a valid choice." in body


def test_a_day_no_lesson_can_be_taken_on_is_said_above_the_sheet_without_a_save_button(
    teacher, form, maths, taught, school_day
):
    saturday = school_day - datetime.timedelta(days=(school_day.weekday() + 2) % 7)
    body = signed_in(teacher).get(query(form, maths, saturday)).content.decode()
    assert '<p class="banner-warning">That day is a weekend, not a school day.</p>' in body
    assert "Save lesson" not in body
    assert "Save lesson" in signed_in(teacher).get(query(form, maths, school_day)).content.decode()
    Holiday.objects.create(school=form.school, date=school_day, name="Founders' Day")
    body = signed_in(teacher).get(query(form, maths, school_day)).content.decode()
    assert "That day is a holiday (Founders&#x27; Day), not a school day." in body and "Save lesson" not in body


def test_one_save_writes_the_lesson_and_the_next_topics_move_on(teacher, form, maths, maths_topics, taught, school_day):
    client = signed_in(teacher)
    data = post_data(
        taught, absent=[taught[0]], topics=[maths_topics[0].pk, maths_topics[1].pk], understanding={taught[1].pk: 4}
    )
    response = client.post(query(form, maths, school_day), data)
    assert response.status_code == 302
    lesson = Lesson.objects.get()
    assert LessonAttendance.objects.get(lesson=lesson, student=taught[0]).status == "absent"
    assert LessonAttendance.objects.get(lesson=lesson, student=taught[1]).understanding == 4
    # Another period: the suggestion is the topics after the furthest one taught.
    body = client.get(query(form, maths, school_day, start="11:20")).content.decode()
    assert f'value="{maths_topics[2].pk}" checked' in body and f'value="{maths_topics[3].pk}" checked' in body


def test_a_stale_save_is_a_conflict_message(teacher, form, maths, taught, school_day):
    client = signed_in(teacher)
    client.post(query(form, maths, school_day), post_data(taught))
    response = client.post(query(form, maths, school_day), post_data(taught, version=0), HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and "saved by someone else" in response.content.decode()


def test_roles_and_schools(counselor, other_admin, make_user, school, form, maths, taught, school_day):
    assert signed_in(counselor).get(URL).status_code == 403
    art = make_user("teacher", school, username="north-art")
    body = signed_in(art).get(query(form, maths, school_day)).content.decode()
    assert "You teach no subject" in body
    response = signed_in(other_admin).get(query(form, maths, school_day))
    assert response.status_code == 200 and "Mathematics" not in response.content.decode()
    assert Client().get(URL).status_code == 302


def test_the_picker_takes_the_same_queries_for_few_and_many_forms_and_subjects(
    teacher, form, form_b, maths, english, enroll, make_students, taught, school, school_day
):
    """Nothing chosen (she teaches two subjects): the picker alone, whatever she teaches."""
    enroll(taught[:1], english, teacher)
    client = signed_in(teacher)
    # session, user, year, forms, subjects, the pairs she teaches, her recent lessons
    with assert_query_count(7):
        body = client.get(URL).content.decode()
    assert "Save lesson" not in body and chosen(body, "subject") == ""
    from students.academics.tests.factories import SubjectFactory

    others = make_students(form_b, 12)
    for n in range(8):
        enroll(others, SubjectFactory(school=school, name=f"Subject {n}", code=f"S{n}"), teacher)
    enroll(others, maths, teacher)
    from attendance.lessons import services
    from students.tests.fixtures import previous_weekday

    day = school_day
    for n in range(12):  # more than the ten recent lessons listed
        services.lesson_save(
            actor=teacher,
            class_group_id=(form, form_b)[n % 2].pk,
            subject_id=maths.pk,
            date=day,
            start_time=datetime.time(8 + n // 2, 30),
        )
        day = previous_weekday(day) if n % 4 == 3 else day
    with assert_query_count(7):
        body = client.get(URL).content.decode()
    assert "Save lesson" not in body and body.count("Subject 7") >= 1
    assert body.count("Form 2B") >= 5


def test_the_sheet_takes_the_same_queries_for_few_and_many_students(
    teacher, form, maths, maths_topics, make_students, enroll, taught, school, school_day
):
    """The sheet of a form: its students, the topics with those covered before and the next suggested."""
    client = signed_in(teacher)
    # session, user, year, forms, subjects, the pairs she teaches, the stored lesson, its students with
    # their marks and the day's holiday, the topics, those covered
    with assert_query_count(10):
        body = client.get(query(form, maths, school_day)).content.decode()
    assert body.count('value="present" checked') == len(taught)
    with assert_query_count(10):  # the sheet alone: as the page (its header's school comes with the user)
        body = client.get(query(form, maths, school_day), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body and body.count('value="present" checked') == len(taught)
    enroll(make_students(form, 24), maths, teacher)
    from attendance.lessons import services
    from students.academics.tests.factories import TopicFactory
    from students.tests.fixtures import previous_weekday

    for n in range(10):
        TopicFactory(school=school, subject=maths, name=f"Topic {n}", order_index=10 + n)
    services.lesson_save(
        actor=teacher,
        class_group_id=form.pk,
        subject_id=maths.pk,
        date=previous_weekday(school_day),
        start_time=datetime.time(9, 20),
        topic_ids=[maths_topics[0].pk, maths_topics[1].pk],
    )
    with assert_query_count(10):
        body = client.get(query(form, maths, school_day)).content.decode()
    assert body.count('value="present" checked') == len(taught) + 24
    with assert_query_count(10):
        body = client.get(query(form, maths, school_day), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body and body.count('value="present" checked') == len(taught) + 24
    assert f'value="{maths_topics[2].pk}" checked' in body and "Topic 9" in body


@pytest.mark.parametrize("size", [4, 30])
def test_the_save_request_takes_constant_queries(
    teacher, form, maths, maths_topics, make_students, enroll, school_day, size
):
    students = make_students(form, size)
    enroll(students, maths, teacher)
    client = signed_in(teacher)
    client.post(query(form, maths, school_day), post_data(students, topics=[maths_topics[0].pk]))
    data = post_data(students, absent=students[:2], topics=[maths_topics[1].pk], version=1)
    # session, user, year, the forms/subjects/pairs (3), the save (6 + a savepoint pair), the sheet (4: the
    # lesson, its students with the day's holiday, the topics, those covered)
    with assert_query_count(18):
        response = client.post(query(form, maths, school_day), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Lesson saved." in response.content.decode()


def test_a_holiday_is_said_on_the_sheet_of_a_form_without_students(admin_user, school, year, maths, school_day):
    """The day's holiday is read with the form's students; a form with none reads it on its own."""
    empty = ClassGroupFactory(school=school, academic_year=year, name="Form 9Z")
    Holiday.objects.create(school=school, date=school_day, name="Founders' Day")
    body = signed_in(admin_user).get(query(empty, maths, school_day)).content.decode()
    assert "That day is a holiday (Founders&#x27; Day), not a school day." in body and "Save lesson" not in body
