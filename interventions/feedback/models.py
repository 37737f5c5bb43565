"""Feedback from students and families (SPEC §9) and the single-use links they answer."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core.models import OptimisticLockMixin, School, SchoolScopedQuerySet


class FeedbackType(models.TextChoices):
    SESSION = "session", "Session"
    PROGRAM = "program", "Program"
    SCHOOL = "school", "School"
    FACILITY = "facility", "Facility"


class FeedbackAbout(models.Model):
    """What a feedback (or the link asking for it) is about; all optional (a school or facility question
    names none)."""

    student = models.ForeignKey(
        "students.Student", on_delete=models.SET_NULL, null=True, blank=True, related_name="%(class)s_rows"
    )
    intervention = models.ForeignKey(
        "interventions.Intervention", on_delete=models.SET_NULL, null=True, blank=True, related_name="%(class)s_rows"
    )
    session = models.ForeignKey(
        "interventions.InterventionSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="%(class)s_rows",
    )

    class Meta:
        abstract = True


class Feedback(OptimisticLockMixin, FeedbackAbout):
    class Sentiment(models.TextChoices):
        POSITIVE = "positive", "Positive"
        NEUTRAL = "neutral", "Neutral"
        NEGATIVE = "negative", "Negative"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        REVIEWED = "reviewed", "Reviewed"
        RESOLVED = "resolved", "Resolved"

    Type = FeedbackType

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comments = models.TextField(blank=True)
    feedback_type = models.CharField(max_length=10, choices=FeedbackType.choices, default=FeedbackType.PROGRAM)
    # VADER's compound score of the comment (−1 … 1) and its label (interventions/feedback/sentiment.py).
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, default=Sentiment.NEUTRAL)
    sentiment_score = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="reviewed_feedback"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"),
        ]
        indexes = [
            models.Index(fields=["school", "status", "sentiment"]),
            models.Index(fields=["school", "submitted_at"]),
        ]

    def __str__(self):
        return f"{self.rating}★ {self.get_sentiment_display().lower()} ({self.get_feedback_type_display()})"


class FeedbackLink(FeedbackAbout):
    """A feedback link sent to a student or family. The signed token in the link carries only `nonce`;
    `used_at` is set when it is answered, so that it works once."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=43, unique=True, editable=False)
    feedback_type = models.CharField(max_length=10, choices=FeedbackType.choices, default=FeedbackType.PROGRAM)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    # The contact-log row that carried the link to the family (None until it is sent).
    sent_to = models.CharField(max_length=254, blank=True, help_text="The address or number it was sent to.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    feedback = models.OneToOneField(Feedback, on_delete=models.SET_NULL, null=True, blank=True, related_name="link")

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Feedback link {self.pk} ({'used' if self.used_at else 'open'})"
