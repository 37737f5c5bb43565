"""The contact log's sections of shared pages: the student profile and a meeting's page."""

from __future__ import annotations

from core.sections import MEETING_DETAIL, STUDENT_PROFILE, page_section
from interventions.communications import access, selectors, services

SHOWN_ON_PROFILE = 10


@page_section(page=STUDENT_PROFILE, order=40, template="interventions/communications/_section_contact_log.html")
def contact_log(actor, student=None, **objects):
    """The student's latest contacts with their guardian (one query) and "Contact guardian"."""
    return _latest_contacts(actor, student, contact_query="")


@page_section(page=MEETING_DETAIL, order=20, template="interventions/communications/_section_contact_log.html")
def meeting_contact_log(actor, meeting=None, student=None, **objects):
    """The same log on a meeting's page: contacts made with the family while the case is followed."""
    student = student or getattr(meeting, "student", None)
    return _latest_contacts(actor, student, contact_query=f"meeting={meeting.pk}" if meeting is not None else "")


def _latest_contacts(actor, student, *, contact_query: str):
    """The student's latest contacts (one query), for one who may contact the family; the query string
    "Contact guardian" carries."""
    if student is None or not access.can_contact(actor, student):
        return None
    rows = selectors.student_communications(actor=actor, student=student, limit=SHOWN_ON_PROFILE + 1)
    return {
        "student": student,
        "log": rows[:SHOWN_ON_PROFILE],
        "more": len(rows) > SHOWN_ON_PROFILE,
        "retryable": services.RETRYABLE,
        "contact_query": contact_query,
    }
