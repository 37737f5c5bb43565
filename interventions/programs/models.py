"""Intervention programs (SPEC §7): templates, programs, their sessions, enrollments and session
attendance, and the lock rows that serialise the no-overlap checks of sessions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower, Trim
from django.utils import timezone

from core.models import OptimisticLockMixin, School, SchoolScopedQuerySet, User, marker_while


class Tier(models.IntegerChoices):
    TIER_2 = 2, "Tier 2"
    TIER_3 = 3, "Tier 3"


class Frequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    CUSTOM = "custom", "Custom"


class LocationType(models.TextChoices):
    CLASSROOM = "classroom", "Classroom"
    OFFICE = "office", "Office"
    ONLINE = "online", "Online"
    OFFSITE = "offsite", "Off-site"


class ProgressMetric(models.TextChoices):
    LIKERT = "likert", "Likert (1–5)"
    PERCENT = "percent", "Percent (0–100)"


class InterventionTemplate(OptimisticLockMixin, models.Model):
    """A reusable shape of program. A program copies what it needs from its template when it is made,
    so editing a template never changes programs already made from it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="intervention_templates")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    sessions_per_week = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    duration_minutes = models.PositiveSmallIntegerField(
        default=45, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    location_type = models.CharField(max_length=10, choices=LocationType.choices, default=LocationType.CLASSROOM)
    default_facilitator_role = models.CharField(max_length=20, choices=User.Role.choices, default=User.Role.COUNSELOR)
    progress_metric = models.CharField(max_length=10, choices=ProgressMetric.choices, default=ProgressMetric.LIKERT)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.TIER_2)
    default_weeks = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions_per_week__gte=1, sessions_per_week__lte=5), name="template_sessions_per_week_1_5"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=240), name="template_duration_5_240"
            ),
            models.CheckConstraint(
                condition=Q(default_weeks__gte=1, default_weeks__lte=12), name="template_weeks_1_12"
            ),
        ]

    def __str__(self):
        return self.name


class Intervention(OptimisticLockMixin, models.Model):
    """A program: a group of students meeting in sessions, run by its owner."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    # The only status moves allowed; completed and cancelled are final.
    ALLOWED_TRANSITIONS = {
        Status.DRAFT: {Status.ACTIVE, Status.CANCELLED},
        Status.ACTIVE: {Status.COMPLETED, Status.CANCELLED},
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
    }
    OPEN_STATUSES = (Status.DRAFT, Status.ACTIVE)

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="interventions")
    name = models.CharField(max_length=200)
    objective = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_interventions")
    template = models.ForeignKey(
        InterventionTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="interventions"
    )
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.TIER_2)
    # Copied from the template when the program is made (a later template edit leaves them as they are).
    duration_minutes = models.PositiveSmallIntegerField(
        default=45, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    sessions_per_week = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    progress_metric = models.CharField(max_length=10, choices=ProgressMetric.choices, default=ProgressMetric.LIKERT)
    location_type = models.CharField(max_length=10, choices=LocationType.choices, default=LocationType.CLASSROOM)
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="intervention_end_after_start"),
        ]
        indexes = [
            models.Index(fields=["school", "status"], name="idx_program_school_status"),
            models.Index(fields=["school", "owner", "status"], name="idx_program_school_owner"),
        ]

    def __str__(self):
        return self.name

    def can_move_to(self, new_status: str) -> bool:
        return new_status in self.ALLOWED_TRANSITIONS.get(self.status, set())

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class InterventionSession(OptimisticLockMixin, models.Model):
    """One meeting of a program's group. Sessions that are not cancelled never overlap (half-open
    intervals) for one facilitator, one location or one actively enrolled student: held by the
    program services, which serialise writers on `ScheduleLock` rows (MySQL has no exclusion
    constraints)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    ALLOWED_TRANSITIONS = {
        Status.SCHEDULED: {Status.COMPLETED, Status.CANCELLED},
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
    }

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="intervention_sessions")
    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="sessions")
    start_time = models.DateTimeField()
    end_time = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    # The location as compared for clashes: ignoring case and surrounding spaces ("" never clashes).
    location_key = models.GeneratedField(
        expression=Lower(Trim("location")),
        output_field=models.CharField(max_length=200),
        db_persist=True,
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_sessions"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(max_length=300, blank=True)
    attendance_taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attendance_taken_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["start_time", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="session_end_after_start"),
        ]
        indexes = [
            models.Index(fields=["school", "facilitator", "start_time"], name="idx_session_facilitator_time"),
            models.Index(fields=["school", "location_key", "start_time"], name="idx_session_location_time"),
            models.Index(fields=["school", "start_time"], name="idx_session_school_time"),
            models.Index(fields=["intervention", "start_time"], name="idx_session_program_time"),
        ]

    def __str__(self):
        return f"{self.intervention} – {timezone.localtime(self.start_time):%Y-%m-%d %H:%M}"

    def can_move_to(self, new_status: str) -> bool:
        return new_status in self.ALLOWED_TRANSITIONS.get(self.status, set())


class Enrollment(OptimisticLockMixin, models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", "Manual"
        AUTO = "auto", "Automatic"
        RISK_LIST = "risk_list", "Risk list"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXITED = "exited", "Exited"

    ALLOWED_TRANSITIONS = {
        Status.ACTIVE: {Status.WITHDRAWN, Status.EXITED},
        Status.WITHDRAWN: set(),
        Status.EXITED: set(),
    }

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="enrollments")
    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="enrollments")
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="program_enrollments")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(default=timezone.now)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    exit_reason = models.TextField(blank=True)
    referred_by_meeting = models.ForeignKey(
        "interventions.InterventionMeeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="program_referrals",
    )
    baseline = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    goal = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    goal_date = models.DateField(null=True, blank=True)
    # 1 while active, NULL otherwise: one active enrollment per (program, student) on every database.
    active_marker = marker_while(status="active")

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "student", "active_marker"], name="enrollment_one_active_per_student"
            ),
        ]
        indexes = [
            models.Index(fields=["school", "student", "status"], name="idx_enrollment_student_status"),
            models.Index(fields=["intervention", "status"], name="idx_enrollment_program_status"),
        ]

    def __str__(self):
        return f"{self.student} in {self.intervention}"

    def can_move_to(self, new_status: str) -> bool:
        return new_status in self.ALLOWED_TRANSITIONS.get(self.status, set())

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class SessionAttendance(models.Model):
    """A student's attendance at one session; saved again, it is updated in place (idempotent)."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        EXCUSED = "excused", "Excused"
        TARDY = "tardy", "Tardy"

    ATTENDED = (Status.PRESENT, Status.TARDY)

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(InterventionSession, on_delete=models.CASCADE, related_name="attendance")
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="session_attendance")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PRESENT)
    notes = models.CharField(max_length=500, blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["session_id", "student_id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "student"], name="session_attendance_unique_student"),
        ]
        indexes = [
            models.Index(fields=["school", "student"], name="idx_session_att_student"),
        ]

    def __str__(self):
        return f"{self.student} at {self.session}: {self.get_status_display()}"


class ScheduleLock(models.Model):
    """One row per thing that must not be double-booked (`facilitator:<id>`, `location:<key>`,
    `student:<id>`). Writers of sessions and enrollments lock the rows they touch with SELECT … FOR
    UPDATE, in sorted key order, before checking for overlaps: see `programs/scheduling.py`."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["school_id", "key"]
        constraints = [models.UniqueConstraint(fields=["school", "key"], name="schedule_lock_unique_key")]

    def __str__(self):
        return self.key
