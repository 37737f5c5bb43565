"""Demo outcomes: a running program with sessions, rated notes, exit criteria and one pending
recommendation (one student meets every criterion, one does not, one has too few notes yet)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from core import audit
from core.demo import DemoSchool, demo_step
from interventions.communications.models import Channel, CommunicationLog
from interventions.communications.services import record_log
from interventions.outcomes import services
from interventions.outcomes.models import ExitCriteria, ProgressNote
from interventions.programs.models import Enrollment, Intervention, InterventionSession, SessionAttendance
from students.models import Student

PROGRAM_NAME = "Reading recovery"
# (ratings oldest first, reading-age gains in months)
STUDENT_NOTES = [((3, 4, 4, 5), (1, 3, 3)), ((2, 2, 3), (0, 1)), ((3,), ())]
NOTE_TEXT = ["Reads aloud with more confidence.", "Finished the first book of the series.", "Needed prompting today."]


@demo_step(order=70, name="program outcomes")
def seed_outcomes(demo: DemoSchool) -> None:
    school, counselor = demo.school, demo.users.get("counselor")
    if counselor is None or Intervention.objects.filter(school=school, name=PROGRAM_NAME).exists():
        demo.log(f"  outcomes: {school.code} already has its demo program, left as it is")
        return
    students = list(
        Student.objects.filter(school=school, status=Student.Status.ACTIVE).order_by("class_group__name", "id")[4:7]
    )
    if len(students) < 3:
        return
    today = demo.today
    start = today - datetime.timedelta(days=35)
    program = Intervention.objects.create(
        school=school,
        name=PROGRAM_NAME,
        objective="Raise reading age by a term within six weeks.",
        owner=counselor,
        start_date=start,
        end_date=today + datetime.timedelta(days=21),
        status=Intervention.Status.ACTIVE,
    )
    rows = [program]
    enrollments = []
    for student in students:
        enrollment = Enrollment.objects.create(
            school=school,
            intervention=program,
            student=student,
            enrolled_by=counselor,
            enrolled_at=timezone.now() - datetime.timedelta(days=35),
            baseline=Decimal("2"),
            goal=Decimal("4"),
            goal_date=start + datetime.timedelta(days=42),
        )
        enrollments.append(enrollment)
    rows.extend(enrollments)
    # Weekly sessions so far (Tuesdays 13:00), one cancelled: fidelity shows below 100 %.
    day = start + datetime.timedelta(days=(1 - start.weekday()) % 7)
    week = 0
    while day < today:
        begins = timezone.make_aware(datetime.datetime.combine(day, datetime.time(13, 0)))
        cancelled = week == 2
        session = InterventionSession.objects.create(
            school=school,
            intervention=program,
            start_time=begins,
            end_time=begins + datetime.timedelta(minutes=45),
            location="Library",
            facilitator=counselor,
            status=InterventionSession.Status.CANCELLED if cancelled else InterventionSession.Status.COMPLETED,
            cancel_reason="Staff training" if cancelled else "",
        )
        rows.append(session)
        if not cancelled:
            for index, student in enumerate(students):
                status = "absent" if (index == 1 and week % 2) else "present"
                rows.append(
                    SessionAttendance.objects.create(
                        school=school, session=session, student=student, status=status, taken_by=counselor
                    )
                )
        day += datetime.timedelta(days=7)
        week += 1
    for enrollment, (ratings, gains) in zip(enrollments, STUDENT_NOTES, strict=True):
        for index, rating in enumerate(ratings):
            at = timezone.now() - datetime.timedelta(days=7 * (len(ratings) - index))
            gain = gains[index] if index < len(gains) else None
            rows.append(
                ProgressNote.objects.create(
                    school=school,
                    intervention=program,
                    student=enrollment.student,
                    note=NOTE_TEXT[index % len(NOTE_TEXT)],
                    rating=rating,
                    metric_value=gain,
                    entered_by=counselor,
                    entered_at=at,
                )
            )
    for kind, target, window, name in (
        ("progress", "3.5", 3, ""),
        ("custom_metric", "2", 2, "reading age gain (months)"),
    ):
        rows.append(
            ExitCriteria.objects.create(
                school=school,
                intervention=program,
                threshold_type=kind,
                target_value=Decimal(target),
                window=window,
                metric_name=name,
            )
        )
    audit.record_created_rows(rows, actor=counselor)
    recommended = services.evaluate_programs(programs=[program], actor=counselor)
    first = enrollments[0].student
    record_log(
        actor=counselor,
        log=CommunicationLog(
            school=school,
            student=first,
            intervention=program,
            channel=Channel.PHONE,
            recipient=first.guardian_phone or "Parent or guardian",
            body=f"Reached. Told the family {first.first_name} is doing well in {PROGRAM_NAME}.",
            status=CommunicationLog.Status.LOGGED,
            sent_at=timezone.now(),
            actor=counselor,
        ),
    )
    demo.log(f"  outcomes: {PROGRAM_NAME} with {len(enrollments)} students, {len(recommended)} pending recommendation")
