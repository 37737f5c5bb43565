"""The outcomes' reactions to the programs' events."""

from __future__ import annotations

from core.listeners import listens_to
from core.models import User
from interventions.outcomes.services import recommendations_dismiss_for_left
from interventions.programs.events import ENROLLMENT_LEFT


@listens_to(ENROLLMENT_LEFT)
def dismiss_recommendation_of_left_enrollment(*, enrollment_id: int, actor_id: int | None = None, **_) -> None:
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    recommendations_dismiss_for_left(enrollment_id=enrollment_id, actor=actor)
