"""Demo step: compute the ABC risk levels once attendance, behaviour, alerts, meetings and contacts are
there, and give the contact log a behaviour letter template (the letter the behaviour-letter alert asks
the form master to send)."""

from core.demo import DemoSchool, demo_step
from interventions.communications.models import Channel, CommunicationTemplate
from interventions.communications.services import template_create
from interventions.risk.services import compute_for_school

LETTER_NAME = "Behaviour letter"
LETTER_BODY = (
    "Dear {guardian_name},\n\n"
    "We are writing about {student_first_name}'s behaviour at {school_name}. {student_first_name} has "
    "received several penalties this term. We would like to meet you to agree together how we can help "
    "{student_first_name} get back on track. Please contact the school office to arrange a time.\n\n"
    "Yours sincerely,\nThe form master"
)


@demo_step(order=70, name="risk levels")
def demo_risk(demo: DemoSchool) -> None:
    if not CommunicationTemplate.objects.filter(school=demo.school, name=LETTER_NAME).exists():
        template_create(actor=demo.users["admin"], name=LETTER_NAME, channel=Channel.LETTER, body=LETTER_BODY)
    summary = compute_for_school(school=demo.school, as_of=demo.today)
    demo.log(f"  {demo.school.code}: risk {summary}")
