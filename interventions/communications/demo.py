"""Demo contact log: the school's message templates, contacts of every channel and one failed email."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core import audit
from core.demo import DemoSchool, demo_step
from core.services import audited_update
from interventions.communications import placeholders, services
from interventions.communications.models import AbsenceNoticeSettings, Channel, CommunicationLog, CommunicationTemplate
from students.models import Student

Status = CommunicationLog.Status

TEMPLATES = [
    (
        "Absence today",
        Channel.EMAIL,
        "{student_first_name} was absent today",
        "Dear {guardian_name},\n\n{student_first_name} was not in school on {date} and we have no reason for "
        "the absence. Please reply to this email or call the office.\n\nKind regards,\n{school_name}",
    ),
    (
        "Absence today",
        Channel.SMS,
        "",
        "{school_name}: {student_first_name} was absent on {date}. Please call the office to give a reason.",
    ),
    (
        "Invitation to a meeting",
        Channel.LETTER,
        "Attendance of {student_first_name} {student_last_name}",
        "Dear {guardian_name},\n\nWe are concerned about {student_first_name}'s attendance this term and would "
        "like to meet you to agree how we can help. Please contact the school office to arrange a time.\n\n"
        "Yours sincerely,\nThe pastoral team, {school_name}",
    ),
    (
        "Program welcome",
        Channel.EMAIL,
        "{student_first_name} has joined {program_name}",
        "Dear {guardian_name},\n\n{student_first_name} has joined {program_name}, starting {date}. "
        "We will keep you informed of progress.\n\n{school_name}",
    ),
]
ADDRESSES = ["12 Mill Lane\nNorthtown\nNT1 4AB", "3 Station Road, Flat 2\nNorthtown\nNT2 7CD"]


@demo_step(order=60, name="communications")
def seed_communications(demo: DemoSchool) -> None:
    school = demo.school
    counselor = demo.users.get("counselor")
    if counselor is None or CommunicationTemplate.objects.filter(school=school).exists():
        demo.log(f"  communications: {school.code} already has templates, left as they are")
        return
    templates = {}
    for name, channel, subject, body in TEMPLATES:
        templates[(name, channel)] = services.template_create(
            actor=counselor, name=name, channel=channel, subject=subject, body=body
        )
    notices = AbsenceNoticeSettings.objects.create(
        school=school, enabled=False, channel=Channel.EMAIL, template=templates[("Absence today", Channel.EMAIL)]
    )
    audit.record_create(actor=None, instance=notices)
    students = list(
        Student.objects.filter(school=school, status=Student.Status.ACTIVE)
        .select_related("class_group")
        .order_by("class_group__name", "last_name", "id")[:4]
    )
    if len(students) < 4:
        demo.log(f"  communications: {school.code} has too few students, no contacts logged")
        return
    for student, address in zip(students[:2], ADDRESSES, strict=True):
        before = audit.snapshot(student)
        student.guardian_address = address
        audited_update(actor=None, instance=student, before=before)
    fm = demo.users.get("fm1") or counselor
    contacts = [
        # (student, channel, template key, status, actor, days ago, recipient, body or None, error)
        (0, Channel.EMAIL, ("Absence today", Channel.EMAIL), Status.SENT, counselor, 9, None, None, ""),
        (0, Channel.PHONE, None, Status.LOGGED, fm, 8, None, "Reached. Mother says he had a cold; note to follow.", ""),
        (0, Channel.LETTER, ("Invitation to a meeting", Channel.LETTER), Status.SENT, counselor, 5, None, None, ""),
        (1, Channel.SMS, ("Absence today", Channel.SMS), Status.SENT, counselor, 4, None, None, ""),
        (
            1,
            Channel.IN_PERSON,
            None,
            Status.LOGGED,
            counselor,
            3,
            None,
            "Met the guardian at school. Agreed a plan.",
            "",
        ),
        (2, Channel.PHONE, None, Status.LOGGED, fm, 2, None, "No answer. Will try again tomorrow.", ""),
        (
            3,
            Channel.EMAIL,
            ("Absence today", Channel.EMAIL),
            Status.FAILED,
            counselor,
            1,
            "old.address@invalid.example",
            None,
            "SMTPRecipientsRefused: 550 5.1.1 mailbox unavailable",
        ),
    ]
    now = timezone.now()
    for index, channel, key, status, actor, days_ago, recipient, body, error in contacts:
        student = students[index]
        template = templates.get(key) if key else None
        on = demo.today - datetime.timedelta(days=days_ago)
        values = placeholders.placeholder_values(student=student, school=school, on=on)
        log = CommunicationLog(
            school=school,
            student=student,
            channel=channel,
            template=template,
            recipient=recipient or services.recipient_for(student, channel) or "Parent or guardian",
            subject=placeholders.fill(template.subject, values) if template else "",
            body=body or placeholders.fill(template.body, values),
            status=status,
            sent_at=None if status == Status.FAILED else now - datetime.timedelta(days=days_ago),
            actor=actor,
            error=error,
        )
        services.record_log(actor=actor, log=log)
        # The log reads as a history: each contact on its own day.
        CommunicationLog.objects.filter(pk=log.pk).update(created_at=now - datetime.timedelta(days=days_ago))
    demo.log(f"  communications: {len(templates)} templates, {len(contacts)} contacts in {school.code}")
