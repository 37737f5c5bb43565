"""Demo inquiries: 30 per school across every status and source, received over the last six months,
with completed, pending and missed follow-ups. Made through the services, as a counsellor would."""

from __future__ import annotations

import datetime

from core.demo import DemoSchool, demo_step
from students.admissions import services
from students.admissions.models import FollowUp, Inquiry
from students.models import ClassGroup
from students.selectors import current_academic_year

S = Inquiry.Status
SOURCES = list(Inquiry.Source.values)
PRIORITIES = ["high", "medium", "low", "medium", "high", "low"]
# Where each of the 30 inquiries ends up.
TARGETS = [S.NEW] * 6 + [S.CONTACTED] * 6 + [S.FOLLOW_UP_SCHEDULED] * 7 + [S.ENROLLED] * 5 + [S.LOST] * 6
NAMES = [
    "Aisha Bello", "Bruno Costa", "Chidi Eze", "Dara Walsh", "Elif Kaya", "Finn Murphy", "Gita Rao", "Hamza Ali",
    "Ines Duarte", "Jonas Berg", "Kemi Ade", "Luca Romano", "Mina Park", "Nils Olsen", "Olu Bankole", "Pia Novak",
    "Ravi Menon", "Sofia Lind", "Theo Grant", "Uma Shah", "Victor Hale", "Wanjiru Kamau", "Xavi Soler",
    "Yara Haddad", "Zoe Clarke", "Adam Fox", "Bea Moreau", "Cian Byrne", "Dilan Aksoy", "Esme Hart",
]  # fmt: skip
TYPES = list(FollowUp.Type.values)


def _day(demo: DemoSchool, days_ago: int) -> datetime.date:
    return demo.today - datetime.timedelta(days=days_ago)


@demo_step(order=70, name="admissions inquiries")
def seed_inquiries(demo: DemoSchool) -> None:
    school = demo.school
    if Inquiry.objects.filter(school=school).exists():
        demo.log(f"  admissions: {school.code} already has inquiries, left as they are")
        return
    counselor, admin = demo.users["counselor"], demo.users["admin"]
    year = current_academic_year(school_id=school.pk, on=demo.today)
    forms = list(ClassGroup.objects.filter(academic_year=year).order_by("grade_level", "name")) if year else []
    enrolled = 0
    for index, target in enumerate(TARGETS):
        owner = admin if index % 5 == 4 else counselor
        received = _day(demo, 9 + (index * 37) % 170)
        contact = received + datetime.timedelta(days=2)
        name = NAMES[index]
        inquiry = services.inquiry_create(
            actor=owner,
            today=received,
            student_name=name,
            phone=f"+44 7700 9{index:05d}",
            email=f"{name.split()[0].lower()}.family{index}@example.org",
            source=SOURCES[index % len(SOURCES)],
            priority=PRIORITIES[index % len(PRIORITIES)],
            received_on=received,
            tags="sibling" if index % 7 == 0 else "",
            counselor=owner,
        )
        if target == S.NEW:
            continue
        _follow_up(owner, inquiry, contact, index, outcome="Spoke to the parent; sending the prospectus.")
        if target in (S.FOLLOW_UP_SCHEDULED, S.ENROLLED, S.LOST) and index % 2 == 0:
            # A planned call that nobody made: the nightly check marks it missed.
            services.follow_up_create(
                actor=owner,
                inquiry=inquiry,
                follow_up_date=contact + datetime.timedelta(days=3),
                follow_up_type=FollowUp.Type.CALL,
                status=FollowUp.Status.PENDING,
                notes="Call back about the open evening.",
                today=contact,
            )
        if target == S.FOLLOW_UP_SCHEDULED:
            # Next contact yesterday (overdue), today or tomorrow.
            _follow_up(
                owner,
                inquiry,
                contact + datetime.timedelta(days=4),
                index + 1,
                outcome="Visited the school.",
                next_date=demo.today + datetime.timedelta(days=index % 3 - 1),
            )
        elif target == S.LOST:
            services.inquiry_move(actor=owner, inquiry=inquiry, status=S.LOST, version=inquiry.version, today=contact)
        elif target == S.ENROLLED and forms:
            form = forms[index % len(forms)]
            services.inquiry_enrol(
                actor=owner,
                inquiry=inquiry,
                class_group=form,
                student_id=f"ADM-{demo.today.year}-{school.code[:1].upper()}{index:02d}",
                guardian_name=f"Parent of {name}",
                today=demo.today,
            )
            enrolled += 1
    missed = services.mark_missed_follow_ups(today=demo.today)
    services.rescore_inquiries(today=demo.today, school=school)
    demo.log(
        f"  admissions: {len(TARGETS)} inquiries in {school.code}, {enrolled} enrolled, {missed} missed follow-ups"
    )


def _follow_up(owner, inquiry, day, index, *, outcome, next_date=None):
    services.follow_up_create(
        actor=owner,
        inquiry=inquiry,
        follow_up_date=day,
        follow_up_type=TYPES[index % len(TYPES)],
        status=FollowUp.Status.COMPLETED,
        outcome=outcome,
        next_follow_up_date=next_date,
        today=day,
    )
