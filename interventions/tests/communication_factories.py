import factory

from core.tests.factories import SchoolFactory
from interventions.communications.models import Channel, CommunicationLog, CommunicationTemplate
from students.tests.factories import StudentFactory


class CommunicationTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunicationTemplate

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Template {n}")
    channel = Channel.EMAIL
    subject = "{student_first_name} was absent"
    body = "Dear {guardian_name}, {student_first_name} {student_last_name} was absent on {date}. {school_name}"


class CommunicationLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunicationLog

    school = factory.SubFactory(SchoolFactory)
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    channel = Channel.PHONE
    recipient = "+44 7700 900123"
    body = "Reached. All well."
    status = CommunicationLog.Status.LOGGED
