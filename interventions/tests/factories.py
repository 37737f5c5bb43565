import datetime

import factory
from django.utils import timezone

from core.tests.factories import SchoolFactory, UserFactory
from interventions.models import Alert, InterventionMeeting, ProgressUpdate
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
