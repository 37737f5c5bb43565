"""In a phone-sized browser (390×844): a teacher takes a lesson's attendance with its topics, then
enters the marks of an assessment for the whole form; the student's profile shows the result."""

import pytest

from attendance.lessons.models import Lesson, LessonAttendance
from students.academics.models import Assessment, TopicProgress
from students.tests.factories import StudentFactory

PASSWORD = "pass-12345"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_teacher_takes_a_lesson_and_enters_marks_on_a_phone(
    page, live_server, teacher, form, maths, maths_topics, enroll, school_day
):
    students = [
        StudentFactory(school=form.school, class_group=form, first_name=first, last_name=last)
        for first, last in [("Ada", "Lovelace"), ("Alan", "Turing"), ("Grace", "Hopper"), ("Kofi", "Annan")]
    ]
    enroll(students, maths, teacher)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", teacher.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # The lesson: the only form and subject are picked already; choose the day and period.
    page.goto(f"{live_server.url}/lessons/?date={school_day.isoformat()}&start=09:20")
    page.locator("#lesson-form").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    # The first two topics are suggested; the teacher also ticks the third.
    assert page.locator(f"input[name=topics][value='{maths_topics[0].pk}']").is_checked()
    assert page.locator(f"input[name=topics][value='{maths_topics[1].pk}']").is_checked()
    page.locator(f"input[name=topics][value='{maths_topics[2].pk}']").check()
    absent = page.locator(f"tr[data-student='{students[0].pk}']")
    absent.locator("label[title='Absent']").tap()
    assert absent.locator("select.understanding").is_disabled()
    page.locator(f"tr[data-student='{students[1].pk}'] select.understanding").select_option("4")
    page.get_by_role("button", name="Save lesson").tap()
    page.locator(".flash-success", has_text="Lesson saved.").wait_for()

    lesson = Lesson.objects.get()
    assert sorted(lesson.topics_covered.values_list("pk", flat=True)) == [t.pk for t in maths_topics[:3]]
    marks = {m.student_id: m for m in LessonAttendance.objects.filter(lesson=lesson)}
    assert marks[students[0].pk].status == "absent"
    assert (marks[students[1].pk].status, marks[students[1].pk].understanding) == ("present", 4)
    assert {marks[s.pk].status for s in students[2:]} == {"present"}

    # The marks of a quiz for the whole form: one bad mark first (nothing saved), then corrected.
    page.goto(f"{live_server.url}/marks/")
    page.fill("#id_title", "Fractions quiz")
    page.fill("#id_date", school_day.isoformat())
    page.fill("#id_total", "20")
    page.select_option("#id_topic", str(maths_topics[0].pk))
    page.get_by_role("button", name="Open marks sheet").tap()
    page.locator("#marks-form").wait_for()
    for student, value in zip(students, ["18", "25", "12", "9"], strict=True):
        page.fill(f"input[name='marks-{student.pk}']", value)
    page.get_by_role("button", name="Save marks").tap()
    page.locator(f"#marks-error-{students[1].pk}").wait_for()
    assert "At most 20" in page.locator(f"#marks-error-{students[1].pk}").inner_text()
    assert not Assessment.objects.exists()
    page.fill(f"input[name='marks-{students[1].pk}']", "15")
    page.get_by_role("button", name="Save marks").tap()
    page.locator(".flash-success", has_text="Marks saved.").wait_for()
    assert sorted(Assessment.objects.values_list("grade", flat=True)) == ["A", "B", "C", "F"]

    # The student's profile shows the subject's mean and the topic's progress.
    page.goto(f"{live_server.url}/students/{students[0].pk}/")
    subjects = page.locator("#student-subjects")
    subjects.wait_for()
    assert "90.0 %" in subjects.inner_text() and "Mastered · 5/5" in subjects.inner_text()
    assert TopicProgress.objects.get(student=students[0], topic=maths_topics[0]).status == "mastered"
