from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import OptimisticLockMixin, School, SchoolScopedQuerySet


class BehaviourRecord(OptimisticLockMixin, models.Model):
    """A reward or a penalty given to a student (seed 002's Rewards_Penalties). A penalty counts towards
    the behaviour indicator and the behaviour letters unless an appeal was resolved in the student's
    favour (`resolved` with `upheld` false)."""

    class Type(models.TextChoices):
        REWARD = "reward", "Reward"
        PENALTY = "penalty", "Penalty"

    class Category(models.TextChoices):
        ATTENDANCE = "attendance", "Attendance"
        PERFORMANCE = "performance", "Performance"
        BEHAVIOR = "behavior", "Behaviour"
        ASSIGNMENT = "assignment", "Assignment"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        APPEALED = "appealed", "Appealed"
        RESOLVED = "resolved", "Resolved"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="behaviour_records")
    type = models.CharField(max_length=10, choices=Type.choices)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.BEHAVIOR)
    reason = models.CharField(max_length=500)
    points = models.PositiveSmallIntegerField(default=1)
    date = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    upheld = models.BooleanField(default=True, help_text="False when an appeal was resolved in the student's favour.")
    appeal_reason = models.TextField(blank=True)
    resolution_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="behaviour_points_positive"),
        ]
        indexes = [
            models.Index(fields=["school", "date"], name="idx_behaviour_school_date"),
            models.Index(fields=["student", "date"], name="idx_behaviour_student_date"),
        ]

    def __str__(self):
        return f"{self.get_type_display()} for {self.student} on {self.date}"

    @property
    def counts(self) -> bool:
        return self.type == self.Type.PENALTY and not (self.status == self.Status.RESOLVED and not self.upheld)


# The penalties that count (the behaviour indicator, the behaviour letters): every penalty except one
# whose appeal was resolved in the student's favour.
COUNTED_PENALTY = Q(type=BehaviourRecord.Type.PENALTY) & ~Q(status=BehaviourRecord.Status.RESOLVED, upheld=False)
