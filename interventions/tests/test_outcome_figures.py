"""The outcome arithmetic: criteria at their boundaries, not enough data, the trend and its verdict."""

import datetime

import pytest

from interventions.outcomes import figures

START = datetime.date(2026, 9, 7)  # a Monday


def test_mean_of_last_window_meets_at_the_target():
    result = figures.mean_of_last([4, 3, 5, 1], window=3, target=4)
    assert (result.value, result.met, result.points) == (4.0, True, 3)


def test_mean_of_last_window_just_under_the_target_is_not_met():
    result = figures.mean_of_last([4, 3, 4.99, 1], window=3, target=4)
    assert result.met is False  # 3.997: shown rounded as 4.0, judged unrounded
    assert result.value == 4.0


def test_fewer_points_than_the_window_is_not_enough_data():
    result = figures.mean_of_last([5, 5], window=3, target=1)
    assert (result.value, result.met, result.enough_data) == (None, False, False)
    assert result.as_json()["reason"] == figures.NOT_ENOUGH_DATA


def test_attendance_rate_counts_late_as_attended():
    statuses = ["present", "late", "absent", "present", "excused"]
    assert figures.rate_of_last(statuses, window=4, target=75).met is True  # 3 of 4 = 75 %
    assert figures.rate_of_last(statuses, window=5, target=75).met is False  # 3 of 5 = 60 %
    assert figures.rate_of_last(statuses[:3], window=4, target=0).enough_data is False


def test_trend_slope_and_projection():
    points = [(START + datetime.timedelta(days=7 * week), 2 + week * 0.5) for week in range(4)]
    result = figures.trend(points, start_date=START, goal_date=START + datetime.timedelta(days=42))
    assert result.slope_per_week == pytest.approx(0.5)
    assert result.projected_at_goal_date == pytest.approx(5.0)


def test_trend_needs_two_dates():
    assert figures.trend([(START, 3)], start_date=START, goal_date=START) == figures.Trend(None, None)


@pytest.mark.parametrize(
    ("projected", "fidelity", "attended", "expected"),
    [
        (5.0, 100, 100, figures.ON_TRACK),
        (4.9, 100, 100, figures.OFF_TRACK),
        (4.9, 79.9, 100, figures.NOT_ENOUGH_DELIVERED),
        (5.0, 100, 79, figures.NOT_ENOUGH_DELIVERED),
        (None, 100, 100, figures.NOT_ENOUGH_DATA),
    ],
)
def test_verdict(projected, fidelity, attended, expected):
    verdict = figures.verdict(
        goal=5, baseline=2, projected=projected, fidelity_pct=fidelity, session_attendance_pct=attended, points=4
    )
    assert verdict == expected


def test_a_falling_goal_is_on_track_when_projected_below_it():
    assert figures.verdict(
        goal=2, baseline=5, projected=1.5, fidelity_pct=None, session_attendance_pct=None, points=3
    ) == (figures.ON_TRACK)


def test_weekly_rates():
    monday = START
    rows = [
        (monday, "present"),
        (monday + datetime.timedelta(days=1), "absent"),
        (monday + datetime.timedelta(days=7), "late"),
    ]
    assert figures.weekly_rates(rows) == [
        {"week_start": monday, "rate": 50.0},
        {"week_start": monday + datetime.timedelta(days=7), "rate": 100.0},
    ]
