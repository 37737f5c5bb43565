"""The ABC bands of SPEC §8: a level (0–4) from a figure, and the words that say why.

Comparisons are exact (fractions, not floats): 90 % of 45 days is a band edge, not a rounding matter.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

# A rate over fewer marked days than this says little (one absence on the first day of term would be
# "0 %"): the attendance indicator stays at 0 and says so, as the alerts do.
MIN_MARKED_DAYS = 5
# A change in attendance rate of at least this many points between the two windows is a trend.
TREND_POINTS = 2
# Marks: a change of the mean graded percentage of at least this many points between the recent window
# and the year's marks before it, each part with at least MIN_TREND_GRADED graded assessments.
COURSE_TREND_POINTS = 5
MIN_TREND_GRADED = 2


def _number(value) -> str:
    text = f"{float(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


def percent(numerator: int, denominator: int) -> float | None:
    if not denominator:
        return None
    return round(numerator * 100 / denominator, 1)


def attendance_level(attended: int, marked: int, settings) -> int:
    """≥ 95 → 0, ≥ 90 → 1, ≥ 85 → 2, ≥ 80 → 3, else 4 (the school's thresholds)."""
    if marked < MIN_MARKED_DAYS:
        return 0
    rate = Fraction(attended * 100, marked)
    edges = [
        settings.attendance_level_0_percent,
        settings.attendance_level_1_percent,
        settings.attendance_level_2_percent,
        settings.attendance_level_3_percent,
    ]
    for level, edge in enumerate(edges):
        if rate >= Fraction(Decimal(edge)):
            return level
    return 4


def behaviour_level(penalties: int, settings) -> int:
    """≤ 1 → 0, 2 → 1, 3–4 → 2, 5–6 → 3, ≥ 7 → 4 (the school's thresholds)."""
    edges = [
        settings.behaviour_level_4_penalties,
        settings.behaviour_level_3_penalties,
        settings.behaviour_level_2_penalties,
        settings.behaviour_level_1_penalties,
    ]
    for level, edge in zip((4, 3, 2, 1), edges, strict=True):
        if penalties >= edge:
            return level
    return 0


def course_level(failing: int, near: int, settings) -> int:
    """Subjects below the pass mark: 0 → 0 (1 when enough are close above it), 1 → 2, 2 → 3, ≥ 3 → 4."""
    if failing >= 3:
        return 4
    if failing == 2:
        return 3
    if failing == 1:
        return 2
    return 1 if near >= settings.near_pass_subjects else 0


def trend(
    now: float | None, before: float | None, *, higher_is_better: bool = True, points: float = TREND_POINTS
) -> str | None:
    if now is None or before is None:
        return None
    change = (now - before) if higher_is_better else (before - now)
    if change >= points:
        return "improving"
    if change <= -points:
        return "worsening"
    return "steady"


def attendance_figures(row: dict, settings) -> dict:
    """Figures and words of the attendance indicator from the student's aggregate row."""
    window = settings.attendance_window_days
    attended, marked = row.get("attended", 0), row.get("marked", 0)
    prev_attended, prev_marked = row.get("prev_attended", 0), row.get("prev_marked", 0)
    level = attendance_level(attended, marked, settings)
    rate = percent(attended, marked)
    previous = percent(prev_attended, prev_marked) if prev_marked >= MIN_MARKED_DAYS else None
    if marked == 0:
        words = "No marked school days yet this year."
    elif marked < MIN_MARKED_DAYS:
        words = f"Only {marked} marked school day{'s' if marked != 1 else ''} so far: too few to rate."
    else:
        last = f"the last {marked}" if marked == window else f"all {marked}"
        words = f"Attended {attended} of {last} marked school days: {_number(rate)} %"
        if level == 0:
            words += f" (at or above {_number(settings.attendance_level_0_percent)} %)."
        elif level == 4:
            words += f" (below {_number(settings.attendance_level_3_percent)} %)."
        else:
            below = [
                settings.attendance_level_0_percent,
                settings.attendance_level_1_percent,
                settings.attendance_level_2_percent,
            ][level - 1]
            words += f" (below {_number(below)} %)."
    direction = trend(rate if marked >= MIN_MARKED_DAYS else None, previous)
    if direction and direction != "steady":
        words += (
            f" {'Up' if direction == 'improving' else 'Down'} from {_number(previous)} % over the"
            f" {prev_marked} marked days before."
        )
    return {
        "level": level,
        "rate": rate,
        "attended": attended,
        "marked": marked,
        "window_days": window,
        "previous_rate": previous,
        "trend": direction,
        "words": words,
    }


def behaviour_figures(row: dict, settings) -> dict:
    window = settings.behaviour_window_days
    penalties, previous = row.get("penalties", 0), row.get("prev_penalties", 0)
    appealed, rewards = row.get("appealed", 0), row.get("rewards", 0)
    level = behaviour_level(penalties, settings)
    if penalties == 0:
        words = f"No counted penalty in the last {window} school days."
    else:
        words = f"{penalties} counted penalt{'ies' if penalties != 1 else 'y'} in the last {window} school days"
        words += f" ({appealed} under appeal)." if appealed else "."
    direction = trend(float(penalties), float(previous), higher_is_better=False) if (penalties or previous) else None
    if direction and direction != "steady":
        words += f" {'Up' if direction == 'worsening' else 'Down'} from {previous} in the {window} school days before."
    if rewards:
        words += f" {rewards} reward{'s' if rewards != 1 else ''} in the same days."
    return {
        "level": level,
        "penalties": penalties,
        "under_appeal": appealed,
        "previous_penalties": previous,
        "rewards": rewards,
        "window_days": window,
        "trend": direction,
        "words": words,
    }


def course_figures(row: dict, settings) -> dict:
    """`row`: {"graded_subjects": n, "low": [{"subject": name, "mean": 42.0}, …]} (subjects whose mean is
    below the pass mark plus the margin)."""
    pass_mark = Decimal(settings.pass_mark_percent)
    near_limit = pass_mark + Decimal(settings.near_pass_margin)
    graded = row.get("graded_subjects", 0)
    low = sorted(row.get("low", []), key=lambda item: (item["mean"], item["subject"]))
    failing = [item for item in low if Decimal(str(item["mean"])) < pass_mark]
    near = [item for item in low if pass_mark <= Decimal(str(item["mean"])) < near_limit]
    level = course_level(len(failing), len(near), settings)
    parts = []
    if not graded:
        parts.append("No graded assessments this year.")
    if failing:
        names = ", ".join(f"{item['subject']} ({_number(item['mean'])} %)" for item in failing)
        parts.append(f"Below the {_number(pass_mark)} % pass mark in {names}.")
    if near:
        names = ", ".join(f"{item['subject']} ({_number(item['mean'])} %)" for item in near)
        parts.append(f"Within {_number(settings.near_pass_margin)} points above it in {names}.")
    if graded and not low:
        parts.append(f"All {graded} graded subject{'s' if graded != 1 else ''} at or above {_number(near_limit)} %.")
    elif graded and not failing:
        parts.append(f"No subject below the pass mark ({graded} graded).")
    recent, earlier = row.get("recent_mean"), row.get("earlier_mean")
    enough = row.get("recent_graded", 0) >= MIN_TREND_GRADED and row.get("earlier_graded", 0) >= MIN_TREND_GRADED
    direction = trend(recent, earlier, points=COURSE_TREND_POINTS) if enough else None
    if direction and direction != "steady":
        parts.append(
            f"Marks {'up' if direction == 'improving' else 'down'}: {_number(recent)} % on average in the last"
            f" {settings.behaviour_window_days} school days, from {_number(earlier)} % before."
        )
    return {
        "level": level,
        "graded_subjects": graded,
        "failing": failing,
        "near": near,
        "pass_mark": float(pass_mark),
        "recent_mean": recent if enough else None,
        "earlier_mean": earlier if enough else None,
        "trend": direction,
        "words": " ".join(parts),
    }


def strengths(attendance: dict, behaviour: dict, course: dict) -> list[str]:
    """What is going well, so staff do not see only red."""
    found = []
    if attendance.get("trend") == "improving":
        found.append(
            f"Attendance improving: {_number(attendance['rate'])} %, up from {_number(attendance['previous_rate'])} %."
        )
    elif attendance.get("marked", 0) >= MIN_MARKED_DAYS and attendance["attended"] == attendance["marked"]:
        found.append(f"Present on each of the last {attendance['marked']} marked days.")
    if behaviour.get("rewards", 0) >= 2 and behaviour.get("penalties", 0) == 0:
        found.append(
            f"Reward streak: {behaviour['rewards']} rewards and no penalty in {behaviour['window_days']} school days."
        )
    elif behaviour.get("trend") == "improving":
        found.append(f"Fewer penalties: {behaviour['penalties']}, down from {behaviour['previous_penalties']}.")
    if course.get("graded_subjects") and not course.get("failing") and not course.get("near"):
        found.append("Passing every graded subject comfortably.")
    if course.get("trend") == "improving":
        found.append(
            f"Marks improving: {_number(course['recent_mean'])} %, up from {_number(course['earlier_mean'])} %."
        )
    return found
