"""Demo feedback: answers of every sentiment over the last few months, through links as families
answer them — about the school's programs and their completed sessions when there are any, else about
the school and its facilities. A few negative ones are resolved, the rest wait for review."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.demo import DemoSchool, demo_step
from interventions.feedback import services
from interventions.feedback.models import Feedback
from interventions.models import Intervention, InterventionSession

# (rating, comment): positive, neutral and negative, and a few where rating and words disagree.
ANSWERS = [
    (5, "Wonderful sessions, my son loves them and feels much happier at school."),
    (4, "Really helpful, thank you. The mentor listens."),
    (5, "Great support, she looks forward to every session."),
    (3, "The sessions are on Tuesdays after school."),
    (4, "He attended most weeks."),
    (3, ""),
    (2, "Boring and too long; my daughter felt ignored."),
    (1, "A waste of time, the room was cold and the facilitator was late."),
    (2, "Nobody told us the session was cancelled. Very frustrating."),
    (5, "Good, but the room was freezing and noisy."),
    (1, "It's fine I guess."),
    (4, "Excellent program, thank you so much!"),
]


@demo_step(order=90, name="feedback")
def seed_feedback(demo: DemoSchool) -> None:
    school = demo.school
    if Feedback.objects.filter(school=school).exists():
        demo.log(f"  feedback: {school.code} already has feedback, left as they are")
        return
    counselor = demo.users["counselor"]
    programs = list(Intervention.objects.filter(school=school).order_by("pk")[:4])
    sessions = list(
        InterventionSession.objects.filter(school=school, status=InterventionSession.Status.COMPLETED).order_by("pk")[
            :4
        ]
    )
    now = timezone.now()
    made = []
    for index, (rating, comments) in enumerate(ANSWERS * 2):
        session = sessions[index % len(sessions)] if sessions and index % 3 == 0 else None
        program = session.intervention if session else (programs[index % len(programs)] if programs else None)
        kind = "session" if session else ("program" if program else ("school" if index % 2 else "facility"))
        _, token = services.feedback_link_create(
            actor=counselor,
            school_id=school.pk,
            feedback_type=kind,
            intervention=program,
            session=session,
        )
        made.append(
            services.feedback_submit(
                token=token,
                rating=rating,
                comments=comments,
                submitted_at=now - datetime.timedelta(days=3 + (index * 11) % 120, hours=index),
            )
        )
    resolved = 0
    for feedback in made:
        if feedback.sentiment == Feedback.Sentiment.NEGATIVE and resolved < 2:
            services.feedback_resolve(
                actor=counselor,
                feedback=feedback,
                resolution="Called the family, apologised and moved the group to a warmer room.",
                version=feedback.version,
            )
            resolved += 1
    by_sentiment = {label: sum(1 for f in made if f.sentiment == label) for label in Feedback.Sentiment.values}
    demo.log(f"  feedback: {len(made)} answers in {school.code} {by_sentiment}, {resolved} resolved")
