"""The early-warning rules on their edges, through the scan that applies them."""

from decimal import Decimal

import pytest

from core.testing.queries import assert_query_count
from interventions.alerts.services import alert_settings_ensure, scan_school
from interventions.models import Alert, AlertSettings
from interventions.tests.alerts_helpers import (
    YEAR_START,
    add_holiday,
    day,
    make_form,
    make_student,
    mark,
    mark_days,
    school_days,
)
from students.models import Student

pytestmark = pytest.mark.django_db

Kind = Alert.Kind


def kinds_for(student):
    return set(Alert.objects.filter(student=student, status__in=Alert.ACTIVE_STATUSES).values_list("kind", flat=True))


def alert_of(student, kind):
    return Alert.objects.get(student=student, kind=kind, status__in=Alert.ACTIVE_STATUSES)


@pytest.fixture
def form(school, form_master):
    return make_form(school, form_master=form_master)


# Consecutive absences ---------------------------------------------------------------------------------


def test_three_unexcused_absences_in_a_row_raise_an_alert_with_the_dates_of_the_run(school, form, form_master):
    student = make_student(school, form)
    mark_days(student, school_days(day("2026-11-09"), day("2026-11-16")))
    mark_days(student, school_days(day("2026-11-17"), day("2026-11-19")), "absent")

    summary = scan_school(school=school, as_of=day("2026-11-19"))

    alert = alert_of(student, Kind.CONSECUTIVE_ABSENCES)
    # Three of eight marked days missed: the rates are past their thresholds too.
    assert summary.raised == 3
    assert kinds_for(student) == {Kind.CONSECUTIVE_ABSENCES, Kind.LOW_ATTENDANCE, Kind.CHRONIC_ABSENCE}
    assert alert.details == {"days": 3, "first_date": "2026-11-17", "last_date": "2026-11-19", "threshold_days": 3}
    assert alert.severity == Alert.Severity.LOW
    assert alert.assigned_to == form_master
    assert alert.status == Alert.Status.OPEN


def test_two_absences_then_a_present_day_then_an_absence_is_no_run(school, form):
    student = make_student(school, form)
    mark(
        student,
        {
            day("2026-11-16"): "absent",
            day("2026-11-17"): "absent",
            day("2026-11-18"): "present",
            day("2026-11-19"): "absent",
        },
    )
    scan_school(school=school, as_of=day("2026-11-19"))
    assert Kind.CONSECUTIVE_ABSENCES not in kinds_for(student)


def test_late_and_excused_days_break_a_run(school, form):
    late, excused = make_student(school, form), make_student(school, form)
    for student, breaker in ((late, "late"), (excused, "excused")):
        mark(
            student,
            {
                day("2026-11-16"): "absent",
                day("2026-11-17"): "absent",
                day("2026-11-18"): breaker,
                day("2026-11-19"): "absent",
                day("2026-11-20"): "absent",
            },
        )
    scan_school(school=school, as_of=day("2026-11-20"))
    assert Kind.CONSECUTIVE_ABSENCES not in kinds_for(late)
    assert Kind.CONSECUTIVE_ABSENCES not in kinds_for(excused)


def test_excused_absences_do_not_count_toward_a_run(school, form):
    student = make_student(school, form)
    mark_days(student, school_days(day("2026-11-16"), day("2026-11-20")), "excused")
    scan_school(school=school, as_of=day("2026-11-20"))
    assert Kind.CONSECUTIVE_ABSENCES not in kinds_for(student)


def test_a_run_continues_across_a_weekend_and_a_holiday(school, form):
    """Thu absent, Fri holiday, Sat–Sun weekend, Mon absent: two school days; Tue absent makes three."""
    student = make_student(school, form)
    add_holiday(school, day("2026-11-13"))
    mark(student, {day("2026-11-11"): "present", day("2026-11-12"): "absent", day("2026-11-16"): "absent"})

    scan_school(school=school, as_of=day("2026-11-16"))
    assert Kind.CONSECUTIVE_ABSENCES not in kinds_for(student)

    mark(student, {day("2026-11-17"): "absent"})
    scan_school(school=school, as_of=day("2026-11-17"))
    alert = alert_of(student, Kind.CONSECUTIVE_ABSENCES)
    assert (alert.details["days"], alert.details["first_date"]) == (3, "2026-11-12")


def test_a_record_on_a_holiday_neither_counts_nor_breaks_a_run(school, form):
    student = make_student(school, form)
    add_holiday(school, day("2026-11-18"))
    mark(
        student,
        {
            day("2026-11-16"): "absent",
            day("2026-11-17"): "absent",
            day("2026-11-18"): "present",  # a stray record on a holiday
            day("2026-11-19"): "absent",
        },
    )
    scan_school(school=school, as_of=day("2026-11-19"))
    assert alert_of(student, Kind.CONSECUTIVE_ABSENCES).details["days"] == 3


def test_a_record_on_a_weekend_neither_counts_nor_breaks_a_run(school, form):
    student = make_student(school, form)
    mark(
        student,
        {
            day("2026-11-12"): "absent",
            day("2026-11-13"): "absent",
            day("2026-11-14"): "present",  # a Saturday
            day("2026-11-15"): "absent",  # a Sunday
            day("2026-11-16"): "absent",
        },
    )
    scan_school(school=school, as_of=day("2026-11-16"))
    alert = alert_of(student, Kind.CONSECUTIVE_ABSENCES)
    assert (alert.details["days"], alert.details["first_date"], alert.details["last_date"]) == (
        3,
        "2026-11-12",
        "2026-11-16",
    )


def test_an_unmarked_day_neither_counts_nor_breaks_a_run(school, form):
    """No register on Wednesday: Mon, Tue absent and Thu absent are three marked days in a row."""
    student = make_student(school, form)
    mark(student, {day("2026-11-16"): "absent", day("2026-11-17"): "absent", day("2026-11-19"): "absent"})
    scan_school(school=school, as_of=day("2026-11-19"))
    alert = alert_of(student, Kind.CONSECUTIVE_ABSENCES)
    assert alert.details == {"days": 3, "first_date": "2026-11-16", "last_date": "2026-11-19", "threshold_days": 3}


def test_records_after_the_scan_date_are_ignored(school, form):
    student = make_student(school, form)
    mark(student, {day("2026-11-16"): "absent", day("2026-11-17"): "absent", day("2026-11-18"): "absent"})
    scan_school(school=school, as_of=day("2026-11-17"))
    assert Kind.CONSECUTIVE_ABSENCES not in kinds_for(student)


def test_a_long_run_is_high_severity(school, form):
    student = make_student(school, form)
    mark_days(student, school_days(day("2026-11-09"), day("2026-11-16")), "absent")  # 6 school days
    scan_school(school=school, as_of=day("2026-11-16"))
    assert alert_of(student, Kind.CONSECUTIVE_ABSENCES).severity == Alert.Severity.HIGH


def test_the_threshold_comes_from_the_schools_settings(school, form):
    AlertSettings.objects.create(school=school, consecutive_absence_days=5)
    student = make_student(school, form)
    mark_days(student, school_days(day("2026-11-16"), day("2026-11-19")), "absent")
    scan_school(school=school, as_of=day("2026-11-19"))
    assert Kind.CONSECUTIVE_ABSENCES not in kinds_for(student)
    mark(student, {day("2026-11-20"): "absent"})
    scan_school(school=school, as_of=day("2026-11-20"))
    assert alert_of(student, Kind.CONSECUTIVE_ABSENCES).details["days"] == 5


# Low attendance -----------------------------------------------------------------------------------------


NOV_20 = day("2026-11-20")


def _thirty_days_with(student, absences: int, end=NOV_20, status="absent"):
    days = school_days(day("2026-10-01"), end)[-30:]
    # Spread the absences so that no run of three builds up.
    absent_days = set(days[::3][:absences])
    mark(student, {d: status if d in absent_days else "present" for d in days})
    return days


def test_attendance_exactly_at_ninety_percent_raises_no_alert(school, form):
    student = make_student(school, form)
    _thirty_days_with(student, 3)
    scan_school(school=school, as_of=day("2026-11-20"))
    assert Kind.LOW_ATTENDANCE not in kinds_for(student)


def test_attendance_just_below_ninety_percent_raises_an_alert_with_rate_and_window(school, form):
    student = make_student(school, form)
    days = _thirty_days_with(student, 4)
    scan_school(school=school, as_of=day("2026-11-20"))
    alert = alert_of(student, Kind.LOW_ATTENDANCE)
    assert alert.details == {
        "rate": 86.7,
        "attended": 26,
        "marked": 30,
        "window_start": days[0].isoformat(),
        "window_end": "2026-11-20",
        "window_school_days": 30,
        "threshold_percent": 90.0,
    }
    assert alert.severity == Alert.Severity.LOW


def test_a_scan_on_a_saturday_ends_the_window_on_the_friday(school, form):
    """The reason names the window's last school day, never the weekend day the scan ran on."""
    from interventions.alerts.selectors import alert_reason

    student = make_student(school, form)
    _thirty_days_with(student, 4)  # the 30 school days ending Fri 20 Nov 2026
    scan_school(school=school, as_of=day("2026-11-21"))
    alert = alert_of(student, Kind.LOW_ATTENDANCE)
    assert alert.details["window_end"] == "2026-11-20"
    assert alert_reason(alert).endswith("– 20 Nov); below 90 %")


def test_late_counts_as_attended(school, form):
    student = make_student(school, form)
    _thirty_days_with(student, 10, status="late")
    scan_school(school=school, as_of=day("2026-11-20"))
    assert Kind.LOW_ATTENDANCE not in kinds_for(student)


def test_low_attendance_window_counts_school_days_not_calendar_days(school, form):
    """A holiday inside the window pushes its start one school day further back."""
    add_holiday(school, day("2026-11-11"))
    student = make_student(school, form)
    scan_days = school_days(day("2026-10-01"), day("2026-11-20"), holidays={day("2026-11-11")})
    mark_days(student, scan_days[-30:][:20])
    mark_days(student, list(scan_days[-30:][20:])[::2], "absent")
    scan_school(school=school, as_of=day("2026-11-20"))
    alert = alert_of(student, Kind.LOW_ATTENDANCE)
    assert alert.details["window_start"] == scan_days[-30].isoformat()
    assert alert.details["marked"] == 25


# Chronic absence ----------------------------------------------------------------------------------------


def test_chronic_absence_counts_excused_days_and_holds_at_exactly_ten_percent(school, form):
    student = make_student(school, form)
    days = school_days(YEAR_START, day("2026-10-31"))[:30]
    mark(student, {d: "excused" if i in (4, 14, 24) else "present" for i, d in enumerate(days)})
    scan_school(school=school, as_of=days[-1])
    alert = alert_of(student, Kind.CHRONIC_ABSENCE)
    assert alert.details == {
        "missed": 3,
        "marked": 30,
        "rate_missed": 10.0,
        "since": "2026-09-01",
        "until": days[-1].isoformat(),
        "threshold_percent": 10.0,
    }


def test_chronic_absence_just_under_ten_percent_raises_nothing(school, form):
    student = make_student(school, form)
    days = school_days(YEAR_START, day("2026-10-31"))[:31]
    mark(student, {d: "excused" if i in (4, 14, 24) else "present" for i, d in enumerate(days)})
    scan_school(school=school, as_of=days[-1])
    assert Kind.CHRONIC_ABSENCE not in kinds_for(student)


def test_a_student_who_joined_mid_year_is_judged_on_their_own_marked_days(school, form):
    """Joined on 2 Nov: two absences in 15 marked days is 13 %, though it is 3 % of the year's days."""
    student = make_student(school, form)
    days = school_days(day("2026-11-02"), day("2026-11-20"))
    mark(student, {d: "absent" if i in (3, 9) else "present" for i, d in enumerate(days)})
    scan_school(school=school, as_of=day("2026-11-20"))
    alert = alert_of(student, Kind.CHRONIC_ABSENCE)
    assert (alert.details["missed"], alert.details["marked"], alert.details["rate_missed"]) == (2, 15, 13.3)
    assert Kind.LOW_ATTENDANCE in kinds_for(student)


def test_a_rate_needs_a_few_marked_days(school, form):
    student = make_student(school, form)
    mark(student, {day("2026-11-19"): "absent", day("2026-11-20"): "present"})
    scan_school(school=school, as_of=day("2026-11-20"))
    assert kinds_for(student) == set()


# Weekday pattern ------------------------------------------------------------------------------------------


def test_absent_on_three_mondays_within_six_weeks_is_a_pattern(school, form):
    student = make_student(school, form)
    days = school_days(day("2026-10-12"), day("2026-11-20"))
    mondays = {day("2026-10-19"), day("2026-11-02"), day("2026-11-16")}
    mark(student, {d: "absent" if d in mondays else "present" for d in days})
    scan_school(school=school, as_of=day("2026-11-20"))
    alert = alert_of(student, Kind.RECURRING_PATTERN)
    assert alert.details["weekday"] == "Monday"
    assert (alert.details["times"], alert.details["first_date"], alert.details["last_date"]) == (
        3,
        "2026-10-19",
        "2026-11-16",
    )


def test_three_mondays_spread_over_more_than_six_weeks_or_excused_are_no_pattern(school, form):
    spread, excused = make_student(school, form), make_student(school, form)
    days = school_days(day("2026-09-28"), day("2026-11-20"))
    spread_mondays = {day("2026-09-28"), day("2026-11-02"), day("2026-11-16")}
    mark(spread, {d: "absent" if d in spread_mondays else "present" for d in days})
    excused_mondays = {day("2026-10-19"), day("2026-11-02"), day("2026-11-16")}
    mark(excused, {d: "excused" if d in excused_mondays else "present" for d in days})
    scan_school(school=school, as_of=day("2026-11-20"))
    assert Kind.RECURRING_PATTERN not in kinds_for(spread)
    assert Kind.RECURRING_PATTERN not in kinds_for(excused)


# Who is scanned -------------------------------------------------------------------------------------------


def test_only_active_students_are_scanned_and_other_schools_are_untouched(school, other_school, form):
    active = make_student(school, form)
    withdrawn = make_student(school, form, status=Student.Status.WITHDRAWN)
    foreign = make_student(other_school)
    for student in (active, withdrawn, foreign):
        mark_days(student, school_days(day("2026-11-16"), day("2026-11-18")), "absent")
    scan_school(school=school, as_of=day("2026-11-18"))
    assert kinds_for(active) == {Kind.CONSECUTIVE_ABSENCES}
    assert kinds_for(withdrawn) == set()
    assert kinds_for(foreign) == set()


def test_settings_are_created_with_spec_defaults_once(school):
    settings = alert_settings_ensure(school=school)
    assert alert_settings_ensure(school=school) == settings
    assert (
        settings.consecutive_absence_days,
        settings.low_attendance_percent,
        settings.low_attendance_window_days,
        settings.chronic_absence_percent,
        settings.pattern_min_count,
        settings.pattern_window_weeks,
    ) == (3, Decimal("90.00"), 30, Decimal("10.00"), 3, 6)
    assert AlertSettings.objects.filter(school=school).count() == 1


@pytest.mark.parametrize(
    "kind, details, words",
    [
        (
            Kind.CONSECUTIVE_ABSENCES,
            {"days": 4, "first_date": "2026-11-17", "last_date": "2026-11-20", "threshold_days": 3},
            "Absent 4 school days in a row: 17–20 Nov",
        ),
        (
            Kind.CONSECUTIVE_ABSENCES,
            {"days": 5, "first_date": "2026-10-29", "last_date": "2026-11-04", "threshold_days": 3},
            "Absent 5 school days in a row: 29 Oct – 4 Nov",
        ),
        (
            Kind.LOW_ATTENDANCE,
            {
                "rate": 85.7,
                "attended": 24,
                "marked": 28,
                "window_start": "2026-10-09",
                "window_end": "2026-11-20",
                "window_school_days": 30,
                "threshold_percent": 90.0,
            },
            "Attended 85.7 % of 28 marked days in the last 30 school days (9 Oct – 20 Nov); below 90 %",
        ),
        (
            Kind.CHRONIC_ABSENCE,
            {"missed": 6, "marked": 55, "rate_missed": 10.9, "since": "2026-09-01", "threshold_percent": 10.0},
            "Missed 6 of 55 marked school days this year (10.9 %; threshold 10 %)",
        ),
        (
            Kind.RECURRING_PATTERN,
            {"weekday": "Monday", "times": 3, "first_date": "2026-10-19", "last_date": "2026-11-16", "window_weeks": 6},
            "Absent on 3 Mondays in 6 weeks: 19 Oct – 16 Nov",
        ),
        (Kind.RECURRING_PATTERN, {}, "Recurring weekday pattern"),
    ],
)
def test_the_reason_in_words(kind, details, words):
    from interventions.alerts.selectors import alert_reason

    assert alert_reason(Alert(kind=kind, details=details)) == words


def test_detection_only_reads_and_the_scan_creates_the_settings(school, form):
    """Evaluating a school without settings uses SPEC's defaults and writes nothing; the scan (the
    service) is what creates the settings row and its audit row."""
    from core.models import AuditLog
    from interventions.alerts import detection

    student = make_student(school, form)
    mark_days(student, school_days(day("2026-11-17"), day("2026-11-19")), "absent")
    # alert settings, year, holidays, one read per rule (5 over the register, lessons, risk settings,
    # behaviour)
    with assert_query_count(10) as captured:
        findings = detection.evaluate(school, day("2026-11-19"))
    assert (student.pk, Kind.CONSECUTIVE_ABSENCES) in findings
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in captured.captured_queries)
    assert not AlertSettings.objects.filter(school=school).exists()
    assert not AuditLog.objects.exists()

    scan_school(school=school, as_of=day("2026-11-19"))
    assert AlertSettings.objects.filter(school=school).count() == 1
    assert AuditLog.objects.filter(entity_type="interventions.alertsettings", action="create").count() == 1
