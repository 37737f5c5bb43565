"""Lessons with topic-tagged attendance (SPEC §8, seed 002's quick attendance)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.models import OptimisticLockMixin, School, SchoolScopedQuerySet


class Lesson(OptimisticLockMixin, models.Model):
    """One period of a subject taught to a form; its attendance is a LessonAttendance per student.
    One lesson per (form, subject, date, start time): saving it again updates it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="lessons")
    class_group = models.ForeignKey("students.ClassGroup", on_delete=models.CASCADE, related_name="lessons")
    subject = models.ForeignKey("students.Subject", on_delete=models.PROTECT, related_name="lessons")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="lessons"
    )
    date = models.DateField()
    start_time = models.TimeField()
    topics_covered = models.ManyToManyField("students.Topic", through="LessonTopic", related_name="lessons", blank=True)
    recorded_at = models.DateTimeField()

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-start_time", "class_group"]
        constraints = [
            models.UniqueConstraint(
                fields=["class_group", "subject", "date", "start_time"], name="lesson_unique_form_subject_period"
            ),
        ]
        indexes = [models.Index(fields=["school", "date"])]

    def __str__(self):
        return f"{self.subject} {self.class_group} {self.date} {self.start_time:%H:%M}"


class LessonTopic(models.Model):
    """A topic covered in a lesson."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="lesson_topics")
    topic = models.ForeignKey("students.Topic", on_delete=models.CASCADE, related_name="+")

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["lesson", "topic"]
        constraints = [models.UniqueConstraint(fields=["lesson", "topic"], name="lesson_topic_unique")]

    def __str__(self):
        return f"{self.lesson}: {self.topic}"


class LessonAttendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        LATE = "late", "Late"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attendance")
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="lesson_attendance")
    # The lesson's date, kept on the row so that the rules read a student's lessons by day on one index.
    date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PRESENT)
    understanding = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="How well the student followed the lesson, 1–5 (optional).",
    )
    notes = models.CharField(max_length=255, blank=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["lesson", "student"]
        verbose_name_plural = "lesson attendance"
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student"], name="lesson_attendance_unique_student"),
            models.CheckConstraint(
                condition=Q(understanding__isnull=True) | Q(understanding__gte=1, understanding__lte=5),
                name="lesson_attendance_understanding_1_5",
            ),
        ]
        indexes = [models.Index(fields=["school", "status", "date"])]

    def __str__(self):
        return f"{self.student} {self.lesson}: {self.status}"
