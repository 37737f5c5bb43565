"""Demo forms and students: per school an academic year around today (with weeks of it behind today, whatever
the day), 8 forms, ~30 students each. Seeded again in a later school year, the students move up a form."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from core import audit
from core.demo import DemoSchool, demo_step
from students.models import AcademicYear, ClassGroup, Student
from students.services import student_update

FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Daniel",
    "Ella",
    "Farah",
    "George",
    "Hana",
    "Isaac",
    "Jade",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Oscar",
    "Priya",
    "Quinn",
    "Rosa",
    "Samir",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Yusuf",
    "Zara",
    "Aiden",
    "Bea",
    "Caleb",
    "Dina",
    "Emil",
    "Freya",
    "Hugo",
    "Iris",
    "Jonah",
    "Kira",
    "Leo",
    "Maya",
    "Noah",
]
LAST_NAMES = [
    "Adeyemi",
    "Brown",
    "Chen",
    "Dubois",
    "Evans",
    "Fernandes",
    "Garcia",
    "Hughes",
    "Ibrahim",
    "Jones",
    "Khan",
    "Lopez",
    "Murphy",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Rossi",
    "Singh",
    "Taylor",
    "Usman",
    "Virtanen",
    "Walker",
    "Xu",
    "Young",
    "Zielinski",
    "Ahmed",
    "Baker",
    "Costa",
    "Diallo",
    "Eriksen",
    "Fischer",
]
GRADES = (1, 2, 3, 4)
STUDENTS_PER_FORM = 30


# The demo needs a history to show: registers to look back on, attendance the early-warning rules can
# judge, meetings under way. On a day with less of the year behind it than this (the first weeks of
# September, the summer before it), the demo's year starts this long before today instead.
DEMO_HISTORY = datetime.timedelta(weeks=9)


def academic_year_bounds(today: datetime.date) -> tuple[str, datetime.date, datetime.date]:
    """The school year (1 Sep – 16 July) that contains `today`; the summer after it belongs to the next."""
    first = today.year if (today.month, today.day) > (7, 16) else today.year - 1
    return f"{first}/{str(first + 1)[-2:]}", datetime.date(first, 9, 1), datetime.date(first + 1, 7, 16)


def demo_year_bounds(today: datetime.date) -> tuple[str, datetime.date, datetime.date]:
    """The demo's academic year: the real one around `today`, started early enough to have a history."""
    name, start, end = academic_year_bounds(today)
    return name, min(start, today - DEMO_HISTORY), end


@demo_step(order=10, name="forms and students")
def seed_forms_and_students(demo: DemoSchool) -> None:
    school, now = demo.school, timezone.now()
    name, start, end = demo_year_bounds(demo.today)
    last_year = (
        AcademicYear.objects.filter(school=school, end_date__lt=end).exclude(name=name).order_by("-end_date").first()
    )
    if last_year is not None and last_year.end_date >= start:
        # The history reaches back no further than the day after an earlier demo year ended.
        start = last_year.end_date + datetime.timedelta(days=1)
    year, created = AcademicYear.objects.get_or_create(
        school=school, name=name, defaults={"start_date": start, "end_date": end, "is_current": True}
    )
    if created:
        audit.record_create(actor=None, instance=year)
        for previous in AcademicYear.objects.filter(school=school, is_current=True).exclude(pk=year.pk):
            before = audit.snapshot(previous)
            previous.is_current = False
            previous.save(update_fields=["is_current"])
            audit.record_update(actor=None, instance=previous, before=before)
    # Every form has a form master, so every alert has someone to act on it: fm1 the A forms, fm2 the B.
    masters = {"A": demo.users["fm1"], "B": demo.users["fm2"]}
    existing = {f.name for f in ClassGroup.objects.filter(academic_year=year)}
    new_forms = [
        ClassGroup(
            school=school,
            academic_year=year,
            name=f"Form {grade}{letter}",
            grade_level=grade,
            form_master=masters[letter],
        )
        for grade in GRADES
        for letter in "AB"
        if f"Form {grade}{letter}" not in existing
    ]
    ClassGroup.objects.bulk_create(new_forms)
    if new_forms:
        audit.record_created_rows(
            ClassGroup.objects.filter(academic_year=year, name__in=[f.name for f in new_forms]).order_by("pk")
        )
    forms = list(ClassGroup.objects.filter(academic_year=year).order_by("grade_level", "name"))
    moved = move_up_from_last_year(demo, last_year, year, forms)
    filled = set(Student.objects.filter(school=school).values_list("class_group_id", flat=True).distinct())
    # The first demo year fills every form; a later one takes a new intake into the first forms, whose
    # admission numbers carry the year they came in (so they never meet an earlier year's).
    intake = f"{start.year % 100:02d}" if moved else ""
    rng = random.Random(f"students-{school.code}{intake}")
    students = []
    for index, form in enumerate(forms):
        if form.pk in filled:
            continue
        size = STUDENTS_PER_FORM - 2 + rng.randint(0, 4)
        for number in range(size):
            birth_year = start.year - 11 - form.grade_level
            students.append(
                Student(
                    school=school,
                    student_id=f"{school.code[:1].upper()}{intake or form.grade_level}{form.name[-1]}{number + 1:03d}",
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    date_of_birth=datetime.date(birth_year, rng.randint(1, 12), rng.randint(1, 28)),
                    gender=rng.choice([Student.Gender.FEMALE, Student.Gender.MALE]),
                    class_group=form,
                    guardian_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    guardian_phone=f"+44 7700 9{rng.randint(10000, 99999)}",
                    guardian_email=f"guardian{index}{number}@{school.code}.example.org",
                    created_at=now,
                    updated_at=now,
                )
            )
    Student.objects.bulk_create(students, batch_size=1000)
    if students:
        audit.record_created_rows(
            Student.objects.filter(school=school, student_id__in=[s.student_id for s in students]).order_by("pk")
        )
    demo.extra["academic_year"] = year
    demo.extra["forms"] = forms
    demo.log(f"{school.code}: {year.name}, {len(forms)} forms, {moved} moved up, {len(students)} new students")


def move_up_from_last_year(
    demo: DemoSchool, last_year: AcademicYear | None, year: AcademicYear, forms: list[ClassGroup]
) -> int:
    """A demo seeded in an earlier school year: its active students move up a form into this year's (Form 1A
    → Form 2A), through the students service; the last forms' leavers graduate. Returns how many moved
    (0 when there is no earlier demo year, or this year's forms already have students)."""
    school = demo.school
    if last_year is None or Student.objects.filter(school=school, class_group__academic_year=year).exists():
        return 0
    into = {(form.grade_level, form.name[-1]): form for form in forms}
    moved = 0
    leavers = Student.objects.filter(
        school=school, status=Student.Status.ACTIVE, class_group__academic_year=last_year
    ).select_related("class_group")
    for student in leavers.order_by("pk"):
        old = student.class_group
        form = into.get((old.grade_level + 1, old.name[-1]))
        if form is None:
            student_update(actor=None, student=student, status=Student.Status.GRADUATED)
        else:
            student_update(actor=None, student=student, class_group=form)
            moved += 1
    return moved


# The academic records' demo step registers itself when imported.
from students.academics import demo as academics_demo  # noqa: E402, F401

# Admissions registers its own demo step.
from students.admissions import demo as admissions_demo  # noqa: E402,F401

# Demo steps of the parts of the students app.
from students.behaviour import demo as behaviour_demo  # noqa: E402, F401
