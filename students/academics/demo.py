"""Demo academic records: four subjects with their topics, every student enrolled (the demo teacher
teaches maths and science, form masters English, fm2 history), and a term of assessments with a
spread of grades (some students failing a subject or two), plus an exam still to come (pending)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from core import audit
from core.dates import weekdays_between
from core.demo import DemoSchool, demo_step
from students.academics.grading import derive_result, grade_bands_ensure
from students.academics.models import Assessment, Subject, SubjectEnrollment, Topic
from students.models import ClassGroup, Student

SUBJECTS = {
    "MATH": (
        "Mathematics",
        [
            "Number and place value",
            "Fractions",
            "Decimals",
            "Percentages",
            "Ratio",
            "Algebraic expressions",
            "Equations",
            "Geometry",
            "Statistics",
        ],
    ),
    "ENG": (
        "English",
        [
            "Reading for meaning",
            "Narrative writing",
            "Poetry",
            "Persuasive writing",
            "Grammar and punctuation",
            "Shakespeare",
            "Speaking and listening",
        ],
    ),
    "SCI": (
        "Science",
        [
            "Cells",
            "Forces",
            "Particles",
            "Energy",
            "Electricity",
            "Chemical reactions",
            "Ecosystems",
            "Light and sound",
        ],
    ),
    "HIST": (
        "History",
        [
            "Sources and evidence",
            "The Romans",
            "Medieval life",
            "The Tudors",
            "Industrial revolution",
            "The twentieth century",
        ],
    ),
}
# (subject, type, title, total marks, share of the term elapsed when it was set, topic index or None)
ASSESSMENTS = [
    ("MATH", "quiz", "Fractions quiz", 20, 0.25, 1),
    ("MATH", "assignment", "Decimals homework", 30, 0.5, 2),
    ("MATH", "exam", "Half-term test", 60, 0.75, None),
    ("ENG", "assignment", "Narrative essay", 40, 0.35, 1),
    ("ENG", "quiz", "Grammar quiz", 20, 0.7, 4),
    ("SCI", "practical", "Forces practical", 25, 0.3, 1),
    ("SCI", "quiz", "Particles quiz", 20, 0.65, 2),
    ("HIST", "project", "Roman project", 50, 0.55, 1),
]


@demo_step(order=15, name="subjects, topics, enrollments and assessments")
def seed_academics(demo: DemoSchool) -> None:
    school, year = demo.school, demo.extra.get("academic_year")
    if year is None or Subject.objects.filter(school=school).exists():
        return
    subjects = {}
    for code, (name, topics) in SUBJECTS.items():
        subject = Subject.objects.create(school=school, code=code, name=name, description=f"{name} for every form.")
        audit.record_create(actor=None, instance=subject)
        subjects[code] = subject
        Topic.objects.bulk_create(
            [
                Topic(
                    school=school,
                    subject=subject,
                    name=topic,
                    order_index=index + 1,
                    estimated_duration_minutes=50,
                    difficulty_level=("easy", "medium", "hard")[index % 3],
                )
                for index, topic in enumerate(topics)
            ]
        )
    audit.record_created_rows(Topic.objects.filter(school=school).order_by("pk"))
    topics = {code: list(Topic.objects.filter(subject=s).order_by("order_index")) for code, s in subjects.items()}
    forms = list(ClassGroup.objects.filter(academic_year=year).order_by("grade_level", "name"))
    students = list(Student.objects.filter(class_group__in=forms, status=Student.Status.ACTIVE).order_by("pk"))
    teacher = demo.users["teacher"]
    form_masters = {f.pk: f.form_master for f in forms}
    teachers = {
        "MATH": lambda s: teacher,
        "SCI": lambda s: teacher,
        "ENG": lambda s: form_masters[s.class_group_id],
        "HIST": lambda s: demo.users["fm2"],
    }
    SubjectEnrollment.objects.bulk_create(
        [
            SubjectEnrollment(
                school=school,
                student=s,
                subject=subjects[code],
                teacher=teachers[code](s),
                enrollment_date=year.start_date,
            )
            for s in students
            for code in SUBJECTS
        ],
        batch_size=2000,
    )
    audit.record_created_rows(SubjectEnrollment.objects.filter(school=school).order_by("pk").iterator(chunk_size=2000))

    # Assessments over the term so far (whatever today is: dates between the year's start and today).
    days = weekdays_between(year.start_date, max(year.start_date, demo.today - datetime.timedelta(days=1)))
    days = [d for d in days if d <= demo.today] or [min(demo.today, year.start_date)]
    rng = random.Random(f"academics-{school.code}")
    bands = grade_bands_ensure(school=school)
    # Each student's level per subject: most pass; about one in eight struggles in maths and English.
    ability = {}
    for s in students:
        base = rng.gauss(66, 12)
        struggling = rng.random() < 0.12
        for code in SUBJECTS:
            level = base + rng.gauss(0, 6)
            if struggling and code in ("MATH", "ENG"):
                level = rng.uniform(25, 45)
            ability[(s.pk, code)] = max(5.0, min(98.0, level))
    now = timezone.now()
    rows = []
    for code, kind, title, total, share, topic_index in ASSESSMENTS:
        day = days[min(len(days) - 1, int(share * (len(days) - 1)))]
        for s in students:
            percent = max(0.0, min(100.0, rng.gauss(ability[(s.pk, code)], 8)))
            marks = (Decimal(total) * Decimal(percent) / 100).quantize(Decimal("0.5"))
            row = Assessment(
                school=school,
                student=s,
                subject=subjects[code],
                class_group_id=s.class_group_id,
                topic=topics[code][topic_index] if topic_index is not None else None,
                assessment_type=kind,
                title=title,
                total_marks=Decimal(total),
                marks_obtained=min(marks, Decimal(total)),
                assessment_date=day,
                teacher=teachers[code](s),
                created_at=now,
                updated_at=now,
            )
            derive_result(row, bands)
            rows.append(row)
    # The end-of-term exam is still to come: pending, with no marks; it counts nowhere yet.
    exam_day = min(year.end_date, demo.today + datetime.timedelta(days=21))
    for s in students:
        row = Assessment(
            school=school,
            student=s,
            subject=subjects["MATH"],
            class_group_id=s.class_group_id,
            assessment_type="exam",
            title="End of term exam",
            total_marks=Decimal(100),
            assessment_date=exam_day,
            teacher=teacher,
            created_at=now,
            updated_at=now,
        )
        derive_result(row, bands)
        rows.append(row)
    Assessment.objects.bulk_create(rows, batch_size=2000)
    audit.record_created_rows(Assessment.objects.filter(school=school).order_by("pk").iterator(chunk_size=2000))
    demo.extra["subjects"] = subjects
    demo.log(
        f"{school.code}: {len(subjects)} subjects, {sum(len(t) for t in topics.values())} topics, "
        f"{len(students) * len(SUBJECTS)} enrollments, {len(rows)} assessments"
    )
