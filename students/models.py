from django.conf import settings
from django.db import models

from core.models import OptimisticLockMixin, School, SchoolScopedQuerySet


class AcademicYear(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="academic_years")
    name = models.CharField(max_length=50)
    start_date = models.DateField()
    end_date = models.DateField()
    is_current = models.BooleanField(default=False)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="academic_year_unique_name_per_school"),
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")), name="academic_year_end_after_start"
            ),
        ]

    def __str__(self):
        return self.name


class ClassGroup(models.Model):
    """A form, e.g. "Form 2B", with its form master."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="class_groups")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="class_groups")
    name = models.CharField(max_length=50)
    grade_level = models.PositiveSmallIntegerField()
    form_master = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forms",
    )

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["grade_level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "name"], name="class_group_unique_name_per_year"),
        ]

    def __str__(self):
        return self.name


class Student(OptimisticLockMixin, models.Model):
    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        TRANSFERRED = "transferred", "Transferred"
        GRADUATED = "graduated", "Graduated"
        WITHDRAWN = "withdrawn", "Withdrawn"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="students")
    # The school's admission number.
    student_id = models.CharField(max_length=32)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=10, choices=Gender.choices, blank=True)
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="students"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    guardian_name = models.CharField(max_length=200, blank=True)
    guardian_phone = models.CharField(max_length=50, blank=True)
    guardian_email = models.EmailField(blank=True)
    # The postal address letters are sent to, as it is written on an envelope (one line per line).
    guardian_address = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "student_id"], name="student_unique_admission_number"),
        ]
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["school", "last_name", "first_name"]),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


# Academic records live in their own module of this app (subjects, topics, assessments).
from students.academics.models import (  # noqa: E402, F401
    Assessment,
    GradeBands,
    Subject,
    SubjectEnrollment,
    Topic,
    TopicProgress,
)

# Admissions keeps its models in its own package (students/admissions/); they belong to this app.
from students.admissions.models import FollowUp, Inquiry  # noqa: E402,F401

# Models of the parts of the students app (import last: they refer to the models above).
from students.behaviour.models import BehaviourRecord  # noqa: E402, F401
