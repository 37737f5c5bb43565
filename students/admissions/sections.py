"""The admissions section of the home page: follow-ups due today and overdue (see core/sections.py)."""

from __future__ import annotations

from django.utils import timezone

from core.permissions import PROGRAM_RUNNERS, Role, has_role
from core.sections import DASHBOARD, page_section
from students.admissions import selectors

SHOWN = 8


@page_section(page=DASHBOARD, order=45, template="students/admissions/_dashboard_due.html")
def follow_ups_due(actor, **objects):
    """A counsellor's own inquiries to contact; an admin's whole school."""
    if not has_role(actor, *PROGRAM_RUNNERS):
        return None
    today = timezone.localdate()
    due = selectors.due_follow_ups(actor=actor, today=today, mine_only=actor.role == Role.COUNSELOR, limit=SHOWN + 1)
    rows = (due["overdue"] + due["today"])[:SHOWN]
    return {
        "today": today,
        "rows": rows,
        "overdue_count": len(due["overdue"]),
        "today_count": len(due["today"]),
        "more": len(due["overdue"]) + len(due["today"]) > SHOWN,
        "scope": "your inquiries" if actor.role == Role.COUNSELOR else "whole school",
    }
