"""Subjects and their topics, who takes which subject, topic progress and assessments (SPEC §8).

Every row carries its school (denormalised from the student or subject) so that
`SchoolScopedQuerySet.for_actor` scopes it like every other domain row."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from core.models import OptimisticLockMixin, School, SchoolScopedQuerySet


class GradeBands(models.Model):
    """A school's grade bands: the lowest percentage of each grade (SPEC defaults A ≥ 80, B ≥ 70,
    C ≥ 60, D ≥ 50, else F)."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="grade_bands")
    a_min = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("80"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    b_min = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("70"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    c_min = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("60"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    d_min = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Below this percentage the grade is F.",
    )

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "grade bands"
        verbose_name_plural = "grade bands"
        constraints = [
            models.CheckConstraint(
                condition=Q(a_min__gt=F("b_min")) & Q(b_min__gt=F("c_min")) & Q(c_min__gt=F("d_min")),
                name="grade_bands_descending",
            ),
        ]

    def __str__(self):
        return f"Grade bands for {self.school}"

    def bands(self) -> list[tuple[str, Decimal]]:
        return [("A", self.a_min), ("B", self.b_min), ("C", self.c_min), ("D", self.d_min)]

    def grade_for(self, percentage: Decimal | None) -> str:
        """The grade of a percentage ("" for none: a pending assessment has no grade)."""
        if percentage is None:
            return ""
        for grade, lowest in self.bands():
            if percentage >= lowest:
                return grade
        return "F"


def percentage_of(marks_obtained: Decimal | None, total_marks: Decimal) -> Decimal | None:
    """Marks as a percentage of the total, to two places (None while pending)."""
    if marks_obtained is None:
        return None
    return (Decimal(marks_obtained) * 100 / Decimal(total_marks)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class Subject(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="subjects")
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=20, help_text="Short code, unique in the school (e.g. MATH).")
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="subject_unique_code_per_school")]

    def __str__(self):
        return self.name


class Topic(models.Model):
    class Difficulty(models.TextChoices):
        EASY = "easy", "Easy"
        MEDIUM = "medium", "Medium"
        HARD = "hard", "Hard"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(max_length=200)
    order_index = models.PositiveIntegerField(default=0, help_text="Where the topic comes in the syllabus.")
    estimated_duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    difficulty_level = models.CharField(max_length=10, choices=Difficulty.choices, default=Difficulty.MEDIUM)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["subject", "order_index", "id"]
        constraints = [models.UniqueConstraint(fields=["subject", "name"], name="topic_unique_name_per_subject")]

    def __str__(self):
        return self.name


class SubjectEnrollment(models.Model):
    """A student takes a subject, taught by `teacher`: that teacher records the student's lessons and
    assessments in the subject."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        DROPPED = "dropped", "Dropped"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="subject_enrollments")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="enrollments")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="subject_enrollments"
    )
    enrollment_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["subject", "student"]
        constraints = [
            models.UniqueConstraint(fields=["student", "subject"], name="subject_enrollment_unique_student_subject")
        ]
        indexes = [models.Index(fields=["school", "teacher", "status"])]

    def __str__(self):
        return f"{self.student} in {self.subject}"


class TopicProgress(models.Model):
    """How far a student has come with a topic; kept by `students.academics.progress`."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        MASTERED = "mastered", "Mastered"
        NEEDS_REVIEW = "needs_review", "Needs review"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="topic_progress")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="progress")
    competency_level = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(5)])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    evidence_count = models.PositiveIntegerField(default=0, help_text="Lessons and assessments counted so far.")
    last_evidence_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["student", "topic"]
        verbose_name_plural = "topic progress"
        constraints = [
            models.UniqueConstraint(fields=["student", "topic"], name="topic_progress_unique_student_topic"),
            models.CheckConstraint(
                condition=Q(competency_level__gte=0, competency_level__lte=5), name="topic_progress_competency_0_5"
            ),
        ]

    def __str__(self):
        return f"{self.student}: {self.topic} ({self.competency_level}/5)"


class Assessment(OptimisticLockMixin, models.Model):
    """One student's result in a quiz, assignment, project, exam or practical. `percentage` and
    `grade` are derived from the marks and the school's grade bands by the services; an assessment
    without marks is pending and counts nowhere."""

    class Type(models.TextChoices):
        QUIZ = "quiz", "Quiz"
        ASSIGNMENT = "assignment", "Assignment"
        PROJECT = "project", "Project"
        EXAM = "exam", "Exam"
        PRACTICAL = "practical", "Practical"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        COMPLETED = "completed", "Completed"
        GRADED = "graded", "Graded"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="assessments")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="assessments")
    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="assessments")
    # The form the assessment was set for (a whole-form marks entry); blank for a single student's.
    class_group = models.ForeignKey(
        "students.ClassGroup", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessment_type = models.CharField(max_length=12, choices=Type.choices)
    title = models.CharField(max_length=200)
    total_marks = models.DecimalField(max_digits=6, decimal_places=2)
    marks_obtained = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    percentage = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, editable=False)
    grade = models.CharField(max_length=2, blank=True, editable=False)
    assessment_date = models.DateField()
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    feedback = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-assessment_date", "subject", "title", "student"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "subject", "assessment_type", "title", "assessment_date"],
                name="assessment_unique_per_student",
            ),
            models.CheckConstraint(condition=Q(total_marks__gt=0), name="assessment_total_marks_positive"),
            models.CheckConstraint(
                condition=Q(marks_obtained__isnull=True)
                | Q(marks_obtained__gte=0, marks_obtained__lte=F("total_marks")),
                name="assessment_marks_within_total",
                violation_error_message="Marks obtained must be from 0 to the total marks.",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "subject", "assessment_date"]),
            models.Index(fields=["school", "student", "status"]),
        ]

    def __str__(self):
        return f"{self.title} ({self.subject}) {self.student}"

    @property
    def is_pending(self) -> bool:
        return self.marks_obtained is None
