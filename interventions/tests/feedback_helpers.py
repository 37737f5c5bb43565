"""Feedback rows made the way families make them: a link, then an answer through it."""

from __future__ import annotations

from interventions.feedback import services


def answer(actor, *, rating, comments, intervention=None, session=None, student=None, school=None):
    school_id = (intervention or session or school).school_id if (intervention or session) else school.pk
    _, token = services.feedback_link_create(
        actor=actor,
        school_id=school_id,
        feedback_type="session" if session is not None else "program",
        intervention=intervention or (session.intervention if session is not None else None),
        session=session,
        student=student,
    )
    return services.feedback_submit(token=token, rating=rating, comments=comments)


NEGATIVE = "The sessions were boring and the facilitator was rude. A waste of time."
POSITIVE = "Wonderful sessions, my son loves them and feels much happier."
NEUTRAL = "The sessions are on Tuesdays after school."
