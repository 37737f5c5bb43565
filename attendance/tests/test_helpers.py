"""Helpers of the register pages: day arithmetic at the ends of the calendar, messages for teachers."""

import datetime

import pytest

from attendance import selectors, services
from attendance.views import _name_students

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "day", [datetime.date.min, datetime.date.max, datetime.date(1, 1, 3), datetime.date(9999, 12, 29)]
)
def test_holidays_near_and_adjacent_days_do_not_overflow(school, day):
    holidays = selectors.holidays_near(school_id=school.pk, day=day)
    assert holidays == {}
    previous_day, next_day = selectors.adjacent_school_days(day=day, today=datetime.date.max, holidays=holidays)
    assert previous_day <= day and (next_day is None or next_day >= day)


def test_shifted_holds_at_the_ends():
    assert selectors.shifted(datetime.date(2026, 1, 1), 21) == datetime.date(2026, 1, 22)
    assert selectors.shifted(datetime.date.max, 1) == datetime.date.max
    assert selectors.shifted(datetime.date.min, -21) == datetime.date.min


def test_save_problems_are_put_in_the_students_names():
    """The service says each problem of the records by student id; the page puts the student's name
    in place of "Item 2" or "Student 7"; a problem that names no student is left as it is."""
    names = {7: "Adams, Zoe", 9: "Brown, Oscar"}
    problems = services._Problems()
    problems.add(
        "Item 2: unknown status 'sick' (present, absent, late or excused).",
        about="unknown status \u201csick\u201d (present, absent, late or excused).",
        student=9,
    )
    problems.add("Student 7 is not in Form 2A.", about="not in Form 2A.", student=7)
    problems.add("Item 5: must be an object with student, status and reason.", about="")
    with pytest.raises(services.RecordsError) as caught:
        problems.raise_any()
    assert (
        caught.value.field_errors["records"][0] == "Item 2: unknown status 'sick' (present, absent, late or excused)."
    )
    assert _name_students(caught.value, names) == [
        "Brown, Oscar: unknown status \u201csick\u201d (present, absent, late or excused).",
        "Adams, Zoe: not in Form 2A.",
        "Item 5: must be an object with student, status and reason.",
    ]


def test_the_service_keys_record_problems_by_student():
    with pytest.raises(services.RecordsError) as caught:
        services._clean_records(
            [{"student": 7, "status": "present"}, {"student": 9, "status": "sick"}, {"student": 7, "status": "late"}]
        )
    assert caught.value.student_errors == {
        9: ["unknown status \u201csick\u201d (present, absent, late or excused)."],
        7: ["appears more than once."],
    }
    assert caught.value.field_errors == {
        "records": [
            "Item 2: unknown status 'sick' (present, absent, late or excused).",
            "Item 3: student 7 appears more than once.",
        ]
    }
