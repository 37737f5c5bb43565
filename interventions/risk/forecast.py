"""The attendance forecast of one student (SPEC §8), from the school calendar:

- the school day on which, at the student's current pace (the share of the last marked school days
  missed, any reason), missed days reach the chronic threshold (AlertSettings' chronic %) of the
  year's marked days — or that they are chronically absent already, or never will be at this pace;
- the best rate still reachable this year (attending every remaining school day);
- how many more days may be missed and still end the year at or above the target (90 %).

Remaining school days are the weekdays after today up to the year's last day that are not holidays.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import asdict, dataclass
from decimal import Decimal
from fractions import Fraction

from attendance.selectors import school_days


@dataclass
class Forecast:
    marked: int
    missed: int
    attended: int
    remaining_days: int
    chronic_percent: float
    target_percent: float
    already_chronic: bool
    chronic_from: datetime.date | None
    best_rate: float | None
    can_still_miss: int | None  # None: the target is out of reach even attending every remaining day
    words: str

    def as_dict(self) -> dict:
        data = asdict(self)
        data["chronic_from"] = self.chronic_from.isoformat() if self.chronic_from else None
        return data


def remaining_school_days(*, school_id: int, after: datetime.date, year_end: datetime.date) -> list[datetime.date]:
    return school_days(school_id=school_id, start=after + datetime.timedelta(days=1), end=year_end)


def _pronoun(student) -> str:
    return {"female": "she", "male": "he"}.get(getattr(student, "gender", ""), "they")


def forecast(
    *,
    student,
    marked: int,
    missed: int,
    attended: int,
    recent_marked: int,
    recent_missed: int,
    remaining: list[datetime.date],
    chronic_percent,
    target_percent,
) -> Forecast:
    """The arithmetic, on the student's figures so far this year and the remaining school days."""
    chronic = Fraction(Decimal(chronic_percent)) / 100
    target = Fraction(Decimal(target_percent)) / 100
    left = len(remaining)
    total = marked + left
    already = marked > 0 and Fraction(missed, marked) >= chronic
    chronic_from = None
    if not already and recent_marked:
        pace = Fraction(recent_missed, recent_marked)
        if pace > chronic:
            # (missed + pace·k) / (marked + k) ≥ chronic  ⇔  k ≥ (chronic·marked − missed) / (pace − chronic)
            needed = max(1, math.ceil((chronic * marked - missed) / (pace - chronic)))
            if needed <= left:
                chronic_from = remaining[needed - 1]
    best = round(float(Fraction(attended + left, total) * 100), 1) if total else None
    # attended + left − m ≥ target · total  ⇔  m ≤ attended + left − target · total
    spare = math.floor(attended + left - target * total) if total else None
    can_still_miss = spare if spare is not None and spare >= 0 else None
    name = student.first_name
    pronoun = _pronoun(student)
    target_words = f"{float(target_percent):g} %"
    if not total:
        words = "No school days to forecast."
    else:
        if already:
            first = f"{name} is already chronically absent ({missed} of {marked} marked days missed)"
        elif chronic_from:
            first = f"At this pace {name} is chronically absent from {chronic_from.day} {chronic_from:%B}"
        elif missed == 0:
            first = f"{name} has missed no day this year"
        else:
            first = f"At this pace {name} does not become chronically absent this year"
        if can_still_miss is None:
            second = f"{pronoun} can no longer reach {target_words} this year (best {best:g} %)"
        elif can_still_miss == 0:
            second = f"{pronoun} must attend every remaining day to reach {target_words}"
        else:
            days = f"{can_still_miss} more day{'s' if can_still_miss != 1 else ''}"
            second = f"{pronoun} can miss {days} and still reach {target_words}"
        words = f"{first}; {second}."
    return Forecast(
        marked=marked,
        missed=missed,
        attended=attended,
        remaining_days=left,
        chronic_percent=float(chronic_percent),
        target_percent=float(target_percent),
        already_chronic=already,
        chronic_from=chronic_from,
        best_rate=best,
        can_still_miss=can_still_miss,
        words=words,
    )
