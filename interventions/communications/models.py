"""The contact log: message templates, every contact with a student's guardian, and the absence notices."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.models import OptimisticLockMixin, School, SchoolScopedQuerySet


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    LETTER = "letter", "Letter"
    PHONE = "phone", "Phone call"
    IN_PERSON = "in_person", "In person"


class CommunicationTemplate(OptimisticLockMixin, models.Model):
    """A message staff send again and again; `{placeholders}` are filled in per student when sent."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="communication_templates")
    name = models.CharField(max_length=200)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["channel", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "channel", "name"], name="communication_template_unique_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_channel_display()})"


class CommunicationLog(models.Model):
    """One contact with a student's guardian: a message sent (or that failed to send) or a contact staff
    made. A failed send stays here with its error until it is retried."""

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        LOGGED = "logged", "Logged"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="communication_logs")
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="communications")
    intervention = models.ForeignKey(
        "interventions.Intervention",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communications",
        help_text="The program the contact is about, if any.",
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    template = models.ForeignKey(
        CommunicationTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="communications"
    )
    recipient = models.TextField(help_text="The address, number or person the contact went to.")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    sent_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    # The day of absence an automatic notice is about; unique per student, so a day is never notified
    # twice (NULLs never collide: contacts made by staff carry none).
    absence_date = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["student", "absence_date"], name="communication_one_absence_notice"),
        ]
        indexes = [
            models.Index(fields=["school", "student", "created_at"], name="idx_comm_school_student"),
            models.Index(fields=["school", "status"], name="idx_comm_school_status"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} to {self.recipient} ({self.status})"


class AbsenceNoticeSettings(models.Model):
    """A school's automatic absence notices (`notify_guardians_of_absence`): off until switched on."""

    class NoticeChannel(models.TextChoices):
        EMAIL = Channel.EMAIL.value, Channel.EMAIL.label
        SMS = Channel.SMS.value, Channel.SMS.label

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="absence_notice_settings")
    enabled = models.BooleanField(
        default=False, help_text="Send the guardian of a student marked absent with no reason one message that day."
    )
    channel = models.CharField(max_length=10, choices=NoticeChannel.choices, default=NoticeChannel.EMAIL)
    template = models.ForeignKey(
        CommunicationTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A template of the same channel; without one a standard message is sent.",
    )

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "absence notice settings"
        verbose_name_plural = "absence notice settings"

    def __str__(self):
        return f"Absence notices for {self.school}"
