"""Program outcomes (SPEC §7): progress notes, exit criteria and the recommendations they lead to."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from core.models import OptimisticLockMixin, School, SchoolScopedQuerySet, marker_while


class ProgressNote(models.Model):
    """Append-only: how an enrolled student is doing, with a rating on the program's scale."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    intervention = models.ForeignKey(
        "interventions.Intervention", on_delete=models.CASCADE, related_name="progress_notes"
    )
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="progress_notes")
    note = models.TextField()
    rating = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    metric_value = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(db_index=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-entered_at", "-id"]
        indexes = [models.Index(fields=["intervention", "student", "entered_at"], name="idx_note_program_student")]

    def __str__(self):
        return f"Note on {self.student} in {self.intervention_id} at {self.entered_at:%Y-%m-%d}"


class ExitCriteria(models.Model):
    class ThresholdType(models.TextChoices):
        ATTENDANCE = "attendance", "School attendance rate (%)"
        PROGRESS = "progress", "Mean rating"
        CUSTOM_METRIC = "custom_metric", "Mean of a custom metric"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    intervention = models.ForeignKey(
        "interventions.Intervention", on_delete=models.CASCADE, related_name="exit_criteria"
    )
    threshold_type = models.CharField(max_length=20, choices=ThresholdType.choices)
    target_value = models.DecimalField(max_digits=9, decimal_places=2)
    window = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    metric_name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "exit criteria"
        ordering = ["intervention_id", "id"]

    def __str__(self):
        name = self.metric_name or self.get_threshold_type_display()
        return f"{name} ≥ {self.target_value} over the last {self.window}"


class ExitRecommendation(OptimisticLockMixin, models.Model):
    """Written by the evaluation when an enrollment meets every criterion of its program; a person
    accepts (the student exits) or dismisses it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    enrollment = models.ForeignKey(
        "interventions.Enrollment", on_delete=models.CASCADE, related_name="exit_recommendations"
    )
    figures = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # 1 while pending, NULL once decided: at most one pending recommendation per enrollment, on every database.
    pending_marker = marker_while(status="pending")

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "pending_marker"], name="recommendation_one_pending"),
        ]
        indexes = [models.Index(fields=["school", "status"], name="idx_recommendation_status")]

    def __str__(self):
        return f"Exit recommendation for enrollment {self.enrollment_id} ({self.status})"
