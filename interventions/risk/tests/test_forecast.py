"""The attendance forecast's arithmetic: already chronic, out of reach of 90 %, a perfect attendee,
and the day a student at a worsening pace becomes chronically absent."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from attendance.tests.factories import HolidayFactory
from interventions.risk.forecast import forecast, remaining_school_days
from interventions.risk.selectors import student_forecast
from interventions.risk.tests.helpers import mark

KOFI = SimpleNamespace(first_name="Kofi", gender="male")
AMA = SimpleNamespace(first_name="Ama", gender="female")


def _days(count, start=datetime.date(2027, 3, 1)):
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def test_already_chronic():
    result = forecast(
        student=KOFI,
        marked=50,
        missed=8,
        attended=42,
        recent_marked=45,
        recent_missed=8,
        remaining=_days(100),
        chronic_percent=10,
        target_percent=90,
    )
    assert result.already_chronic and result.chronic_from is None
    # Attending all 100 remaining days: 142 / 150 = 94.7 %; 142 − 135 = 7 more days may be missed.
    assert (result.best_rate, result.can_still_miss) == (94.7, 7)
    assert result.words == (
        "Kofi is already chronically absent (8 of 50 marked days missed); he can miss 7 more days and still reach 90 %."
    )


def test_can_never_reach_90():
    result = forecast(
        student=AMA,
        marked=100,
        missed=30,
        attended=70,
        recent_marked=45,
        recent_missed=20,
        remaining=_days(20),
        chronic_percent=10,
        target_percent=90,
    )
    # Best: 90 / 120 = 75 %.
    assert result.best_rate == 75.0
    assert result.can_still_miss is None
    assert "she can no longer reach 90 % this year (best 75 %)" in result.words


def test_perfect_attendee():
    result = forecast(
        student=AMA,
        marked=60,
        missed=0,
        attended=60,
        recent_marked=45,
        recent_missed=0,
        remaining=_days(40),
        chronic_percent=10,
        target_percent=90,
    )
    assert not result.already_chronic and result.chronic_from is None
    assert result.best_rate == 100.0
    assert result.can_still_miss == 10  # 100 − 90
    assert result.words == "Ama has missed no day this year; she can miss 10 more days and still reach 90 %."


def test_the_day_a_worsening_pace_crosses_the_threshold():
    """5 of 60 missed (8.3 %) but 4 of the last 20 (20 %): (5 + 0.2k) / (60 + k) ≥ 0.1 from k = 10."""
    remaining = _days(60)
    result = forecast(
        student=KOFI,
        marked=60,
        missed=5,
        attended=55,
        recent_marked=20,
        recent_missed=4,
        remaining=remaining,
        chronic_percent=10,
        target_percent=90,
    )
    assert result.chronic_from == remaining[9]
    assert result.words.startswith(
        f"At this pace Kofi is chronically absent from {remaining[9].day} {remaining[9]:%B}; "
    )
    # 55 + 60 − 0.9 × 120 = 7.
    assert result.can_still_miss == 7


def test_a_steady_pace_below_the_threshold_never_crosses():
    result = forecast(
        student=KOFI,
        marked=60,
        missed=3,
        attended=57,
        recent_marked=45,
        recent_missed=3,
        remaining=_days(60),
        chronic_percent=10,
        target_percent=90,
    )
    assert result.chronic_from is None and not result.already_chronic
    assert result.words.startswith("At this pace Kofi does not become chronically absent this year")


def test_must_attend_every_day():
    result = forecast(
        student=KOFI,
        marked=10,
        missed=2,
        attended=8,
        recent_marked=10,
        recent_missed=2,
        remaining=_days(10),
        chronic_percent=10,
        target_percent=90,
    )
    assert result.can_still_miss == 0  # 18 − 18
    assert "he must attend every remaining day to reach 90 %" in result.words


@pytest.mark.django_db
def test_forecast_of_a_student_uses_the_school_calendar(school, year, form, make_students):
    (student,) = make_students(form, 1)
    mark(student, ["present"] * 18 + ["absent"] * 2)
    HolidayFactory(school=school, date=_next_weekday(timezone.localdate()), name="Inset day")
    result = student_forecast(student=student)
    remaining = remaining_school_days(school_id=school.pk, after=timezone.localdate(), year_end=year.end_date)
    assert (result.marked, result.missed, result.attended) == (20, 2, 18)
    assert result.already_chronic  # 2 of 20 is 10 %
    assert result.remaining_days == len(remaining)
    assert _next_weekday(timezone.localdate()) not in remaining


def _next_weekday(day):
    day += datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day
