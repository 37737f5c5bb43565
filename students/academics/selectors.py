"""Reads of the academic records, each scoped to the actor's school and free of N+1 queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, FilteredRelation, Prefetch, Q, QuerySet

from core.tenancy import get_scoped
from students.academics.access import recordable_pairs_q
from students.academics.grading import grade_bands_ensure
from students.academics.models import Assessment, Subject, SubjectEnrollment, Topic, TopicProgress
from students.models import ClassGroup, Student


def subject_list(*, actor, status: str | None = None) -> QuerySet[Subject]:
    queryset = Subject.objects.for_actor(actor).annotate(topic_count=Count("topics"))
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("name", "id")


def subject_get(*, actor, id) -> Subject:
    return get_scoped(Subject, actor, pk=id)


def topic_list(*, subject: Subject) -> QuerySet[Topic]:
    """The subject's topics in syllabus order (`subject` comes from the scoped `subject_get`)."""
    return Topic.objects.filter(subject=subject).order_by("order_index", "id")


def topic_get(*, actor, id) -> Topic:
    return get_scoped(Topic.objects.select_related("subject"), actor, pk=id)


def assessment_list(
    *,
    actor,
    student: int | None = None,
    subject: int | None = None,
    class_group: int | None = None,
    status: str | None = None,
) -> QuerySet[Assessment]:
    queryset = Assessment.objects.for_actor(actor)
    if student is not None:
        queryset = queryset.filter(student_id=student)
    if subject is not None:
        queryset = queryset.filter(subject_id=subject)
    if class_group is not None:
        queryset = queryset.filter(student__class_group_id=class_group)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-assessment_date", "subject_id", "title", "student_id")


def recordable(*, actor, academic_year_id: int | None) -> tuple[list[ClassGroup], list[Subject], set[tuple[int, int]]]:
    """What a person may pick on the lesson and marks pages: the forms, the subjects and the (form,
    subject) pairs they record (students.academics.access). Three queries."""
    forms = ClassGroup.objects.for_actor(actor).select_related("form_master", "academic_year")
    if academic_year_id is not None:
        forms = forms.filter(academic_year_id=academic_year_id)
    forms = list(forms.order_by("grade_level", "name"))
    subjects = list(Subject.objects.for_actor(actor).filter(status=Subject.Status.ACTIVE).order_by("name"))
    q = recordable_pairs_q(actor)
    if q is None:
        pairs = {(f.pk, s.pk) for f in forms for s in subjects}
    else:
        taught = (
            SubjectEnrollment.objects.for_actor(actor)
            .filter(q, student__class_group__in=[f.pk for f in forms])
            .values_list("student__class_group_id", "subject_id")
            .distinct()
        )
        pairs = set(taught)
        owned = [f.pk for f in forms if f.form_master_id == actor.pk]
        pairs |= {(form_id, s.pk) for form_id in owned for s in subjects}
    forms = [f for f in forms if any(pair[0] == f.pk for pair in pairs)]
    subjects = [s for s in subjects if any(pair[1] == s.pk for pair in pairs)]
    return forms, subjects, pairs


# The marks sheet -----------------------------------------------------------------------------------


@dataclass
class MarksLine:
    student: Student
    assessment_id: int | None
    marks_obtained: Decimal | None
    percentage: Decimal | None
    grade: str
    version: int


def marks_sheet(
    *, class_group: ClassGroup, subject: Subject, assessment_type: str, title: str, date
) -> list[MarksLine]:
    """The form's active students with their row of the assessment, if any. One query."""
    key = Q(
        assessments__subject_id=subject.pk,
        assessments__assessment_type=assessment_type,
        assessments__title=title,
        assessments__assessment_date=date,
    )
    rows = (
        Student.objects.filter(class_group=class_group, status=Student.Status.ACTIVE)
        .annotate(row=FilteredRelation("assessments", condition=key))
        .values(
            "id",
            "student_id",
            "first_name",
            "last_name",
            "row__id",
            "row__marks_obtained",
            "row__percentage",
            "row__grade",
            "row__version",
        )
        .order_by("last_name", "first_name", "id")
    )
    return [
        MarksLine(
            student=Student(
                pk=row["id"], student_id=row["student_id"], first_name=row["first_name"], last_name=row["last_name"]
            ),
            assessment_id=row["row__id"],
            marks_obtained=row["row__marks_obtained"],
            percentage=row["row__percentage"],
            grade=row["row__grade"] or "",
            version=row["row__version"] or 0,
        )
        for row in rows
    ]


def recent_assessments_of_form(*, actor, class_group: ClassGroup, limit: int = 12) -> list[dict]:
    """The form's latest assessments (one line per subject, type, title and date) with how many are
    marked: to reopen a marks sheet. One query."""
    return list(
        Assessment.objects.for_actor(actor)
        .filter(class_group=class_group)
        .values("subject_id", "subject__name", "assessment_type", "title", "assessment_date", "total_marks", "topic_id")
        .annotate(rows=Count("id"), marked=Count("id", filter=Q(marks_obtained__isnull=False)), mean=Avg("percentage"))
        .order_by("-assessment_date", "subject__name", "title")[:limit]
    )


# The profile ---------------------------------------------------------------------------------------


@dataclass
class SubjectSummary:
    subject: Subject
    teacher: str | None = None
    graded: int = 0
    pending: int = 0
    mean_percentage: Decimal | None = None
    grade: str = ""
    latest: list[Assessment] = field(default_factory=list)
    topics: list[tuple[Topic, TopicProgress | None]] = field(default_factory=list)


def student_subjects(*, actor, student: Student) -> list[SubjectSummary]:
    """Per subject the student takes or was assessed in: the mean graded percentage this year and its
    grade (pending assessments do not count), the latest results, and the progress in each topic.
    Four queries (five the first time the school's grade bands are read)."""
    if student.school_id != actor.school_id:
        return []
    enrollments = list(
        SubjectEnrollment.objects.filter(student=student).select_related("subject", "teacher").order_by("subject__name")
    )
    assessments = list(
        Assessment.objects.filter(student=student)
        .select_related("subject", "topic")
        .order_by("-assessment_date", "-id")
    )
    subjects: dict[int, SubjectSummary] = {}
    for enrollment in enrollments:
        subjects[enrollment.subject_id] = SubjectSummary(
            subject=enrollment.subject, teacher=enrollment.teacher.display_name if enrollment.teacher else None
        )
    for assessment in assessments:
        summary = subjects.setdefault(assessment.subject_id, SubjectSummary(subject=assessment.subject))
        if assessment.marks_obtained is None:
            summary.pending += 1
            continue
        summary.graded += 1
        if len(summary.latest) < 3:
            summary.latest.append(assessment)
    if not subjects:
        return []
    bands = grade_bands_ensure(school=student.school)
    means = defaultdict(list)
    for assessment in assessments:
        if assessment.percentage is not None:
            means[assessment.subject_id].append(assessment.percentage)
    for subject_id, values in means.items():
        mean = (sum(values) / len(values)).quantize(Decimal("0.1"))
        subjects[subject_id].mean_percentage = mean
        subjects[subject_id].grade = bands.grade_for(mean)
    progress = {
        p.topic_id: p for p in TopicProgress.objects.filter(student=student, topic__subject_id__in=list(subjects))
    }
    topics = Topic.objects.filter(subject_id__in=list(subjects)).order_by("subject_id", "order_index", "id")
    for topic in topics:
        subjects[topic.subject_id].topics.append((topic, progress.get(topic.pk)))
    return sorted(subjects.values(), key=lambda s: s.subject.name)


def subject_with_topics(*, actor, id) -> Subject:
    return get_scoped(
        Subject.objects.prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("order_index", "id"))),
        actor,
        pk=id,
    )
