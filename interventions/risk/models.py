from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.models import School, SchoolScopedQuerySet


def _percent(default: str, help_text: str):
    return models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=help_text,
    )


def _count(default: int, help_text: str):
    return models.PositiveSmallIntegerField(default=default, validators=[MinValueValidator(1)], help_text=help_text)


class RiskSettings(models.Model):
    """A school's ABC bands (SPEC §8 defaults). A level is reached at its threshold: attendance at or
    above the level-0 rate is level 0, …, below the level-3 rate is level 4."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="risk_settings")
    attendance_window_days = _count(45, "Attendance rate over this many of the student's last marked school days.")
    attendance_level_0_percent = _percent("95.00", "At or above: attendance level 0.")
    attendance_level_1_percent = _percent("90.00", "At or above: level 1.")
    attendance_level_2_percent = _percent("85.00", "At or above: level 2.")
    attendance_level_3_percent = _percent("80.00", "At or above: level 3; below: level 4.")
    behaviour_window_days = _count(45, "Counted penalties over this many school days.")
    behaviour_level_1_penalties = _count(2, "From this many counted penalties: behaviour level 1.")
    behaviour_level_2_penalties = _count(3, "From this many: level 2.")
    behaviour_level_3_penalties = _count(5, "From this many: level 3.")
    behaviour_level_4_penalties = _count(7, "From this many: level 4.")
    pass_mark_percent = _percent("50.00", "A subject whose mean graded percentage this year is below this is failing.")
    near_pass_margin = _percent("10.00", "Points above the pass mark that count as close to failing.")
    near_pass_subjects = _count(2, "With no failing subject, this many close to failing give course level 1.")
    behaviour_letter_penalties = _count(
        3, "Counted penalties this year at which the form master is alerted to send a behaviour letter."
    )
    forecast_target_percent = _percent("90.00", "The forecast says how many more days may be missed to stay at this.")

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "risk settings"
        verbose_name_plural = "risk settings"

    def __str__(self):
        return f"Risk settings for {self.school}"


class StudentRisk(models.Model):
    """A student's ABC early-warning level (0–4): the highest of the attendance, behaviour and course
    levels, with `figures` saying why in words and numbers. Written by the risk computation only."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.OneToOneField("students.Student", on_delete=models.CASCADE, related_name="risk")
    level = models.PositiveSmallIntegerField(validators=[MaxValueValidator(4)])
    attendance_level = models.PositiveSmallIntegerField(validators=[MaxValueValidator(4)])
    behaviour_level = models.PositiveSmallIntegerField(validators=[MaxValueValidator(4)])
    course_level = models.PositiveSmallIntegerField(validators=[MaxValueValidator(4)])
    figures = models.JSONField(default=dict)
    # sha1 of the levels and figures: the computation compares it to write only the rows that change.
    digest = models.CharField(max_length=40, editable=False)
    computed_at = models.DateTimeField()

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-level", "student_id"]
        verbose_name = "student risk"
        constraints = [
            models.CheckConstraint(condition=models.Q(level__lte=4), name="student_risk_level_0_4"),
        ]
        indexes = [models.Index(fields=["school", "level"], name="idx_risk_school_level")]

    def __str__(self):
        return f"{self.student}: level {self.level}"
