"""The lead score: a rule a counsellor can read, not a black box.

An inquiry's score is the sum of its parts, each a number of points with the reason in words:

| part | points |
|---|---|
| every inquiry starts at | +20 |
| source | referral +20, walk-in +15, website +10, campaign +5, social media +5 |
| priority | high +15, medium +5, low 0 |
| days since the last contact (a completed follow-up; never contacted: since the inquiry came in) | 0–7 days +10, 8–13 days 0, 14–29 days −10, 30 days or more −20 |
| follow-ups completed | +5 each, at most +20 |
| interest breadth (subjects the family asked about) | +5 each, at most +15 |

Parts worth 0 points are left out. The parts above add up to between 0 and 100 by construction
(20 − 20 … 20 + 20 + 15 + 10 + 20 + 15), so the score is their sum. Should a future part take the sum
outside 0–100, the score is clamped and the clamping is itself a part ("−5 capped at 100" / "+5 raised
to 0"), so that the parts shown always add up to the score.

The score is recomputed in the same transaction as every change of the inquiry or its follow-ups (and
when the nightly `mark_missed_follow_ups` touches them); `scored_on` says the day it was computed for,
since the recency part depends on the day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

BASE_POINTS = 20
SOURCE_POINTS = {"referral": 20, "walk_in": 15, "website": 10, "campaign": 5, "social_media": 5}
SOURCE_WORDS = {
    "referral": "referral",
    "walk_in": "walk-in",
    "website": "website inquiry",
    "campaign": "campaign",
    "social_media": "social media",
}
PRIORITY_POINTS = {"high": 15, "medium": 5, "low": 0}
RECENT_DAYS, STALE_DAYS, COLD_DAYS = 7, 14, 30
RECENT_POINTS, STALE_POINTS, COLD_POINTS = 10, -10, -20
FOLLOW_UP_POINTS, FOLLOW_UP_CAP = 5, 20
SUBJECT_POINTS, SUBJECT_CAP = 5, 15
LOWEST, HIGHEST = 0, 100


@dataclass(frozen=True)
class Part:
    points: int
    reason: str

    def as_dict(self) -> dict:
        return {"points": self.points, "reason": self.reason}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def lead_score_parts(
    *,
    source: str,
    priority: str,
    received_on: datetime.date,
    last_contacted_on: datetime.date | None,
    completed_follow_ups: int,
    subject_count: int,
    today: datetime.date,
) -> list[Part]:
    """The parts of the score, in the order of the table above; they add up to the score."""
    parts = [Part(BASE_POINTS, "base")]
    if SOURCE_POINTS.get(source):
        parts.append(Part(SOURCE_POINTS[source], SOURCE_WORDS.get(source, source)))
    if PRIORITY_POINTS.get(priority):
        parts.append(Part(PRIORITY_POINTS[priority], f"{priority} priority"))
    since = last_contacted_on or received_on
    days = max((today - since).days, 0)
    never = last_contacted_on is None
    if days <= RECENT_DAYS:
        parts.append(Part(RECENT_POINTS, "came in within 7 days" if never else "contacted within 7 days"))
    elif days >= COLD_DAYS:
        parts.append(Part(COLD_POINTS, f"no contact for {days} days"))
    elif days >= STALE_DAYS:
        parts.append(Part(STALE_POINTS, f"no contact for {days} days"))
    if completed_follow_ups > 0:
        points = min(completed_follow_ups * FOLLOW_UP_POINTS, FOLLOW_UP_CAP)
        parts.append(Part(points, f"{_plural(completed_follow_ups, 'follow-up')} completed"))
    if subject_count > 0:
        points = min(subject_count * SUBJECT_POINTS, SUBJECT_CAP)
        parts.append(Part(points, f"interested in {_plural(subject_count, 'subject')}"))
    return clamp(parts)


def clamp(parts: list[Part]) -> list[Part]:
    """`parts`, plus the part that brings their sum into 0–100 when it falls outside."""
    total = sum(part.points for part in parts)
    if total > HIGHEST:
        return [*parts, Part(HIGHEST - total, f"capped at {HIGHEST}")]
    if total < LOWEST:
        return [*parts, Part(LOWEST - total, f"raised to {LOWEST}")]
    return parts


def score_of(parts: list[Part]) -> int:
    return sum(part.points for part in parts)


def explain(parts: list[dict]) -> str:
    """ "+20 base, +20 referral, +15 high priority, −10 no contact for 14 days" (a real minus)."""
    return ", ".join(f"{'+' if p['points'] >= 0 else '−'}{abs(p['points'])} {p['reason']}" for p in parts)
