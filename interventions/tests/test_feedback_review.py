"""Feedback review: the list and its filters, resolving under the version rule, analytics per program,
facilitator and month, the pages, roles and two schools, query counts."""

import pytest

from core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from core.models import AuditLog
from core.testing.queries import assert_query_count
from interventions.feedback import services
from interventions.feedback.models import Feedback
from interventions.tests.factories import InterventionFactory, InterventionSessionFactory
from interventions.tests.feedback_helpers import NEGATIVE, NEUTRAL, POSITIVE, answer

pytestmark = pytest.mark.django_db
URL = "/api/interventions/feedback/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def programs(school, counselor, form_master):
    mentoring = InterventionFactory(school=school, name="Mentoring", owner=form_master)
    reading = InterventionFactory(school=school, name="Reading club", owner=counselor)
    session = InterventionSessionFactory(intervention=mentoring, facilitator=form_master, status="completed")
    rows = {
        "negative": answer(counselor, rating=2, comments=NEGATIVE, session=session),
        "positive": answer(counselor, rating=5, comments=POSITIVE, intervention=mentoring),
        "neutral": answer(counselor, rating=4, comments=NEUTRAL, intervention=reading),
        "reading_negative": answer(counselor, rating=1, comments=NEGATIVE, intervention=reading),
    }
    return mentoring, reading, session, rows


def test_the_list_filters_and_the_needs_review_default(client_for, counselor, programs):
    mentoring, reading, _, rows = programs
    client = client_for(counselor)
    ids = lambda q: {row["id"] for row in client.get(URL + q).json()["results"]}  # noqa: E731
    assert ids("") == {row.pk for row in rows.values()}
    assert ids("?sentiment=negative") == {rows["negative"].pk, rows["reading_negative"].pk}
    assert ids(f"?intervention={reading.pk}") == {rows["neutral"].pk, rows["reading_negative"].pk}
    assert ids("?status=needs_review") == {rows["negative"].pk, rows["reading_negative"].pk}
    assert ids("?status=resolved") == set()
    body = client.get(f"{URL}?intervention={mentoring.pk}&sentiment=negative").json()["results"][0]
    assert (body["rating"], body["sentiment"], body["intervention_name"]) == (2, "negative", "Mentoring")
    assert float(body["sentiment_score"]) < -0.05 and body["facilitator"] == rows["negative"].session.facilitator_id
    assert client.get(URL + "?status=nope").status_code == 400
    assert client.get(URL + "?sentiment=angry&intervention=x").json() == {
        "sentiment": ["\u201cangry\u201d is not a valid sentiment. Allowed: positive, neutral, negative."],
        "intervention": ["An intervention id is a whole number."],
    }


def test_the_review_page_reads_its_address_like_the_api(client, counselor, programs):
    """No status: the negative, unresolved ones; "All" (an empty status): every one; a bad value: the
    default view with the problem beside the filters, and a 400."""
    _, reading, _, rows = programs
    client.force_login(counselor)
    shown = lambda response: {row.pk for row in response.context["rows"]}  # noqa: E731
    assert shown(client.get("/interventions/feedback/")) == {rows["negative"].pk, rows["reading_negative"].pk}
    assert shown(client.get("/interventions/feedback/?status=")) == {row.pk for row in rows.values()}
    assert shown(client.get(f"/interventions/feedback/?status=&intervention={reading.pk}")) == {
        rows["neutral"].pk,
        rows["reading_negative"].pk,
    }
    refused = client.get("/interventions/feedback/?mine=perhaps")
    html = refused.content.decode()
    assert refused.status_code == 400
    assert '<p class="form-error" role="alert">Use mine=true or mine=false.</p>' in html
    assert shown(refused) == {rows["negative"].pk, rows["reading_negative"].pk}


def test_a_program_owner_sees_only_their_programs_feedback(client_for, form_master, programs):
    mentoring, _, _, rows = programs
    listed = {row["id"] for row in client_for(form_master).get(URL).json()["results"]}
    assert listed == {rows["negative"].pk, rows["positive"].pk}
    resolved = client_for(form_master).post(
        f"{URL}{rows['negative'].pk}/resolve/", {"resolution": "Spoke to the facilitator.", "version": 1}, format="json"
    )
    assert resolved.status_code == 200
    assert (
        client_for(form_master)
        .post(f"{URL}{rows['reading_negative'].pk}/resolve/", {"resolution": "x", "version": 1}, format="json")
        .status_code
        == 404
    )


def test_others_get_403_and_another_school_404(client_for, teacher, other_form_master, other_admin, programs):
    _, _, _, rows = programs
    for outsider in (teacher, other_form_master):  # a form master who owns no program
        client = client_for(outsider)
        assert client.get(URL).status_code == 403
        assert client.get(URL + "analytics/").status_code == 403
        assert client.post(f"{URL}{rows['negative'].pk}/resolve/", {"resolution": "x", "version": 1}).status_code == 403
    foreign = client_for(other_admin)
    assert foreign.get(URL).json()["count"] == 0
    assert foreign.get(URL + "analytics/").json()["overall"]["count"] == 0
    assert (
        foreign.post(
            f"{URL}{rows['negative'].pk}/resolve/", {"resolution": "x", "version": 1}, format="json"
        ).status_code
        == 404
    )


def test_resolve_follows_the_version_rule(client_for, counselor, programs):
    _, _, _, rows = programs
    client = client_for(counselor)
    url = f"{URL}{rows['negative'].pk}/resolve/"
    assert client.post(url, {"resolution": "  ", "version": 1}, format="json").status_code == 400
    done = client.post(url, {"resolution": "Apologised and moved the group.", "version": 1}, format="json")
    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["reviewed_by"], body["version"]) == ("resolved", counselor.pk, 2)
    stale = client.post(url, {"resolution": "Again", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    again = client.post(url, {"resolution": "Again", "version": 2}, format="json")
    assert again.status_code == 400
    entry = AuditLog.objects.get(
        entity_type="interventions.feedback", entity_id=str(rows["negative"].pk), action="update"
    )
    assert (entry.before["status"], entry.after["status"], entry.actor) == ("pending", "resolved", counselor)


def test_mark_reviewed_then_resolve(counselor, teacher, programs):
    _, _, _, rows = programs
    feedback = rows["neutral"]
    services.feedback_mark_reviewed(actor=counselor, feedback=feedback, version=1)
    with pytest.raises(ApplicationError):
        services.feedback_mark_reviewed(actor=counselor, feedback=feedback, version=2)
    with pytest.raises(ConflictError):
        services.feedback_resolve(actor=counselor, feedback=feedback, resolution="ok", version=1)
    with pytest.raises(PermissionDeniedError):
        services.feedback_resolve(actor=teacher, feedback=feedback, resolution="ok", version=2)
    services.feedback_resolve(actor=counselor, feedback=feedback, resolution="Noted.", version=2)
    feedback.refresh_from_db()
    assert (feedback.status, feedback.resolution) == (Feedback.Status.RESOLVED, "Noted.")


def test_analytics_per_program_facilitator_and_month_in_four_queries(client_for, counselor, form_master, programs):
    mentoring, reading, _, _ = programs
    client = client_for(counselor)
    with assert_query_count(4) as captured:  # overall, per program, per facilitator, per month
        body = client.get(URL + "analytics/").json()
    assert all("interventions_feedback" in query["sql"] for query in captured.captured_queries)
    assert body["overall"]["count"] == 4 and body["overall"]["mean_rating"] == 3.0
    per_program = {row["name"]: row for row in body["per_program"]}
    assert (per_program["Mentoring"]["mean_rating"], per_program["Mentoring"]["negative"]) == (3.5, 1)
    assert per_program["Reading club"]["sentiment_split"] == {"positive": 0.0, "neutral": 0.5, "negative": 0.5}
    assert [(row["facilitator"], row["count"], row["mean_rating"]) for row in body["per_facilitator"]] == [
        (form_master.pk, 1, 2.0)
    ]
    assert len(body["per_month"]) == 1 and body["per_month"][0]["count"] == 4
    assert client.get(f"{URL}analytics/?intervention={reading.pk}").json()["overall"]["count"] == 2
    assert client.get(f"{URL}analytics/?from=bad").status_code == 400


def test_analytics_name_every_bad_parameter_in_one_400_as_the_lists_do(client_for, counselor, programs):
    client = client_for(counselor)
    response = client.get(f"{URL}analytics/", {"from": "2026-02-30", "to": "soon", "intervention": "x"})
    assert response.status_code == 400
    assert response.json() == {
        "from": ["Enter a valid date."],
        "to": ["Enter a valid date."],
        "intervention": ["An intervention id is a whole number."],
    }
    backwards = client.get(f"{URL}analytics/", {"from": "2026-03-02", "to": "2026-03-01"})
    assert (backwards.status_code, backwards.json()) == (400, {"to": ["Must be on or after from."]})
    span = client.get(f"{URL}analytics/", {"from": "", "to": "", "intervention": ""}).json()
    assert (span["from"], span["to"], span["overall"]["count"]) == (None, None, 4)


def test_the_review_page_resolves_a_row_through_htmx(client, counselor, programs):
    _, _, _, rows = programs
    client.force_login(counselor)
    page = client.get("/interventions/feedback/").content.decode()
    table = page.split('id="feedback-table"')[1]
    assert f'id="feedback-{rows["negative"].pk}"' in table and f'id="feedback-{rows["positive"].pk}"' not in table
    assert 'class="stack-table striped"' in page and 'data-label="Sentiment"' in page
    assert "2</strong>/5" in table and "Negative" in table
    response = client.post(
        f"/interventions/feedback/{rows['negative'].pk}/resolve/",
        {"action": "resolve", "resolution": "Called the family back.", "version": 1},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Called the family back." in response.content.decode() and "Resolved" in response.content.decode()
    stale = client.post(
        f"/interventions/feedback/{rows['negative'].pk}/resolve/",
        {"action": "resolve", "resolution": "x", "version": 1},
        **HTMX,
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.content.decode()


def test_the_review_page_takes_constant_queries(client, counselor, programs):
    mentoring, reading, session, _ = programs
    client.force_login(counselor)
    # session, user, count, page, the programs (read once for the filter and the send form), the send form's
    # sessions
    with assert_query_count(6):
        page = client.get("/interventions/feedback/?status=")
    assert page.status_code == 200 and len(page.context["rows"]) == 4
    with assert_query_count(4):  # session, user, count, page
        fragment = client.get("/interventions/feedback/?status=", **HTMX)
    assert fragment.status_code == 200 and len(fragment.context["rows"]) == 4
    for n in range(20):
        where = {"session": session} if n % 3 == 0 else {"intervention": (mentoring, reading)[n % 2]}
        answer(counselor, rating=1 + n % 5, comments=NEGATIVE if n % 2 else POSITIVE, **where)
    with assert_query_count(6):
        page = client.get("/interventions/feedback/?status=")
    assert page.status_code == 200 and len(page.context["rows"]) == 24
    with assert_query_count(4):
        fragment = client.get("/interventions/feedback/?status=", **HTMX)
    assert fragment.status_code == 200 and len(fragment.context["rows"]) == 24


def test_the_list_api_takes_constant_queries(client_for, counselor, programs):
    mentoring, reading, session, _ = programs
    client = client_for(counselor)
    with assert_query_count(2):  # count, page with the program and the session joined
        response = client.get(URL)
    assert response.status_code == 200 and response.json()["count"] == 4
    for n in range(20):
        where = {"session": session} if n % 3 == 0 else {"intervention": (mentoring, reading)[n % 2]}
        answer(counselor, rating=1 + n % 5, comments=NEGATIVE if n % 2 else POSITIVE, **where)
    with assert_query_count(2):
        response = client.get(URL, {"page_size": 100})
    assert response.status_code == 200 and len(response.json()["results"]) == 24


def test_the_analytics_page_takes_constant_queries(client, counselor, make_user, school, programs):
    client.force_login(counselor)
    with assert_query_count(6):  # session, user, overall, per program, per facilitator, per month
        page = client.get("/interventions/feedback/analytics/")
    assert page.status_code == 200 and "Mentoring" in page.content.decode()
    for n in range(10):
        facilitator = make_user("teacher", school)
        program = InterventionFactory(school=school, name=f"Group {n}", owner=counselor)
        session = InterventionSessionFactory(intervention=program, facilitator=facilitator, status="completed")
        answer(counselor, rating=1 + n % 5, comments=NEGATIVE if n % 2 else POSITIVE, session=session)
        answer(counselor, rating=5, comments=POSITIVE, intervention=program)
    with assert_query_count(6):
        page = client.get("/interventions/feedback/analytics/")
    assert page.status_code == 200 and "Group 9" in page.content.decode()


def test_the_analytics_page_and_the_dashboard(client, counselor, form_master, teacher, programs):
    client.force_login(counselor)
    page = client.get("/interventions/feedback/analytics/").content.decode()
    assert 'id="feedback-data"' in page and "Mentoring" in page and "Reading club" in page
    dashboard = client.get("/").content.decode()
    assert 'id="feedback-to-review"' in dashboard
    client.force_login(form_master)  # owns Mentoring: one negative answer to review
    section = client.get("/").content.decode().split('id="feedback-to-review"')[1].split("</article>")[0]
    assert '<span class="value">1</span>' in section
    client.force_login(teacher)
    assert client.get("/interventions/feedback/").status_code == 403
    assert 'id="feedback-to-review"' not in client.get("/").content.decode()


def test_a_link_for_another_schools_program_is_refused(counselor, other_school):
    foreign = InterventionFactory(school=other_school)
    with pytest.raises(NotFoundError):
        services.feedback_link_create(actor=counselor, school_id=counselor.school_id, intervention=foreign)
