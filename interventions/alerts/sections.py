"""The alerts' sections on the home page and on the student profile (see core/sections.py)."""

from __future__ import annotations

from core.permissions import REGISTER_TAKERS, Role, has_role
from core.sections import DASHBOARD, STUDENT_FIGURES, STUDENT_PROFILE, object_figures, page_section
from interventions.alerts import selectors
from interventions.alerts.views import decorate
from interventions.models import Alert

TOP_ALERTS = 5


@page_section(page=DASHBOARD, order=20, template="interventions/alerts/_dashboard_alerts.html")
def dashboard_alerts(actor, **objects):
    """Open alerts concerning the user: counts by severity and the most severe few."""
    if not has_role(actor, *REGISTER_TAKERS):
        return None
    counts = selectors.open_alert_counts(actor=actor)
    top = decorate(list(selectors.alert_list(actor=actor, status=selectors.ACTIVE)[:TOP_ALERTS]), actor)
    scope = {Role.ADMIN: "whole school", Role.FORM_MASTER: "your forms", Role.TEACHER: "assigned to you"}[actor.role]
    return {"counts": counts, "alerts": top, "scope": scope}


@page_section(page=STUDENT_PROFILE, order=20, template="interventions/alerts/_student_alerts.html")
def student_alerts(actor, *, student=None, **objects):
    """The student's alerts that the user may see, open first."""
    if student is None or not has_role(actor):
        return None
    alerts = decorate(list(selectors.alert_list(actor=actor, student=student)), actor)
    return {"student": student, "alerts": alerts, "open_count": sum(1 for a in alerts if a.status == Alert.Status.OPEN)}


@object_figures(of=STUDENT_FIGURES)
def student_alert_figures(*, student):
    return {"open_alert_count": selectors.open_alert_count(student=student)}
