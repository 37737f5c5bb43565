import factory
from django.utils import timezone

from attendance.models import AttendanceRecord, Holiday, Register
from core.tests.factories import SchoolFactory
from students.tests.factories import ClassGroupFactory, StudentFactory


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holiday

    school = factory.SubFactory(SchoolFactory)
    name = "Holiday"


class RegisterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Register

    school = factory.SubFactory(SchoolFactory)
    class_group = factory.SubFactory(ClassGroupFactory, school=factory.SelfAttribute("..school"))
    taken_at = factory.LazyFunction(timezone.now)


class AttendanceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttendanceRecord

    school = factory.SubFactory(SchoolFactory)
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    status = AttendanceRecord.Status.PRESENT
    marked_at = factory.LazyFunction(timezone.now)
