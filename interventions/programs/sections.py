"""The programs' sections of shared pages: the counsellor's dashboard and the student profile."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.permissions import PROGRAM_RUNNERS, STAFF, has_role
from core.sections import DASHBOARD, STUDENT_PROFILE, page_section
from interventions.programs import selectors

RISK_NEW_DAYS = 7
LISTED = 5


@page_section(page=DASHBOARD, order=35, template="interventions/programs/_section_dashboard.html")
def programs_dashboard(actor, **objects):
    """Today's sessions; for counsellors and admins also the programs under 80 % delivered and the
    students new on the risk list this week. Facilitators of other roles see it when they have a
    session today."""
    if not has_role(actor, *STAFF):
        return None
    sessions = list(selectors.todays_sessions(actor=actor)[:20])
    if actor.role not in PROGRAM_RUNNERS:
        return {"sessions": sessions, "low": [], "risk": None} if sessions else None
    programs = selectors.program_list(actor=actor, filters={"status": selectors.Program.Status.ACTIVE})
    if actor.role != "admin":
        programs = programs.filter(owner=actor)
    low = [(p, selectors.fidelity_of(p)) for p in selectors.low_fidelity(programs)[:LISTED]]
    since = timezone.now() - datetime.timedelta(days=RISK_NEW_DAYS)
    risk = selectors.risk_list(actor=actor, since=since, limit=LISTED)
    return {"sessions": sessions, "low": low, "risk": risk}


@page_section(page=STUDENT_PROFILE, order=40, template="interventions/programs/_section_profile.html")
def student_programs(actor, student=None, **objects):
    """The student's programs, as far as the actor may see their enrollments."""
    if student is None or not has_role(actor, *STAFF) or student.school_id != actor.school_id:
        return None
    enrollments = list(selectors.student_enrollments(actor=actor, student=student))
    if not enrollments and actor.role not in (*PROGRAM_RUNNERS, "form_master"):
        return None
    return {"enrollments": enrollments, "can_open": True}
