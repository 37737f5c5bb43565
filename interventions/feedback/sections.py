"""The feedback section of the home page: negative feedback waiting for its reviewer."""

from __future__ import annotations

from core.sections import DASHBOARD, page_section
from interventions.feedback import selectors

SHOWN = 5


@page_section(page=DASHBOARD, order=48, template="interventions/feedback/_dashboard_review.html")
def feedback_to_review(actor, **objects):
    """Admins and counsellors: the school's; a program's owner: their programs'."""
    if not selectors.may_review(actor):
        return None
    rows = list(selectors.feedback_list(actor=actor, status=selectors.NEEDS_REVIEW)[:SHOWN])
    return {"count": selectors.review_count(actor=actor), "rows": rows}
