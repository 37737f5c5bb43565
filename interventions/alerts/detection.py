"""The early-warning rules: which (student, kind) conditions hold on a date, computed in the database.

Every rule reads only the days on which a register was taken (an AttendanceRecord exists for the
student that day), so an unmarked day neither counts as an absence nor breaks a run. Weekends and
holidays are never school days: records on them are ignored, and a run of absences simply continues
across them. Each rule is one aggregate query (GROUP BY student) over the school's records; Python
only sees one row per student that meets the condition.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DateField, Exists, F, Max, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractIsoWeekDay

from attendance.models import AttendanceRecord, LessonAttendance
from attendance.selectors import holiday_dates
from interventions.models import Alert, AlertSettings
from students.models import AcademicYear, Student

Kind = Alert.Kind
Severity = Alert.Severity
Status = AttendanceRecord.Status

# A rate over fewer marked days than this says little (one absence on the first day of term would be
# "0 % attendance"); those first days are covered by the consecutive-absences rule.
MIN_MARKED_DAYS_FOR_RATES = 5
# Django's __week_day: 1 = Sunday … 7 = Saturday.
WEEKDAYS = [2, 3, 4, 5, 6]
WEEKDAY_NAMES = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday", 6: "Saturday", 7: "Sunday"}


@dataclass(frozen=True)
class Finding:
    """A condition that holds for a student: the alert it calls for."""

    student_id: int
    kind: str
    severity: str
    details: dict
    # The first day of the evidence (the run's first day, the window's start): a person who closed an
    # alert of this kind after it has already dealt with this episode.
    episode_start: datetime.date


@dataclass
class SchoolCalendar:
    """What the rules need to know about a school's days up to `as_of`."""

    as_of: datetime.date
    year_start: datetime.date
    holidays: frozenset = field(default_factory=frozenset)

    def is_school_day(self, day: datetime.date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def school_days_back(self, count: int) -> list[datetime.date]:
        """The last `count` school days ending at as_of (fewer when the year started later), oldest first."""
        days = []
        day = self.as_of
        while len(days) < count and day >= self.year_start:
            if self.is_school_day(day):
                days.append(day)
            day -= datetime.timedelta(days=1)
        return list(reversed(days))


def settings_for(school) -> AlertSettings:
    """The school's thresholds; SPEC's defaults (unsaved) when it has none yet. Detection only reads:
    the scan (services) creates the row before it evaluates."""
    return AlertSettings.objects.filter(school=school).first() or AlertSettings(school=school)


def calendar_for(school, as_of: datetime.date) -> SchoolCalendar:
    year = (
        AcademicYear.objects.for_school(school)
        .filter(start_date__lte=as_of, end_date__gte=as_of)
        .order_by("-is_current", "-start_date")
        .first()
    )
    if year is None:
        # Between years (summer): the year that ended last still frames the rules.
        year = AcademicYear.objects.for_school(school).filter(start_date__lte=as_of).order_by("-start_date").first()
    year_start = year.start_date if year else datetime.date(as_of.year - 1, as_of.month, 1)
    # After the year's last day (the summer), the rules look at the year as it ended: a window of "the
    # last 30 school days" must not count the holiday weeks as school days nobody attended.
    if year is not None and as_of > year.end_date:
        as_of = year.end_date
    holidays = frozenset(holiday_dates(school_id=school.pk, start=year_start, end=as_of))
    return SchoolCalendar(as_of=as_of, year_start=year_start, holidays=holidays)


def _school_day_records(school, calendar: SchoolCalendar, student_ids=None, since=None):
    """The school's records of active students on school days between `since` (or year start) and as_of."""
    return _on_school_days(AttendanceRecord.objects.all(), school, calendar, student_ids, since).order_by()


def _on_school_days(rows, school, calendar: SchoolCalendar, student_ids=None, since=None):
    """`rows` (dated rows of a student) of the school's active students on school days between `since`
    (or year start) and as_of."""
    rows = rows.filter(
        date__gte=since or calendar.year_start,
        date__lte=calendar.as_of,
        date__week_day__in=WEEKDAYS,
        student__status=Student.Status.ACTIVE,
    )
    rows = _of_school(rows, school, student_ids)
    if calendar.holidays:
        rows = rows.exclude(date__in=sorted(calendar.holidays))
    return rows


def _of_school(rows, school, student_ids=None):
    """`rows` of the school, or of the named students of the school.

    For a few students (the refresh after a register is saved) the school is checked on the student row,
    not on the record: with `school_id = …` on the records SQLite walks the whole school's (school, date)
    index instead of the (student, date) one, 40 students costing as much as the school's year.
    """
    if student_ids is None:
        return rows.filter(school=school)
    return rows.filter(student__school=school, student_id__in=list(student_ids))


def _hundredths(percent: Decimal) -> int:
    return int(Decimal(percent) * 100)


def _excess_severity(value, threshold) -> str:
    """How far past a "at least N" threshold: twice → high, one and a half times → medium."""
    ratio = Decimal(value) / Decimal(threshold) if threshold else Decimal(2)
    if ratio >= 2:
        return Severity.HIGH
    if ratio >= Decimal("1.5"):
        return Severity.MEDIUM
    return Severity.LOW


def _shortfall_severity(rate: Decimal, threshold: Decimal) -> str:
    """How far below a rate threshold, in percentage points: 20+ → high, 10+ → medium."""
    gap = threshold - rate
    if gap >= 20:
        return Severity.HIGH
    if gap >= 10:
        return Severity.MEDIUM
    return Severity.LOW


def _pct(numerator: int, denominator: int) -> Decimal:
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"))


def consecutive_absences(school, calendar, settings, student_ids=None) -> list[Finding]:
    """The current run: unexcused absences on every marked school day since the last day that was not
    one (present, late or excused break a run; unmarked days, weekends and holidays do not)."""
    threshold = settings.consecutive_absence_days
    records = _school_day_records(school, calendar, student_ids)
    # The student's last marked school day that was not an unexcused absence: found through the
    # (student, date) unique index, newest first, one row.
    last_break = AttendanceRecord.objects.filter(
        student_id=OuterRef("student_id"),
        date__gte=calendar.year_start,
        date__lte=calendar.as_of,
        date__week_day__in=WEEKDAYS,
    ).exclude(status=Status.ABSENT)
    if calendar.holidays:
        last_break = last_break.exclude(date__in=sorted(calendar.holidays))
    last_break = last_break.order_by("-date").values("date")[:1]
    before_year = calendar.year_start - datetime.timedelta(days=1)
    runs = (
        records.filter(status=Status.ABSENT)
        .filter(date__gt=Coalesce(Subquery(last_break), Value(before_year), output_field=DateField()))
        .values("student_id")
        .annotate(days=Count("id"), first=Min("date"), last=Max("date"))
        .filter(days__gte=threshold)
    )
    return [
        Finding(
            student_id=row["student_id"],
            kind=Kind.CONSECUTIVE_ABSENCES,
            severity=_excess_severity(row["days"], threshold),
            details={
                "days": row["days"],
                "first_date": row["first"].isoformat(),
                "last_date": row["last"].isoformat(),
                "threshold_days": threshold,
            },
            episode_start=row["first"],
        )
        for row in runs
    ]


def low_attendance(school, calendar, settings, student_ids=None) -> list[Finding]:
    """(present + late) / marked over the school days of the window ending at as_of, below the threshold."""
    window = calendar.school_days_back(settings.low_attendance_window_days)
    if not window:
        return []
    threshold = Decimal(settings.low_attendance_percent)
    rows = (
        _school_day_records(school, calendar, student_ids, since=window[0])
        .values("student_id")
        .annotate(marked=Count("id"), attended=Count("id", filter=Q(status__in=[Status.PRESENT, Status.LATE])))
        .filter(marked__gte=MIN_MARKED_DAYS_FOR_RATES)
    )
    # attended / marked < threshold %, in integers: attended × 10000 < threshold-hundredths × marked.
    rows = rows.annotate(
        attended_scaled=F("attended") * 10000, marked_scaled=F("marked") * _hundredths(threshold)
    ).filter(attended_scaled__lt=F("marked_scaled"))
    findings = []
    for row in rows:
        rate = _pct(row["attended"], row["marked"])
        findings.append(
            Finding(
                student_id=row["student_id"],
                kind=Kind.LOW_ATTENDANCE,
                severity=_shortfall_severity(rate, threshold),
                details={
                    "rate": float(rate),
                    "attended": row["attended"],
                    "marked": row["marked"],
                    "window_start": window[0].isoformat(),
                    "window_end": window[-1].isoformat(),  # the last school day, not a weekend as_of
                    "window_school_days": len(window),
                    "threshold_percent": float(threshold),
                },
                episode_start=window[0],
            )
        )
    return findings


def chronic_absence(school, calendar, settings, student_ids=None) -> list[Finding]:
    """Missed (absent or excused) at least the threshold share of this year's marked school days."""
    threshold = Decimal(settings.chronic_absence_percent)
    rows = (
        _school_day_records(school, calendar, student_ids)
        .values("student_id")
        .annotate(marked=Count("id"), missed=Count("id", filter=Q(status__in=[Status.ABSENT, Status.EXCUSED])))
        .filter(marked__gte=MIN_MARKED_DAYS_FOR_RATES, missed__gt=0)
        # missed / marked ≥ threshold %, in integers.
        .annotate(missed_scaled=F("missed") * 10000, marked_scaled=F("marked") * _hundredths(threshold))
        .filter(missed_scaled__gte=F("marked_scaled"))
    )
    findings = []
    for row in rows:
        rate = _pct(row["missed"], row["marked"])
        findings.append(
            Finding(
                student_id=row["student_id"],
                kind=Kind.CHRONIC_ABSENCE,
                severity=_excess_severity(rate, threshold),
                details={
                    "missed": row["missed"],
                    "marked": row["marked"],
                    "rate_missed": float(rate),
                    "since": calendar.year_start.isoformat(),
                    "until": calendar.as_of.isoformat(),
                    "threshold_percent": float(threshold),
                },
                episode_start=calendar.year_start,
            )
        )
    return findings


def recurring_pattern(school, calendar, settings, student_ids=None) -> list[Finding]:
    """Unexcused absences on the same weekday, at least N times within the last W weeks, and making up
    at least a third of the student's absences in those weeks: a pattern stands out from the other
    weekdays (three weeks off ill is five Mondays-to-Fridays alike, for the other rules to flag)."""
    threshold = settings.pattern_min_count
    window_start = calendar.as_of - datetime.timedelta(weeks=settings.pattern_window_weeks) + datetime.timedelta(days=1)
    absences = _school_day_records(school, calendar, student_ids, since=max(window_start, calendar.year_start)).filter(
        status=Status.ABSENT
    )
    rows = (
        absences.annotate(weekday=ExtractIsoWeekDay("date"))
        .values("student_id", "weekday")
        .annotate(times=Count("id"), first=Min("date"), last=Max("date"))
        .filter(times__gte=threshold)
        .order_by("student_id", "weekday")
    )
    strongest: dict[int, dict] = {}
    for row in rows:
        best = strongest.get(row["student_id"])
        if best is None or row["times"] > best["times"]:
            strongest[row["student_id"]] = row
    if strongest:
        totals = dict(
            absences.filter(student_id__in=sorted(strongest))
            .values("student_id")
            .annotate(total=Count("id"))
            .values_list("student_id", "total")
        )
        strongest = {
            student_id: {**row, "absences": totals[student_id]}
            for student_id, row in strongest.items()
            if row["times"] * 3 >= totals[student_id]
        }
    return [
        Finding(
            student_id=student_id,
            kind=Kind.RECURRING_PATTERN,
            severity=_excess_severity(row["times"], threshold),
            details={
                "weekday": WEEKDAY_NAMES[row["weekday"]],
                "times": row["times"],
                "absences_in_window": row["absences"],
                "first_date": row["first"].isoformat(),
                "last_date": row["last"].isoformat(),
                "window_start": window_start.isoformat(),
                "window_end": calendar.as_of.isoformat(),
                "window_weeks": settings.pattern_window_weeks,
                "threshold_times": threshold,
            },
            episode_start=window_start,
        )
        for student_id, row in strongest.items()
    ]


def missed_lessons(school, calendar, settings, student_ids=None) -> list[Finding]:
    """Missing after registration: absent from lessons on school days on which the morning register had
    the student present or late, at least the threshold number of times within the window's school days."""
    window = calendar.school_days_back(settings.missed_lessons_window_days)
    if not window:
        return []
    threshold = settings.missed_lessons_threshold
    registered = AttendanceRecord.objects.filter(
        student_id=OuterRef("student_id"), date=OuterRef("date"), status__in=[Status.PRESENT, Status.LATE]
    )
    lessons = _on_school_days(
        LessonAttendance.objects.filter(status=LessonAttendance.Status.ABSENT),
        school,
        calendar,
        student_ids,
        since=window[0],
    )
    rows = (
        lessons.filter(Exists(registered))
        .values("student_id")
        .annotate(lessons=Count("id"), days=Count("date", distinct=True), first=Min("date"), last=Max("date"))
        .filter(lessons__gte=threshold)
        .order_by()
    )
    return [
        Finding(
            student_id=row["student_id"],
            kind=Kind.MISSED_LESSONS,
            severity=_excess_severity(row["lessons"], threshold),
            details={
                "lessons": row["lessons"],
                "days": row["days"],
                "first_date": row["first"].isoformat(),
                "last_date": row["last"].isoformat(),
                "window_start": window[0].isoformat(),
                "window_end": window[-1].isoformat(),
                "window_school_days": len(window),
                "threshold_lessons": threshold,
            },
            episode_start=window[0],
        )
        for row in rows
    ]


def behaviour_threshold(school, calendar, settings, student_ids=None) -> list[Finding]:
    """Behaviour letters, as Gibbon sends them: the student's counted penalties this year reached the
    school's threshold (RiskSettings), so the form master is alerted to write to the guardian. The
    episode starts at the latest penalty: a person who closed the alert after it has dealt with it; a
    new penalty raises it again."""
    from interventions.risk.services import risk_settings_for
    from students.behaviour.models import COUNTED_PENALTY, BehaviourRecord

    threshold = risk_settings_for(school_id=school.pk).behaviour_letter_penalties
    records = _of_school(
        BehaviourRecord.objects.filter(
            COUNTED_PENALTY,
            date__gte=calendar.year_start,
            date__lte=calendar.as_of,
            student__status=Student.Status.ACTIVE,
        ),
        school,
        student_ids,
    )
    rows = (
        records.order_by()
        .values("student_id")
        .annotate(penalties=Count("id"), points=Sum("points"), first=Min("date"), last=Max("date"))
        .filter(penalties__gte=threshold)
    )
    return [
        Finding(
            student_id=row["student_id"],
            kind=Kind.BEHAVIOUR_THRESHOLD,
            severity=_excess_severity(row["penalties"], threshold),
            details={
                "penalties": row["penalties"],
                "points": row["points"],
                "first_date": row["first"].isoformat(),
                "last_date": row["last"].isoformat(),
                "threshold_penalties": threshold,
                "letter": row["penalties"] // threshold,
            },
            episode_start=row["last"],
        )
        for row in rows
    ]


RULES = (
    consecutive_absences,
    low_attendance,
    chronic_absence,
    recurring_pattern,
    missed_lessons,
    behaviour_threshold,
)

# Details that move on with the calendar alone (a rolling window's ends, "so far this year" up to today).
ROLLING_DETAILS = frozenset({"until", "window_start", "window_end"})


def figures(details) -> dict:
    """An alert's details without the dates that change every day: what says whether it changed."""
    if not isinstance(details, dict):
        return {}
    return {key: value for key, value in details.items() if key not in ROLLING_DETAILS}


def evaluate(
    school, as_of: datetime.date, student_ids=None, *, settings: AlertSettings | None = None
) -> dict[tuple[int, str], Finding]:
    """Every (student, kind) condition that holds for the school's active students on as_of, under
    `settings` (default: the school's). Reads only."""
    settings = settings or settings_for(school)
    calendar = calendar_for(school, as_of)
    findings = {}
    for rule in RULES:
        for finding in rule(school, calendar, settings, student_ids):
            findings[(finding.student_id, finding.kind)] = finding
    return findings
