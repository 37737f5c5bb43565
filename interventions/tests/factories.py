import datetime

import factory
from django.utils import timezone

from core.tests.factories import SchoolFactory, UserFactory
from interventions.models import (
    Alert,
    Enrollment,
    Intervention,
    InterventionMeeting,
    InterventionSession,
    InterventionTemplate,
    ProgressUpdate,
    SessionAttendance,
)
from students.tests.factories import StudentFactory


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    school = factory.SubFactory(SchoolFactory)
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    kind = Alert.Kind.CONSECUTIVE_ABSENCES
    severity = Alert.Severity.MEDIUM
    details = factory.LazyFunction(dict)
    status = Alert.Status.OPEN


class InterventionMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterventionMeeting

    school = factory.SubFactory(SchoolFactory)
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    meeting_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    absence_reason = "Missed three days running."
    root_cause = InterventionMeeting.RootCause.FAMILY
    intervention_notes = "Talked with the student and called the guardian."
    action_plan = "Daily check-in with the form master for two weeks."
    follow_up_date = None
    urgency_level = InterventionMeeting.Urgency.MEDIUM
    status = InterventionMeeting.Status.OPEN
    created_by = factory.SubFactory(UserFactory, role="form_master", school=factory.SelfAttribute("..school"))


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    meeting = factory.SubFactory(InterventionMeetingFactory)
    school = factory.SelfAttribute("meeting.school")
    update_text = "Attended every day this week."
    created_by = factory.SelfAttribute("meeting.created_by")


class InterventionTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterventionTemplate

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Reading group {n}")
    description = "Small-group reading with a weekly check-in."
    frequency = "weekly"
    sessions_per_week = 2
    duration_minutes = 45
    location_type = "classroom"
    default_facilitator_role = "counselor"
    progress_metric = "likert"
    tier = 2
    default_weeks = 6


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Attendance mentoring {n}")
    objective = "Raise attendance above 90 %."
    owner = factory.SubFactory(UserFactory, role="counselor", school=factory.SelfAttribute("..school"))
    template = None
    tier = 2
    duration_minutes = 45
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=14))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=42))
    status = Intervention.Status.ACTIVE


class InterventionSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterventionSession

    intervention = factory.SubFactory(InterventionFactory)
    school = factory.SelfAttribute("intervention.school")
    start_time = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + datetime.timedelta(days=1))
    end_time = factory.LazyAttribute(lambda o: o.start_time + datetime.timedelta(minutes=45))
    location = "Room 12"
    facilitator = factory.SelfAttribute("intervention.owner")
    status = InterventionSession.Status.SCHEDULED


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    intervention = factory.SubFactory(InterventionFactory)
    school = factory.SelfAttribute("intervention.school")
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    source = Enrollment.Source.MANUAL
    status = Enrollment.Status.ACTIVE


class SessionAttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionAttendance

    session = factory.SubFactory(InterventionSessionFactory)
    school = factory.SelfAttribute("session.school")
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    status = SessionAttendance.Status.PRESENT
    taken_by = factory.SelfAttribute("session.facilitator")
