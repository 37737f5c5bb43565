"""Demo attendance: a term of registers (from the start of the year at most) up to yesterday, with a few students
whose attendance the early-warning rules should notice."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from attendance.models import AttendanceRecord, Holiday, Register
from core import audit
from core.dates import weekdays_between
from core.demo import DemoSchool, demo_step
from students.models import ClassGroup, Student

Status = AttendanceRecord.Status
# How far back the demo's registers go (from the start of the year when that is more recent).
DEMO_TERM = datetime.timedelta(weeks=13)
ILLNESS = ["Ill", "Flu", "Doctor's appointment", "Stomach bug", "Dentist"]


def _first_weekday_on_or_after(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


@demo_step(order=20, name="holidays and a term of attendance")
def seed_attendance(demo: DemoSchool) -> None:
    school = demo.school
    year = demo.extra.get("academic_year")
    if year is None:
        return
    forms = demo.extra.get("forms") or list(
        ClassGroup.objects.filter(academic_year=year).order_by("grade_level", "name")
    )
    # A staff training day in the fourth week and a two-day half-term break in the eighth.
    training = _first_weekday_on_or_after(year.start_date + datetime.timedelta(weeks=3), 4)
    half_term = _first_weekday_on_or_after(year.start_date + datetime.timedelta(weeks=7), 0)
    for date, name in [
        (training, "Staff training day"),
        (half_term, "Half term"),
        (half_term + datetime.timedelta(days=1), "Half term"),
    ]:
        holiday, created = Holiday.objects.get_or_create(school=school, date=date, defaults={"name": name})
        if created:
            audit.record_create(actor=None, instance=holiday)
    holidays = set(Holiday.objects.filter(school=school).values_list("date", flat=True))
    end = demo.today - datetime.timedelta(days=1)
    # A term at most: later in the year the demo stays as quick to seed as in its first weeks.
    start = max(year.start_date, demo.today - DEMO_TERM)
    days = [d for d in weekdays_between(start, min(end, year.end_date)) if d not in holidays]
    if not days:
        return
    taken = set(
        Register.objects.filter(school=school, date__range=(days[0], days[-1])).values_list("class_group_id", "date")
    )
    # One form's register three school days ago was never taken: /attendance/ shows it as missing.
    skipped = {(forms[-1].pk, days[-3])} if len(days) >= 3 and forms else set()
    students_by_form: dict[int, list[int]] = {}
    for pk, form_id in (
        Student.objects.filter(school=school, class_group__in=forms, status=Student.Status.ACTIVE)
        .values_list("pk", "class_group_id")
        .order_by("pk")
    ):
        students_by_form.setdefault(form_id, []).append(pk)
    rng = random.Random(f"attendance-{school.code}")
    teacher = demo.users["teacher"]
    recent_run = set(days[-4:])
    pattern_since = days[-1] - datetime.timedelta(weeks=6)
    registers, records, audit_rows = [], [], []
    for form_index, form in enumerate(forms):
        taker = form.form_master or teacher
        pupils = students_by_form.get(form.pk, [])
        chronic = pupils[0] if form_index % 2 == 0 and pupils else None
        pattern = pupils[1] if form_index % 2 == 1 and len(pupils) > 1 else None
        runner = pupils[2] if form_index in (0, 3, 6) and len(pupils) > 2 else None
        for day in days:
            if (form.pk, day) in taken or (form.pk, day) in skipped:
                continue
            marked_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 50)))
            registers.append(Register(school=school, class_group=form, date=day, taken_by=taker, taken_at=marked_at))
            for pupil in pupils:
                status, reason = Status.PRESENT, ""
                roll = rng.random()
                if pupil == chronic and roll < 0.2:
                    status, reason = Status.ABSENT, rng.choice(["", "No contact from home", "Unwell"])
                elif pupil == pattern and day >= pattern_since and day.weekday() == 0:
                    status, reason = Status.ABSENT, ""
                elif pupil == runner and day in recent_run:
                    status, reason = Status.ABSENT, "" if day != days[-4] else "Unwell"
                elif roll < 0.03:
                    status, reason = Status.ABSENT, rng.choice(ILLNESS)
                elif roll < 0.06:
                    status, reason = Status.LATE, rng.choice(["Bus late", "Overslept", ""])
                elif roll < 0.07:
                    status, reason = Status.EXCUSED, rng.choice(["Sports fixture", "Music exam", "Family funeral"])
                records.append(
                    AttendanceRecord(
                        school=school,
                        student_id=pupil,
                        date=day,
                        status=status,
                        reason=reason,
                        marked_by=taker,
                        marked_at=marked_at,
                    )
                )
    Register.objects.bulk_create(registers, batch_size=1000)
    last_record_id = AttendanceRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    AttendanceRecord.objects.bulk_create(records, batch_size=2000, ignore_conflicts=True)
    # ignore_conflicts leaves the new rows without pks: the ones past the last id are this run's.
    audit.record_created_rows(
        AttendanceRecord.objects.filter(school=school, pk__gt=last_record_id).order_by("pk").iterator(chunk_size=2000)
    )
    if registers:
        new_registers = Register.objects.filter(school=school, date__range=(days[0], days[-1])).values_list(
            "pk", "class_group_id", "date", "taken_by_id"
        )
        audit_rows = [
            audit.entry(
                actor=None,
                action="create",
                entity_type=audit.entity_type_of(Register),
                entity_id=pk,
                school_id=school.pk,
                after={"class_group": form_id, "date": date.isoformat(), "taken_by": taker_id, "source": "seed_demo"},
                ip=None,
            )
            for pk, form_id, date, taker_id in new_registers
            if (form_id, date) not in taken
        ]
        audit.record_entries(audit_rows, batch_size=1000)
    demo.log(f"{school.code}: {len(holidays)} holidays, {len(registers)} registers, {len(records)} attendance records")


# The lessons' demo step registers itself when imported.
from attendance.lessons import demo as lessons_demo  # noqa: E402, F401
