import datetime

import factory

from core.tests.factories import SchoolFactory, UserFactory
from students.models import AcademicYear, BehaviourRecord, ClassGroup, FollowUp, Inquiry, Student


class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicYear

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"{2025 + n}/{26 + n}")
    start_date = datetime.date(2026, 9, 1)
    end_date = datetime.date(2027, 7, 16)
    is_current = True


class ClassGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClassGroup

    school = factory.SubFactory(SchoolFactory)
    academic_year = factory.SubFactory(AcademicYearFactory, school=factory.SelfAttribute("..school"))
    name = factory.Sequence(lambda n: f"Form {n % 5 + 1}{chr(65 + n % 26)}{n}")
    grade_level = 2
    form_master = None


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    school = factory.SubFactory(SchoolFactory)
    student_id = factory.Sequence(lambda n: f"S{n:05d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = datetime.date(2012, 5, 4)
    gender = Student.Gender.FEMALE
    class_group = factory.SubFactory(ClassGroupFactory, school=factory.SelfAttribute("..school"))
    status = Student.Status.ACTIVE
    guardian_name = factory.Faker("name")
    guardian_phone = "+44 7700 900123"
    guardian_email = factory.LazyAttribute(lambda s: f"guardian.{s.student_id.lower()}@example.org")


class InquiryFactory(factory.django.DjangoModelFactory):
    """An inquiry as stored (its score is set by the services; tests that need it go through them)."""

    class Meta:
        model = Inquiry

    school = factory.SubFactory(SchoolFactory)
    student_name = factory.Faker("name")
    phone = "+44 7700 900456"
    email = factory.Sequence(lambda n: f"family{n}@example.org")
    source = Inquiry.Source.WEBSITE
    status = Inquiry.Status.NEW
    priority = Inquiry.Priority.MEDIUM


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    school = factory.SubFactory(SchoolFactory)
    inquiry = factory.SubFactory(InquiryFactory, school=factory.SelfAttribute("..school"))
    follow_up_date = datetime.date(2026, 10, 6)
    follow_up_type = FollowUp.Type.CALL
    status = FollowUp.Status.COMPLETED


class BehaviourRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BehaviourRecord

    school = factory.SubFactory(SchoolFactory)
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    type = BehaviourRecord.Type.PENALTY
    category = BehaviourRecord.Category.BEHAVIOR
    reason = "Disrupted the lesson"
    points = 1
    date = datetime.date(2026, 10, 6)
    created_by = factory.SubFactory(UserFactory, role="teacher", school=factory.SelfAttribute("..school"))
