"""Reads of registers and attendance: school days, rates for many students at once, the day's forms."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, FilteredRelation, Q, QuerySet, Subquery
from django.utils import timezone

from attendance.models import AttendanceRecord, Holiday, Register
from core.dates import weekdays_between
from core.models import User
from students.models import AcademicYear, ClassGroup, Student
from students.selectors import class_group_list, current_academic_year

ATTENDED = (AttendanceRecord.Status.PRESENT, AttendanceRecord.Status.LATE)


def holiday_dates(*, school_id: int, start: datetime.date, end: datetime.date) -> dict[datetime.date, str]:
    return dict(Holiday.objects.filter(school_id=school_id, date__range=(start, end)).values_list("date", "name"))


def holiday_named(*, school_id, date: datetime.date) -> Subquery:
    """The name of the school's holiday on `date` (NULL on a day that is not one) as a subquery, for a
    query that reads it alongside its rows; `school_id` may be an `OuterRef`."""
    return Subquery(Holiday.objects.filter(school_id=school_id, date=date).order_by().values("name")[:1])


def holiday_on(*, school_id: int, date: datetime.date) -> str | None:
    """The name of the school's holiday on `date`, None on a day that is not one."""
    return Holiday.objects.filter(school_id=school_id, date=date).values_list("name", flat=True).first()


def school_days(
    *, school_id: int, start: datetime.date, end: datetime.date, year: AcademicYear | None = None
) -> list[datetime.date]:
    """Weekdays from `start` to `end` (clipped to the academic year when given) that are not holidays."""
    if year is not None:
        start, end = max(start, year.start_date), min(end, year.end_date)
    if start > end:
        return []
    holidays = holiday_dates(school_id=school_id, start=start, end=end)
    return [day for day in weekdays_between(start, end) if day not in holidays]


NEARBY_DAYS = datetime.timedelta(days=21)


def shifted(day: datetime.date, days: int) -> datetime.date:
    """`day` moved by `days`, held at the calendar's ends (date.min, date.max) instead of overflowing."""
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max if days > 0 else datetime.date.min


def holidays_near(*, school_id: int, day: datetime.date) -> dict[datetime.date, str]:
    """The school's holidays within three weeks either side of `day` (what adjacent_school_days needs)."""
    return holiday_dates(school_id=school_id, start=shifted(day, -NEARBY_DAYS.days), end=shifted(day, NEARBY_DAYS.days))


def adjacent_school_days(
    *, day: datetime.date, today: datetime.date, holidays: dict[datetime.date, str]
) -> tuple[datetime.date, datetime.date | None]:
    """The school days before and after `day` (weekends and `holidays_near` skipped, up to three weeks
    away); the next one is None when it would be after today: a register is not taken in advance."""
    window = NEARBY_DAYS

    def step(direction: int) -> datetime.date:
        candidate = shifted(day, direction)
        while (candidate.weekday() >= 5 or candidate in holidays) and abs((candidate - day).days) < window.days:
            following = shifted(candidate, direction)
            if following == candidate:  # the end of the calendar
                break
            candidate = following
        return candidate

    following = step(1)
    return step(-1), (following if following <= today else None)


def attendance_rates(
    *, student_ids: list[int], start: datetime.date | None = None, end: datetime.date | None = None
) -> dict[int, dict]:
    """{student id: {"marked", "attended", "absent", "late", "excused", "rate"}} in one query.

    Rate = (present + late) / school days marked, as a percentage with one decimal; None when nothing
    was marked. Students without records are absent from the result.
    """
    queryset = AttendanceRecord.objects.filter(student_id__in=student_ids)
    if start is not None:
        queryset = queryset.filter(date__gte=start)
    if end is not None:
        queryset = queryset.filter(date__lte=end)
    rows = queryset.values("student_id").annotate(
        marked=Count("id"),
        attended=Count("id", filter=Q(status__in=ATTENDED)),
        absent=Count("id", filter=Q(status=AttendanceRecord.Status.ABSENT)),
        late=Count("id", filter=Q(status=AttendanceRecord.Status.LATE)),
        excused=Count("id", filter=Q(status=AttendanceRecord.Status.EXCUSED)),
    )
    return {row.pop("student_id"): {**row, "rate": rate_of(row["attended"], row["marked"])} for row in rows}


def rate_of(attended: int, marked: int) -> float | None:
    return round(100 * attended / marked, 1) if marked else None


def school_rate(*, school_id: int, start: datetime.date, end: datetime.date) -> dict:
    totals = AttendanceRecord.objects.filter(school_id=school_id, date__range=(start, end)).aggregate(
        marked=Count("id"), attended=Count("id", filter=Q(status__in=ATTENDED))
    )
    return {**totals, "rate": rate_of(totals["attended"], totals["marked"])}


def attendance_list(
    *, actor, class_group_id: int | None = None, student_id: int | None = None
) -> QuerySet[AttendanceRecord]:
    """The school's records, newest first; of one form or student when given.

    For a form or a student the records are reached through the actor's (scoped) students, so the
    database walks the (student, date) index instead of the whole school's (school, date) range: on a
    school year of 270,000 records that is 16 ms instead of 320 ms on SQLite.
    """
    if class_group_id is None and student_id is None:
        return AttendanceRecord.objects.for_actor(actor).order_by("-date", "student_id")
    students = Student.objects.for_actor(actor)
    if class_group_id is not None:
        students = students.filter(class_group_id=class_group_id)
    if student_id is not None:
        students = students.filter(pk=student_id)
    return AttendanceRecord.objects.filter(student_id__in=students.values("pk")).order_by("-date", "student_id")


def student_attendance(
    *, actor, student: Student, start: datetime.date | None = None, end: datetime.date | None = None
) -> QuerySet[AttendanceRecord]:
    """`student`'s records, oldest first. `student` comes from the scoped `student_get`; the records are
    reached through it (the (student, date) index) because adding `school_id = …` makes SQLite pick the
    (school, date) index and scan the whole school's year."""
    if student.school_id != actor.school_id and not actor.is_superuser:
        return AttendanceRecord.objects.none()
    queryset = student.attendance_records.select_related("marked_by")
    if start is not None:
        queryset = queryset.filter(date__gte=start)
    if end is not None:
        queryset = queryset.filter(date__lte=end)
    return queryset.order_by("date")


# The register --------------------------------------------------------------------------------------


@dataclass
class RegisterLine:
    student: Student
    status: str
    reason: str
    marked_by: str | None
    marked_at: datetime.datetime | None
    record_id: int | None


@dataclass
class RegisterDay:
    class_group: ClassGroup
    date: datetime.date
    register: Register | None
    lines: list[RegisterLine]
    holiday: str | None

    @property
    def version(self) -> int:
        return self.register.version if self.register else 0

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(AttendanceRecord.Status.values, 0)
        for line in self.lines:
            counts[line.status] += 1
        return counts


def register_students(*, class_group_id: int, date: datetime.date):
    """The form's active students with their record of `date` (if any), in one query."""
    return (
        Student.objects.filter(class_group_id=class_group_id, status=Student.Status.ACTIVE)
        .annotate(day=FilteredRelation("attendance_records", condition=Q(attendance_records__date=date)))
        .values(
            "id",
            "student_id",
            "first_name",
            "last_name",
            "day__id",
            "day__status",
            "day__reason",
            "day__marked_by_id",
            "day__marked_at",
        )
        .order_by("last_name", "first_name", "id")
    )


def register_marks(register: Register) -> QuerySet[AttendanceRecord]:
    """The marks a register holds: the records of its day of the students of its form (whoever has left
    it since is still in the form's roll, as a student no longer active)."""
    return AttendanceRecord.objects.filter(
        school_id=register.school_id, date=register.date, student__class_group_id=register.class_group_id
    ).order_by("pk")


def register_day(*, actor, class_group: ClassGroup, date: datetime.date) -> RegisterDay:
    """What the register of (form, date) holds: every active student, present unless marked otherwise."""
    register = Register.objects.select_related("taken_by").filter(class_group=class_group, date=date).first()
    rows = list(register_students(class_group_id=class_group.pk, date=date))
    marker_ids = {row["day__marked_by_id"] for row in rows if row["day__marked_by_id"]}
    markers = {u.pk: u.display_name for u in User.objects.filter(pk__in=marker_ids)} if marker_ids else {}
    lines = [
        RegisterLine(
            student=Student(
                pk=row["id"], student_id=row["student_id"], first_name=row["first_name"], last_name=row["last_name"]
            ),
            status=row["day__status"] or AttendanceRecord.Status.PRESENT,
            reason=row["day__reason"] or "",
            marked_by=markers.get(row["day__marked_by_id"]),
            marked_at=row["day__marked_at"],
            record_id=row["day__id"],
        )
        for row in rows
    ]
    holiday = holiday_on(school_id=class_group.school_id, date=date)
    return RegisterDay(class_group=class_group, date=date, register=register, lines=lines, holiday=holiday)


# The day's overview --------------------------------------------------------------------------------


@dataclass
class FormDay:
    class_group: ClassGroup
    register: Register | None
    is_mine: bool

    @property
    def taken(self) -> bool:
        return self.register is not None


def forms_of_day(*, actor, date: datetime.date) -> list[FormDay]:
    """The current year's forms (the actor's own first) with that day's register, if taken. Two queries."""
    year = current_academic_year(school_id=actor.school_id, on=date) if actor.school_id else None
    if year is None:
        return []
    forms = list(class_group_list(actor=actor, academic_year_id=year.pk))
    registers = {
        r.class_group_id: r
        for r in Register.objects.for_actor(actor)
        .filter(date=date, class_group__academic_year=year)
        .select_related("taken_by")
    }
    return [FormDay(class_group=f, register=registers.get(f.pk), is_mine=f.form_master_id == actor.pk) for f in forms]


def missing_registers(*, actor, end: datetime.date, days: int = 10) -> list[tuple[datetime.date, list[ClassGroup]]]:
    """For the last `days` school days up to `end` (inclusive, and before today: today's registers are
    still to take, not missing): the forms whose register was not taken, newest day first. Four queries
    whatever the number of forms or days."""
    today = timezone.localdate()
    end = min(end, today - datetime.timedelta(days=1))
    year = current_academic_year(school_id=actor.school_id, on=end) if actor.school_id else None
    if year is None:
        return []
    start = max(year.start_date, end - datetime.timedelta(days=days * 2 + 7))
    recent = school_days(school_id=actor.school_id, start=start, end=end, year=year)[-days:]
    if not recent:
        return []
    forms = list(ClassGroup.objects.for_actor(actor).filter(academic_year=year).order_by("grade_level", "name"))
    taken = set(
        Register.objects.for_actor(actor)
        .filter(date__in=recent, class_group__academic_year=year)
        .values_list("class_group_id", "date")
    )
    result = []
    for day in reversed(recent):
        missing = [f for f in forms if (f.pk, day) not in taken]
        if missing:
            result.append((day, missing))
    return result
