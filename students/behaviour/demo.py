"""Demo behaviour: rewards across the forms and penalties for a few students, enough that every
behaviour level (0–4) appears, one appeal is pending and one was decided in the student's favour."""

from __future__ import annotations

import datetime

from core import audit
from core.demo import DemoSchool, demo_step
from students.behaviour.models import BehaviourRecord
from students.models import ClassGroup, Student

T = BehaviourRecord.Type
C = BehaviourRecord.Category
PENALTY_REASONS = [
    (C.BEHAVIOR, "Disrupted the lesson"),
    (C.ASSIGNMENT, "Homework not handed in"),
    (C.ATTENDANCE, "Left school at lunch without permission"),
    (C.BEHAVIOR, "Phone out in class after a warning"),
    (C.PERFORMANCE, "Refused to take part in the practical"),
    (C.OTHER, "Uniform not worn"),
    (C.BEHAVIOR, "Rude to a supervisor"),
]
REWARD_REASONS = [
    (C.PERFORMANCE, "Best test result in the form"),
    (C.BEHAVIOR, "Helped a new classmate settle in"),
    (C.ASSIGNMENT, "Outstanding project work"),
    (C.ATTENDANCE, "Full attendance this half term"),
]
# Counted penalties for the last students of each form (read from the end, so the meetings' students,
# taken from the start, stay out of the way): behaviour levels 4, 3, 2 and 1.
PENALTY_COUNTS = [7, 5, 3, 2]


def _school_days_back(today: datetime.date, count: int) -> list[datetime.date]:
    days, day = [], today - datetime.timedelta(days=1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= datetime.timedelta(days=1)
    return days


@demo_step(order=25, name="behaviour records")
def seed_behaviour(demo: DemoSchool) -> None:
    school = demo.school
    if BehaviourRecord.objects.filter(school=school).exists():
        demo.log(f"  behaviour: {school.code} already has records, left as they are")
        return
    year = demo.extra.get("academic_year")
    forms = demo.extra.get("forms") or list(ClassGroup.objects.filter(school=school).order_by("grade_level", "name"))
    days = [d for d in _school_days_back(demo.today, 40) if year is None or d >= year.start_date]
    if not days:
        return
    giver = demo.users["teacher"]
    records = []
    for form_index, form in enumerate(forms[:2]):
        pupils = list(
            Student.objects.filter(class_group=form, status=Student.Status.ACTIVE)
            .order_by("-pk")
            .values_list("pk", flat=True)
        )
        for pupil, count in zip(pupils, PENALTY_COUNTS[form_index:] + PENALTY_COUNTS[:form_index], strict=False):
            for n in range(count):
                category, reason = PENALTY_REASONS[n % len(PENALTY_REASONS)]
                records.append(
                    BehaviourRecord(
                        school=school,
                        student_id=pupil,
                        type=T.PENALTY,
                        category=category,
                        reason=reason,
                        points=1 + n % 3,
                        date=days[(n * 3 + form_index) % len(days)],
                        created_by=giver,
                    )
                )
        # Rewards for a few others: strengths to show beside the risks.
        for offset, pupil in enumerate(pupils[len(PENALTY_COUNTS) : len(PENALTY_COUNTS) + 4]):
            for n in range(2 + offset % 2):
                category, reason = REWARD_REASONS[(n + offset) % len(REWARD_REASONS)]
                records.append(
                    BehaviourRecord(
                        school=school,
                        student_id=pupil,
                        type=T.REWARD,
                        category=category,
                        reason=reason,
                        points=2,
                        date=days[(n * 5 + offset) % len(days)],
                        created_by=giver,
                    )
                )
    BehaviourRecord.objects.bulk_create(records, batch_size=1000)
    created = list(BehaviourRecord.objects.filter(school=school).order_by("pk"))
    penalties = [r for r in created if r.type == T.PENALTY]
    if len(penalties) > 8:
        # One appeal pending, one decided in the student's favour (it no longer counts).
        pending, won = penalties[0], penalties[7]
        BehaviourRecord.objects.filter(pk=pending.pk).update(
            status=BehaviourRecord.Status.APPEALED, appeal_reason="Says the phone was a calculator."
        )
        BehaviourRecord.objects.filter(pk=won.pk).update(
            status=BehaviourRecord.Status.RESOLVED,
            upheld=False,
            appeal_reason="Was at the nurse's office.",
            resolution_note="Nurse confirmed: not upheld.",
        )
        created = list(BehaviourRecord.objects.filter(school=school).order_by("pk"))
    audit.record_entries(
        [audit.entry(actor=None, action="create", instance=row, after=audit.snapshot(row)) for row in created],
        batch_size=1000,
    )
    demo.log(f"  behaviour: {school.code}: {len(created)} records")
