"""Fixtures for the academic records and lessons: a subject with its topics, taught to a form."""

import datetime

import pytest

from students.academics.models import SubjectEnrollment
from students.academics.tests.factories import SubjectFactory, TopicFactory


@pytest.fixture
def maths(school):
    return SubjectFactory(school=school, name="Mathematics", code="MATH")


@pytest.fixture
def english(school):
    return SubjectFactory(school=school, name="English", code="ENG")


@pytest.fixture
def maths_topics(maths):
    names = ["Fractions", "Decimals", "Percentages", "Ratio", "Algebra"]
    return [
        TopicFactory(school=maths.school, subject=maths, name=name, order_index=i + 1) for i, name in enumerate(names)
    ]


@pytest.fixture
def other_subject(other_school):
    return SubjectFactory(school=other_school, name="Mathematics", code="MATH")


@pytest.fixture
def enroll():
    """`enroll(students, subject, teacher)`: each student takes the subject with that teacher."""

    def make(students, subject, teacher=None):
        return [
            SubjectEnrollment.objects.create(
                school=subject.school,
                student=student,
                subject=subject,
                teacher=teacher,
                enrollment_date=datetime.date(2026, 9, 1),
            )
            for student in students
        ]

    return make


@pytest.fixture
def pupils(form, make_students):
    return make_students(form, 6)


@pytest.fixture
def taught(pupils, maths, teacher, enroll):
    """The form's students take maths with `teacher`."""
    enroll(pupils, maths, teacher)
    return pupils
