"""Feedback links and the public page: signed, expiring, single-use tokens; VADER sentiment on fixed
sentences; the rate limit; nothing about the student on the page."""

import datetime
import re

import pytest
import time_machine
from django.core import signing
from django.core.cache import cache

from core.errors import ApplicationError, NotFoundError
from core.models import AuditLog
from core.testing.queries import assert_query_count
from interventions.feedback import sentiment, services, tokens
from interventions.feedback.models import Feedback, FeedbackLink
from interventions.tests.factories import InterventionFactory

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 10, 14, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def link_and_token(school, counselor):
    with time_machine.travel(START, tick=False):
        return services.feedback_link_create(actor=counselor, school_id=school.pk)


# Sentiment ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The mentoring sessions were wonderful and my son loves them.", "positive"),
        ("Thank you, the facilitator was kind and really helpful!", "positive"),
        ("The sessions start at 4pm on Tuesdays.", "neutral"),
        ("", "neutral"),
        ("The room was cold, the facilitator was late and it was a waste of time.", "negative"),
        ("My daughter hated it and felt ignored.", "negative"),
    ],
)
def test_sentiment_of_fixed_sentences(text, label):
    found, score = sentiment.analyse(text)
    assert found == label
    assert -1 <= score <= 1
    if label == "neutral":
        assert -0.05 < score < 0.05


def test_thresholds_are_vaders_own():
    assert [sentiment.label_for(x) for x in (0.05, 0.0499, -0.0499, -0.05)] == [
        "positive",
        "neutral",
        "neutral",
        "negative",
    ]


# Tokens -------------------------------------------------------------------------------------------


def test_a_link_works_once(link_and_token):
    link, token = link_and_token
    with time_machine.travel(START + datetime.timedelta(days=1), tick=False):
        feedback = services.feedback_submit(token=token, rating=2, comments="It was a waste of time, very boring.")
        assert (feedback.rating, feedback.sentiment, feedback.status) == (2, "negative", "pending")
        assert feedback.sentiment_score < 0
        link.refresh_from_db()
        assert link.used_at is not None and link.feedback == feedback
        with pytest.raises(NotFoundError):
            services.feedback_submit(token=token, rating=5, comments="again")
    assert Feedback.objects.count() == 1
    assert AuditLog.objects.filter(entity_type="interventions.feedback", action="create").count() == 1


def test_a_tampered_token_is_refused(link_and_token):
    _, token = link_and_token
    payload, _, signature = token.rpartition(":")
    forged = signing.dumps({"n": "someone-elses-nonce"}, salt="another-salt")
    with time_machine.travel(START, tick=False):
        for bad in (token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), forged, "garbage", payload + ":"):
            with pytest.raises(NotFoundError):
                services.open_link(bad)


def test_a_token_expires_after_14_days(link_and_token):
    _, token = link_and_token
    with time_machine.travel(START + datetime.timedelta(days=13, hours=23), tick=False):
        assert services.open_link(token)
    with time_machine.travel(START + datetime.timedelta(days=14, minutes=1), tick=False):
        with pytest.raises(NotFoundError):
            services.open_link(token)
        with pytest.raises(NotFoundError):
            services.feedback_submit(token=token, rating=4)


def test_the_token_carries_nothing_but_a_nonce(link_and_token):
    link, token = link_and_token
    assert signing.loads(token, salt=tokens.SALT) == {"n": link.nonce}


def test_answers_are_validated(link_and_token):
    _, token = link_and_token
    with time_machine.travel(START, tick=False):
        for rating in (0, 6, "five", None):
            with pytest.raises(ApplicationError) as exc:
                services.feedback_submit(token=token, rating=rating)
            assert "rating" in exc.value.field_errors
        assert FeedbackLink.objects.get().used_at is None


# The public page ----------------------------------------------------------------------------------


def test_the_public_page_needs_no_login_and_works_once(client, link_and_token):
    _, token = link_and_token
    url = f"/feedback/{token}/"
    with time_machine.travel(START, tick=True):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "How was the program?" in html and 'name="rating"' in html and 'name="comments"' in html
        assert page["Referrer-Policy"] == "same-origin"
        assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []  # no inline script (CSP)
        assert "main-nav" not in html  # a public page: no staff navigation
        assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
        assert client.post(url, {"rating": "9"}).status_code == 400
        sent = client.post(url, {"rating": "1", "comments": "Terrible, the sessions were awful."})
        assert sent.status_code == 200 and "Thank you" in sent.content.decode()
        assert client.get(url).status_code == 404
        assert client.post(url, {"rating": "5"}).status_code == 404
    assert Feedback.objects.get().sentiment == "negative"


def test_the_public_page_is_one_query(client, school, counselor):
    program = InterventionFactory(school=school, owner=counselor, name="Study skills")
    with time_machine.travel(START, tick=False):
        _, token = services.feedback_link_create(actor=counselor, school_id=school.pk, intervention=program)
    with time_machine.travel(START, tick=True):
        with assert_query_count(1):  # the link with its program (no session, no user)
            page = client.get(f"/feedback/{token}/")
    assert page.status_code == 200 and "How was Study skills?" in page.content.decode()


def test_bad_and_expired_tokens_are_a_plain_404(client, link_and_token):
    _, token = link_and_token
    assert client.get("/feedback/not-a-token/").status_code == 404
    with time_machine.travel(START + datetime.timedelta(days=15), tick=True):
        assert client.get(f"/feedback/{token}/").status_code == 404


def test_the_public_page_is_rate_limited_per_address(client, link_and_token):
    _, token = link_and_token
    url = f"/feedback/{token}/"
    with time_machine.travel(START, tick=True):
        codes = [client.post(url, {"rating": "x"}, REMOTE_ADDR="203.0.113.9").status_code for _ in range(11)]
        assert codes[:10] == [400] * 10 and codes[10] == 429
        assert client.post(url, {"rating": "x"}, REMOTE_ADDR="203.0.113.10").status_code == 400
