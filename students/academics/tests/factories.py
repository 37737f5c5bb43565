import datetime
from decimal import Decimal

import factory

from core.tests.factories import SchoolFactory
from students.academics.models import Assessment, Subject, SubjectEnrollment, Topic, TopicProgress
from students.tests.factories import StudentFactory


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Subject {n}")
    code = factory.Sequence(lambda n: f"SUB{n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    school = factory.SubFactory(SchoolFactory)
    subject = factory.SubFactory(SubjectFactory, school=factory.SelfAttribute("..school"))
    name = factory.Sequence(lambda n: f"Topic {n}")
    order_index = factory.Sequence(lambda n: n)
    estimated_duration_minutes = 40


class SubjectEnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubjectEnrollment

    school = factory.SubFactory(SchoolFactory)
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    subject = factory.SubFactory(SubjectFactory, school=factory.SelfAttribute("..school"))
    enrollment_date = datetime.date(2026, 9, 1)


class TopicProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TopicProgress

    school = factory.SubFactory(SchoolFactory)
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    topic = factory.SubFactory(TopicFactory, school=factory.SelfAttribute("..school"))


class AssessmentFactory(factory.django.DjangoModelFactory):
    """A graded assessment (percentage and grade as the default bands give them)."""

    class Meta:
        model = Assessment

    school = factory.SubFactory(SchoolFactory)
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    subject = factory.SubFactory(SubjectFactory, school=factory.SelfAttribute("..school"))
    assessment_type = Assessment.Type.QUIZ
    title = factory.Sequence(lambda n: f"Quiz {n}")
    total_marks = Decimal("20")
    marks_obtained = Decimal("15")
    percentage = factory.LazyAttribute(
        lambda a: (
            None if a.marks_obtained is None else (a.marks_obtained * 100 / a.total_marks).quantize(Decimal("0.01"))
        )
    )
    grade = factory.LazyAttribute(
        lambda a: (
            ""
            if a.percentage is None
            else next((g for g, low in (("A", 80), ("B", 70), ("C", 60), ("D", 50)) if a.percentage >= low), "F")
        )
    )
    assessment_date = datetime.date(2026, 10, 6)
    status = factory.LazyAttribute(
        lambda a: Assessment.Status.PENDING if a.marks_obtained is None else Assessment.Status.GRADED
    )
