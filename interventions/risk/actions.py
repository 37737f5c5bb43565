"""What counts as a first step taken for a student: a meeting, an enrollment in an intervention
program or a contact with the guardian, in the last 30 days. Any other note does not clear the list
(staff learn to game a list that any note clears).

Each kind of step is one `Exists` over the student (`OuterRef("pk")` of a Student queryset), so the
"needs a first step" query stays one query whatever the kinds. A part of the interventions app that
records such steps adds its own with `@first_step_kind`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q

FIRST_STEP_DAYS = 30

_kinds: list[tuple[str, Callable[[datetime.date], Exists]]] = []


def first_step_kind(name: str):
    def register(build):
        if all(existing != name for existing, _ in _kinds):
            _kinds.append((name, build))
        return build

    return register


@first_step_kind("meeting")
def _meeting(since: datetime.date) -> Exists:
    from interventions.models import InterventionMeeting

    return Exists(
        InterventionMeeting.objects.filter(student_id=OuterRef("pk")).filter(
            Q(meeting_date__gte=since) | Q(created_at__date__gte=since)
        )
    )


@first_step_kind("enrollment")
def _enrollment(since: datetime.date) -> Exists:
    from interventions.programs.models import Enrollment

    return Exists(Enrollment.objects.filter(student_id=OuterRef("pk"), enrolled_at__date__gte=since))


@first_step_kind("guardian contact")
def _contact(since: datetime.date) -> Exists:
    from interventions.communications.models import CommunicationLog

    # A message that failed to send reached nobody: it is not a contact.
    return Exists(
        CommunicationLog.objects.filter(student_id=OuterRef("pk"), created_at__date__gte=since).exclude(
            status=CommunicationLog.Status.FAILED
        )
    )


def first_step_kinds() -> list[str]:
    return [name for name, _ in _kinds]


def first_step_taken(since: datetime.date) -> Q:
    """A Q on Student: some first step since `since`."""
    condition = Q(pk__in=[])
    for _, build in _kinds:
        condition |= Q(build(since))
    return condition
