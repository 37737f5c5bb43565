"""The arithmetic of program outcomes, free of the database: criteria over the last `window` data
points, the least-squares trend of a student's ratings, its projection, and the verdict in words."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FIDELITY_FLOOR = Decimal("80")  # under this % delivered (or attended), the chart does not judge
ON_TRACK = "on track"
OFF_TRACK = "off track"
NOT_ENOUGH_DELIVERED = "not enough of the plan delivered to judge"
NOT_ENOUGH_DATA = "not enough data"


def rounded(value, places: int = 2) -> float | None:
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class CriterionResult:
    value: float | None  # the figure over the window (None: not enough data)
    target: float
    met: bool
    points: int  # data points available (at most `window` are used)
    window: int

    @property
    def enough_data(self) -> bool:
        return self.points >= self.window

    def as_json(self) -> dict:
        return {
            "value": self.value,
            "target": self.target,
            "met": self.met,
            "points": self.points,
            "window": self.window,
            "reason": "" if self.enough_data else NOT_ENOUGH_DATA,
        }


def mean_of_last(values_newest_first: Sequence, *, window: int, target) -> CriterionResult:
    """Mean of the newest `window` values ≥ target; fewer values than `window` is not met."""
    used = [Decimal(str(v)) for v in values_newest_first[:window] if v is not None]
    target = Decimal(str(target))
    if window < 1 or len(used) < window:
        return CriterionResult(None, float(target), False, len(used), window)
    mean = sum(used) / len(used)
    return CriterionResult(rounded(mean), float(target), mean >= target, len(used), window)


def rate_of_last(statuses_newest_first: Sequence[str], *, window: int, target) -> CriterionResult:
    """Attendance rate (present + late over marked days, SPEC §3) of the newest `window` marked days, in %."""
    used = list(statuses_newest_first[:window])
    target = Decimal(str(target))
    if window < 1 or len(used) < window:
        return CriterionResult(None, float(target), False, len(used), window)
    attended = sum(1 for status in used if status in ("present", "late"))
    rate = Decimal(attended * 100) / Decimal(len(used))
    return CriterionResult(rounded(rate), float(target), rate >= target, len(used), window)


@dataclass(frozen=True)
class Trend:
    slope_per_week: float | None
    projected_at_goal_date: float | None


def least_squares(
    points: Iterable[tuple[datetime.date, float]], *, origin: datetime.date
) -> tuple[float, float] | None:
    """(slope per day, value at `origin`) of the least-squares line; None with fewer than two dates."""
    xs, ys = [], []
    for day, value in points:
        if value is None:
            continue
        xs.append((day - origin).days)
        ys.append(float(value))
    if len(set(xs)) < 2:
        return None
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    return slope, mean_y - slope * mean_x


def trend(points, *, start_date: datetime.date, goal_date: datetime.date | None) -> Trend:
    line = least_squares(points, origin=start_date)
    if line is None:
        return Trend(None, None)
    slope, intercept = line
    projected = None
    if goal_date is not None:
        projected = rounded(intercept + slope * (goal_date - start_date).days)
    return Trend(rounded(slope * 7, 3), projected)


def verdict(*, goal, baseline, projected, fidelity_pct, session_attendance_pct, points: int) -> str:
    """The chart's judgement in words. Below 80 % delivered or attended it does not judge at all."""
    for pct in (fidelity_pct, session_attendance_pct):
        if pct is not None and Decimal(str(pct)) < FIDELITY_FLOOR:
            return NOT_ENOUGH_DELIVERED
    if goal is None or projected is None or points < 2:
        return NOT_ENOUGH_DATA
    rising = baseline is None or Decimal(str(goal)) >= Decimal(str(baseline))
    reached = Decimal(str(projected)) >= Decimal(str(goal)) if rising else Decimal(str(projected)) <= Decimal(str(goal))
    return ON_TRACK if reached else OFF_TRACK


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def weekly_rates(records: Iterable[tuple[datetime.date, str]]) -> list[dict]:
    """[{week_start, rate}] of the marked days, oldest week first (rate in %, SPEC §3)."""
    weeks: dict[datetime.date, list[int]] = {}
    for day, status in records:
        counts = weeks.setdefault(week_start(day), [0, 0])
        counts[1] += 1
        if status in ("present", "late"):
            counts[0] += 1
    return [
        {"week_start": start, "rate": rounded(Decimal(attended * 100) / Decimal(marked))}
        for start, (attended, marked) in sorted(weeks.items())
    ]
