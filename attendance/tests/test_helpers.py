"""Helpers of the register pages."""

from attendance.views import _name_students


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
