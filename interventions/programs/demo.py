"""Demo programs: 2–3 per school, built from the demo's own alerts. Each has enrolled students, past
sessions with attendance, a cancelled session and a series still to come, whatever today's date is."""

from __future__ import annotations

import datetime

from django.utils import timezone

from attendance.models import Holiday
from core import audit
from core.demo import DemoSchool, demo_step
from core.services import bulk_insert
from interventions.models import (
    Alert,
    Enrollment,
    Intervention,
    InterventionSession,
    SessionAttendance,
)
from interventions.programs import services

TEMPLATES = [
    # name, frequency, per week, minutes, location type, facilitator role, metric, tier, weeks
    ("Attendance mentoring", "weekly", 2, 30, "office", "counselor", "percent", 2, 8),
    ("Reading catch-up group", "weekly", 2, 45, "classroom", "teacher", "likert", 2, 6),
    ("Breakfast club check-in", "daily", 5, 15, "classroom", "counselor", "likert", 3, 4),
]
# template index, program name, weekdays, start hour, location, facilitator key, students, status
PROGRAMS = [
    (0, "Attendance mentoring — autumn group", [1, 3], (13, 0), "Counselling office", "counselor", 4, "active"),
    (1, "Reading catch-up, Form 2", [0, 2], (14, 30), "Library", "teacher", 3, "active"),
    (2, "Breakfast club", [0, 1, 2, 3, 4], (8, 0), "Dining hall", "counselor", 0, "draft"),
]
ABSENT_EVERY = 5  # every fifth mark is an absence, so the figures are not all 100 %


def _school_days(start: datetime.date, end: datetime.date, weekdays, holidays) -> list[datetime.date]:
    days, day = [], start
    while day <= end:
        if day.weekday() in weekdays and day not in holidays:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


@demo_step(order=60, name="programs")
def seed_programs(demo: DemoSchool) -> None:
    school = demo.school
    if Intervention.objects.filter(school=school).exists():
        demo.log(f"  programs: {school.code} already has programs, left as they are")
        return
    counselor = demo.users.get("counselor")
    if counselor is None:
        return
    today = demo.today
    templates = []
    for name, frequency, per_week, minutes, location_type, role, metric, tier, weeks in TEMPLATES:
        templates.append(
            services.template_create(
                actor=counselor,
                name=name,
                frequency=frequency,
                sessions_per_week=per_week,
                duration_minutes=minutes,
                location_type=location_type,
                default_facilitator_role=role,
                progress_metric=metric,
                tier=tier,
                default_weeks=weeks,
                description=f"{name}: {per_week} session(s) a week of {minutes} minutes.",
            )
        )
    # Students with an alert, most severe first; a few stay off programs so the risk list has names.
    at_risk = list(
        dict.fromkeys(
            Alert.objects.filter(school=school, status__in=Alert.ACTIVE_STATUSES)
            .order_by("severity", "student__last_name")
            .values_list("student_id", flat=True)
        )
    )
    holidays = set(Holiday.objects.filter(school=school).values_list("date", flat=True))
    tz = timezone.get_current_timezone()
    taken = 0
    made = 0
    for template_index, name, weekdays, (hour, minute), location, facilitator_key, size, status in PROGRAMS:
        template = templates[template_index]
        facilitator = demo.users.get(facilitator_key, counselor)
        start_date = today - datetime.timedelta(weeks=4) if status == "active" else today + datetime.timedelta(days=7)
        program = services.program_create(
            actor=counselor,
            name=name,
            objective=f"{template.description} Back above 90 % attendance by the end.",
            template=template,
            start_date=start_date,
            end_date=start_date + datetime.timedelta(weeks=template.default_weeks, days=-1),
            status=status,
        )
        made += 1
        if status != "active":
            continue
        students, at_risk = at_risk[:size], at_risk[size:]
        enrolled_at = timezone.make_aware(datetime.datetime.combine(start_date, datetime.time(7, 0)), tz)
        enrollments = bulk_insert(
            Enrollment,
            [
                Enrollment(
                    school=school,
                    intervention=program,
                    student_id=pk,
                    source=Enrollment.Source.RISK_LIST,
                    enrolled_by=counselor,
                    enrolled_at=enrolled_at,
                    baseline=70,
                    goal=92,
                    goal_date=program.end_date,
                )
                for pk in students
            ],
            key=["intervention", "student"],
            among=Enrollment.objects.filter(status=Enrollment.Status.ACTIVE),
        )
        audit.record_entries(
            [
                audit.entry(
                    actor=counselor,
                    action=services.ENROLLMENT_CHANGED,
                    entity_type="interventions.enrollment",
                    entity_id=row.pk,
                    after={"intervention": program.pk, "student": row.student_id, "status": "active"},
                    school_id=school.pk,
                )
                for row in enrollments
            ]
        )
        # Sessions held so far (written as they happened: completed with attendance), one cancelled.
        length = datetime.timedelta(minutes=program.duration_minutes)
        past_days = _school_days(start_date, today - datetime.timedelta(days=1), weekdays, holidays)
        past = []
        for index, day in enumerate(past_days):
            start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)), tz)
            cancelled = index == len(past_days) - 3
            past.append(
                InterventionSession(
                    school=school,
                    intervention=program,
                    start_time=start,
                    end_time=start + length,
                    location=location,
                    facilitator=facilitator,
                    status="cancelled" if cancelled else "completed",
                    cancel_reason="Staff training day" if cancelled else "",
                    attendance_taken_by=None if cancelled else facilitator,
                    attendance_taken_at=None if cancelled else start + length,
                )
            )
        InterventionSession.objects.bulk_create(past)
        past = list(InterventionSession.objects.filter(intervention=program).order_by("start_time"))
        marks = []
        for session in past:
            if session.status != "completed":
                continue
            for offset, pk in enumerate(students):
                absent = (session.pk + offset) % ABSENT_EVERY == 0
                marks.append(
                    SessionAttendance(
                        school=school,
                        session=session,
                        student_id=pk,
                        status="absent" if absent else "present",
                        notes="No show; guardian texted." if absent else "",
                        taken_by=facilitator,
                        recorded_at=session.end_time,
                    )
                )
        SessionAttendance.objects.bulk_create(marks)
        taken += len(marks)
        audit.record_entries(
            [
                audit.entry(
                    actor=facilitator,
                    action=services.SESSION_SCHEDULED,
                    instance=session,
                    after=audit.snapshot(session),
                )
                for session in past
            ]
            + [
                audit.entry(
                    actor=facilitator,
                    action=services.ATTENDANCE_RECORDED,
                    instance=session,
                    after={"session": session.pk, "records": len(students)},
                )
                for session in past
                if session.status == "completed"
            ]
        )
        # The rest of the series, booked through the service (clash checks and all).
        services.sessions_generate(
            actor=counselor,
            program=program,
            request=services.SeriesRequest(
                date_from=today,
                date_to=program.end_date,
                weekdays=weekdays,
                start=datetime.time(hour, minute),
                location=location,
                facilitator=facilitator,
            ),
        )
    demo.log(f"  programs: {made} in {school.code}, {taken} session attendance marks")
