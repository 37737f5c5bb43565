from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Value, When

from core.models import OptimisticLockMixin, School, SchoolScopedQuerySet, marker_while, uniqueness_marker


class Level(models.TextChoices):
    """How serious: an alert's severity and a meeting's urgency are the same three levels."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class AlertSettings(models.Model):
    """A school's early-warning thresholds (SPEC defaults)."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="alert_settings")
    consecutive_absence_days = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(2)])
    low_attendance_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("90.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Alert when the attendance rate over the window is below this percentage.",
    )
    low_attendance_window_days = models.PositiveSmallIntegerField(default=30, validators=[MinValueValidator(1)])
    chronic_absence_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Alert when this percentage or more of this year's school days were missed, any reason.",
    )
    pattern_min_count = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(2)])
    pattern_window_weeks = models.PositiveSmallIntegerField(default=6, validators=[MinValueValidator(1)])
    missed_lessons_threshold = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1)],
        help_text="Alert when a student present at the morning register misses this many lessons or more.",
    )
    missed_lessons_window_days = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1)], help_text="Over this many school days."
    )

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "alert settings"
        verbose_name_plural = "alert settings"

    def __str__(self):
        return f"Alert settings for {self.school}"


class Alert(OptimisticLockMixin, models.Model):
    class Kind(models.TextChoices):
        CONSECUTIVE_ABSENCES = "consecutive_absences", "Consecutive absences"
        LOW_ATTENDANCE = "low_attendance", "Low attendance"
        CHRONIC_ABSENCE = "chronic_absence", "Chronic absence"
        RECURRING_PATTERN = "recurring_pattern", "Recurring weekday pattern"
        MISSED_LESSONS = "missed_lessons", "Missed lessons after registration"
        BEHAVIOUR_THRESHOLD = "behaviour_threshold", "Behaviour letter due"

    Severity = Level

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    ACTIVE_STATUSES = (Status.OPEN, Status.ACKNOWLEDGED)

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="alerts")
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    details = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_alerts"
    )
    note = models.TextField(blank=True, help_text="Why it was acknowledged, resolved or dismissed.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # 1 while open or acknowledged, NULL otherwise: the unique constraint below then allows one active
    # alert per (student, kind) on MySQL/MariaDB too, which ignore conditional unique constraints.
    active_marker = marker_while(status__in=["open", "acknowledged"])

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "kind", "active_marker"], name="alert_one_active_per_student_kind"
            ),
        ]
        indexes = [
            models.Index(fields=["school", "status", "severity"]),
            models.Index(fields=["school", "assigned_to", "status"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.student}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class InterventionMeeting(OptimisticLockMixin, models.Model):
    class RootCause(models.TextChoices):
        HEALTH = "health", "Health"
        FAMILY = "family", "Family"
        ACADEMIC = "academic", "Academic"
        FINANCIAL = "financial", "Financial"
        BEHAVIORAL = "behavioral", "Behavioural"
        OTHER = "other", "Other"

    Urgency = Level

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MONITORING = "monitoring", "Monitoring"
        IMPROVING = "improving", "Improving"
        NOT_IMPROVING = "not_improving", "Not improving"
        ESCALATED = "escalated", "Escalated"
        CLOSED = "closed", "Closed"

    # The only status moves allowed; closed is final (record a new meeting instead).
    ALLOWED_TRANSITIONS = {
        Status.OPEN: {Status.MONITORING, Status.ESCALATED, Status.CLOSED},
        Status.MONITORING: {Status.IMPROVING, Status.NOT_IMPROVING, Status.ESCALATED, Status.CLOSED},
        Status.IMPROVING: {Status.MONITORING, Status.NOT_IMPROVING, Status.CLOSED},
        Status.NOT_IMPROVING: {Status.MONITORING, Status.IMPROVING, Status.ESCALATED, Status.CLOSED},
        Status.ESCALATED: {Status.MONITORING, Status.CLOSED},
        Status.CLOSED: set(),
    }

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="intervention_meetings")
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="intervention_meetings")
    alert = models.ForeignKey(Alert, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings")
    meeting_date = models.DateField()
    absence_reason = models.TextField()
    root_cause = models.CharField(max_length=20, choices=RootCause.choices)
    intervention_notes = models.TextField()
    action_plan = models.TextField()
    follow_up_date = models.DateField(null=True, blank=True)
    urgency_level = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.MEDIUM)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intervention_meetings"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # 1 while not closed, NULL when closed: one active meeting per (student, root_cause) on every database.
    active_marker = uniqueness_marker(Case(When(status="closed", then=Value(None)), default=Value(1)))

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-meeting_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "root_cause", "active_marker"],
                name="unique_active_intervention_per_cause",
            ),
        ]
        indexes = [
            models.Index(fields=["student", "status"], name="idx_meeting_student_status"),
            models.Index(fields=["school", "status"], name="idx_meeting_school_status"),
            models.Index(fields=["school", "urgency_level"], name="idx_meeting_school_urgency"),
            models.Index(fields=["school", "follow_up_date"], name="idx_meeting_school_followup"),
        ]

    def __str__(self):
        return f"{self.student} – {self.get_root_cause_display()} ({self.meeting_date})"

    def can_move_to(self, new_status: str) -> bool:
        return new_status in self.ALLOWED_TRANSITIONS.get(self.status, set())


class ProgressUpdate(models.Model):
    """Append-only notes on a meeting; newest first. A status change made with it is kept on it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(InterventionMeeting, on_delete=models.CASCADE, related_name="progress_updates")
    update_text = models.TextField()
    previous_status = models.CharField(max_length=20, blank=True)
    new_status = models.CharField(max_length=20, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Update on {self.meeting_id} at {self.created_at:%Y-%m-%d %H:%M}"


class FollowUpReminder(models.Model):
    """One reminder email sent about one overdue meeting on one day (so a second run sends nothing new)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(InterventionMeeting, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "sent_on"], name="reminder_once_per_meeting_day"),
        ]

    def __str__(self):
        return f"Reminder for meeting {self.meeting_id} on {self.sent_on}"


# Intervention programs live in their own module; importing them here registers them with the app.
# The contact log's models live beside its services; imported here so that Django finds them.
from interventions.communications.models import (  # noqa: E402, F401, I001
    AbsenceNoticeSettings,
    Channel,
    CommunicationLog,
    CommunicationTemplate,
)

# Feedback lives in its own module; importing it here registers it with the app.
from interventions.feedback.models import Feedback, FeedbackLink  # noqa: E402, F401
from interventions.programs.models import (  # noqa: E402, F401
    Enrollment,
    Intervention,
    InterventionSession,
    InterventionTemplate,
    ScheduleLock,
    SessionAttendance,
)
from interventions.outcomes.models import ExitCriteria, ExitRecommendation, ProgressNote  # noqa: E402, F401

# Models of the parts of the interventions app.
from interventions.risk.models import RiskSettings, StudentRisk  # noqa: E402, F401
