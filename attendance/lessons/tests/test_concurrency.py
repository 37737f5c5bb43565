"""Two people saving the same lesson, or the same form's marks, at the same moment (MariaDB only: real
concurrent connections)."""

import pytest

from attendance.lessons.models import Lesson, LessonAttendance
from interventions.tests.meetings_helpers import client_of, race
from students.academics.models import Assessment

pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db(transaction=True)]


def test_two_first_saves_of_one_lesson_one_wins_the_other_is_told(
    teacher, form_master, form, maths, taught, school_day
):
    body = {
        "class_group": form.pk,
        "subject": maths.pk,
        "date": school_day.isoformat(),
        "start_time": "09:20",
        "version": 0,
    }
    responses = race(
        [
            lambda user=user: client_of(user).post("/api/lessons/", body, format="json")
            for user in (teacher, form_master)
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 409], [r.content for r in responses]
    assert Lesson.objects.count() == 1 and LessonAttendance.objects.count() == len(taught)


def test_two_marks_saves_of_one_form_are_applied_one_after_the_other(
    teacher, form_master, form, maths, taught, school_day
):
    def body(mark):
        return {
            "class_group": form.pk,
            "subject": maths.pk,
            "title": "Quiz",
            "assessment_type": "quiz",
            "total_marks": "20",
            "assessment_date": school_day.isoformat(),
            "marks": [{"student": s.pk, "marks_obtained": mark} for s in taught],
        }

    responses = race(
        [
            lambda user=user, mark=mark: client_of(user).post("/api/assessments/bulk/", body(mark), format="json")
            for user, mark in ((teacher, 10), (form_master, 15))
        ]
    )
    assert sorted(r.status_code for r in responses) == [200, 200], [r.content for r in responses]
    # One save created the rows, the other (after waiting for the first) updated them: one row each.
    assert Assessment.objects.count() == len(taught)
    assert len(set(Assessment.objects.values_list("marks_obtained", flat=True))) == 1
    assert set(Assessment.objects.values_list("version", flat=True)) == {2}
