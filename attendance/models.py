from django.conf import settings
from django.db import models

from core.models import OptimisticLockMixin, School, SchoolScopedQuerySet


class Holiday(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["school", "date"], name="holiday_unique_date_per_school")]

    def __str__(self):
        return f"{self.date}: {self.name}"


class Register(OptimisticLockMixin, models.Model):
    """A form's register for one day: who took it and when. Its records are the AttendanceRecords
    of that form's students on that date. A day without a Register is a register not taken."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="registers")
    class_group = models.ForeignKey("students.ClassGroup", on_delete=models.CASCADE, related_name="registers")
    date = models.DateField()
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    taken_at = models.DateTimeField()

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "class_group"]
        constraints = [
            models.UniqueConstraint(fields=["class_group", "date"], name="register_unique_form_day"),
        ]
        indexes = [models.Index(fields=["school", "date"])]

    def __str__(self):
        return f"{self.class_group} {self.date}"


class AttendanceRecord(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        LATE = "late", "Late"
        EXCUSED = "excused", "Excused"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="attendance_records")
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="attendance_records")
    date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PRESENT)
    reason = models.CharField(max_length=255, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField()

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "student"]
        constraints = [
            models.UniqueConstraint(fields=["student", "date"], name="attendance_unique_student_day"),
        ]
        indexes = [
            # With the status, the school's counts over a span of days (the home page's rate of the week,
            # the figures by day) are read from the index alone, without a row lookup per record.
            models.Index(fields=["school", "date", "status"], name="attendance_school_day_status"),
            models.Index(fields=["school", "status", "date"]),
            # The school's list in its order (newest day first, then student): a page is read off the
            # index instead of sorting every record of the school on each request.
            models.Index(fields=["school", "-date", "student"], name="attendance_school_list_order"),
        ]

    def __str__(self):
        return f"{self.student} {self.date} {self.status}"


# Lessons with topic-tagged attendance live in their own module of this app.
from attendance.lessons.models import Lesson, LessonAttendance, LessonTopic  # noqa: E402, F401
