"""Helpers of the register pages: day arithmetic at the ends of the calendar, messages for teachers."""

import datetime

import pytest

from attendance import selectors
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
    names = {7: "Adams, Zoe", 9: "Brown, Oscar"}
    messages = [
        "Item 2: unknown status 'sick' (present, absent, late or excused).",
        "Student 7 is not in Form 2A.",
        "Item 5: must be an object with student, status and reason.",  # no such row: left as it is
        "That day is a weekend, not a school day.",
    ]
    assert _name_students(messages, names, order=[7, 9]) == [
        "Brown, Oscar: unknown status \u201csick\u201d (present, absent, late or excused).",
        "Adams, Zoe is not in Form 2A.",
        "Item 5: must be an object with student, status and reason.",
        "That day is a weekend, not a school day.",
    ]
