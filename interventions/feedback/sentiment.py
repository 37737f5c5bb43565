"""Sentiment of a feedback comment, by VADER (the `vaderSentiment` package: its lexicon and rules ship
in the package; nothing is fetched).

VADER's compound score runs from −1 (most negative) to +1 (most positive). The label follows VADER's
own recommended thresholds:

    compound ≥ +0.05  → positive
    compound ≤ −0.05  → negative
    otherwise         → neutral (an empty comment is neutral, 0)

The rating a family gives is kept beside it: the two may disagree ("5 stars — but the room was
freezing"), and both are shown.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05


@lru_cache(maxsize=1)
def _analyzer():
    # Loaded once per process: reading the lexicon takes ~0.1 s.
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def label_for(compound: float) -> str:
    if compound >= POSITIVE_THRESHOLD:
        return "positive"
    if compound <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def analyse(text: str) -> tuple[str, Decimal]:
    """(label, compound score to 4 places) of `text`."""
    text = (text or "").strip()
    if not text:
        return "neutral", Decimal("0.0000")
    compound = _analyzer().polarity_scores(text)["compound"]
    score = Decimal(str(compound)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    return label_for(float(score)), score
