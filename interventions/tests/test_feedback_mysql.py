"""Two answers through one feedback link at the same moment, on real MariaDB/MySQL connections: one
lands, the other is the 404 page."""

import pytest
from django.core.cache import cache
from django.test import Client

from interventions.feedback import services
from interventions.feedback.models import Feedback
from interventions.tests.meetings_helpers import race

pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db(transaction=True)]


def test_two_racing_answers_through_one_link(school, counselor):
    cache.clear()
    _, token = services.feedback_link_create(actor=counselor, school_id=school.pk)
    url = f"/feedback/{token}/"
    responses = race(
        [
            lambda: Client(REMOTE_ADDR="203.0.113.1").post(url, {"rating": "1", "comments": "Awful."}),
            lambda: Client(REMOTE_ADDR="203.0.113.2").post(url, {"rating": "5", "comments": "Lovely."}),
        ]
    )
    assert sorted(r.status_code for r in responses) == [200, 404]
    assert Feedback.objects.count() == 1


def test_two_racing_follow_ups_both_count_in_the_score(counselor):
    """The inquiry row is locked while a follow-up is recorded: both land and both are counted."""
    from django.utils import timezone
    from rest_framework.test import APIClient

    from students.admissions.models import Inquiry
    from students.tests.admissions_helpers import new_inquiry

    today = timezone.localdate()
    inquiry = new_inquiry(counselor, today=today, received_on=today)
    url = f"/api/admissions/inquiries/{inquiry.pk}/follow-ups/"

    def post():
        client = APIClient()
        client.force_authenticate(counselor)
        return client.post(url, {"follow_up_date": str(today), "follow_up_type": "call"}, format="json")

    responses = race([post, post])
    assert [r.status_code for r in responses] == [201, 201]
    inquiry = Inquiry.objects.get(pk=inquiry.pk)
    assert inquiry.version == 3
    assert {"points": 10, "reason": "2 follow-ups completed"} in inquiry.lead_score_parts
