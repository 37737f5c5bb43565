"""Admissions: inquiries from prospective families and the follow-ups made on them (SPEC §9)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core.models import OptimisticLockMixin, School, SchoolScopedQuerySet


class Inquiry(OptimisticLockMixin, models.Model):
    class Source(models.TextChoices):
        WEBSITE = "website", "Website"
        REFERRAL = "referral", "Referral"
        WALK_IN = "walk_in", "Walk-in"
        SOCIAL_MEDIA = "social_media", "Social media"
        CAMPAIGN = "campaign", "Campaign"

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        FOLLOW_UP_SCHEDULED = "follow_up_scheduled", "Follow-up scheduled"
        ENROLLED = "enrolled", "Enrolled"
        LOST = "lost", "Lost"

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    OPEN_STATUSES = (Status.NEW, Status.CONTACTED, Status.FOLLOW_UP_SCHEDULED)

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="inquiries")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="inquiries"
    )
    student_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)
    # The subjects the family asked about (the score's interest-breadth part).
    interested_subjects = models.ManyToManyField("students.Subject", blank=True, related_name="inquiries")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.WEBSITE)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    next_follow_up_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    tags = models.CharField(max_length=200, blank=True, help_text="Comma-separated, e.g. “sibling, bursary”.")
    # The score and the parts it is the sum of (see students/admissions/scoring.py), as of `scored_on`.
    lead_score = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)], editable=False
    )
    lead_score_parts = models.JSONField(default=list, blank=True, editable=False)
    scored_on = models.DateField(null=True, blank=True, editable=False)
    # The day the family got in touch: the funnel's months and ?from=&to= count from it.
    received_on = models.DateField(default=timezone.localdate)
    # The day of the last completed follow-up (None: never contacted); the score's recency part.
    last_contacted_on = models.DateField(null=True, blank=True, editable=False)
    # The stage an inquiry had reached when it was lost, so that the funnel counts it up to there.
    lost_at_stage = models.CharField(max_length=24, choices=Status.choices, blank=True, editable=False)
    # The student created when the inquiry was enrolled.
    student = models.ForeignKey(
        "students.Student", on_delete=models.SET_NULL, null=True, blank=True, related_name="inquiries"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-lead_score", "-received_on", "-id"]
        verbose_name_plural = "inquiries"
        constraints = [
            models.CheckConstraint(condition=models.Q(lead_score__lte=100), name="inquiry_lead_score_at_most_100"),
        ]
        indexes = [
            models.Index(fields=["school", "status", "lead_score"]),
            models.Index(fields=["school", "next_follow_up_date"]),
            models.Index(fields=["school", "received_on"]),
        ]

    def __str__(self):
        return self.student_name

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]


class FollowUp(models.Model):
    class Type(models.TextChoices):
        CALL = "call", "Call"
        EMAIL = "email", "Email"
        VISIT = "visit", "Visit"
        SMS = "sms", "SMS"
        WHATSAPP = "whatsapp", "WhatsApp"

    class Status(models.TextChoices):
        COMPLETED = "completed", "Completed"
        PENDING = "pending", "Pending"
        MISSED = "missed", "Missed"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="follow_ups")
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups"
    )
    follow_up_date = models.DateField()
    follow_up_type = models.CharField(max_length=10, choices=Type.choices, default=Type.CALL)
    notes = models.TextField(blank=True)
    next_follow_up_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMPLETED)
    outcome = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-follow_up_date", "-id"]
        indexes = [
            models.Index(fields=["inquiry", "status"]),
            models.Index(fields=["status", "follow_up_date"]),
        ]

    def __str__(self):
        return f"{self.get_follow_up_type_display()} on {self.follow_up_date:%d %b %Y} ({self.get_status_display()})"
