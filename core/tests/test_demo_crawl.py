"""The product as its users meet it: the demo of `seed_demo`, every role of one school, every page the
navigation reaches and the first links of each page, every list endpoint of the API, Django admin's
changelists — no 500 anywhere, and the pages a role may see answer 200 with their heading.

The demo is seeded once for the module on today's date (so `TEST_TODAY` moves it: a Saturday, the
Christmas break and the summer holiday must leave it alive too); each test runs in a transaction that is
rolled back. Also pins what the demo must show (SPEC §7–§9), that a south admin gets 404 for a north
row of each new area's detail endpoint, and that no JSON write of the API schema answers a bad body
(not an object, a text or a number past any column) with a 500.
"""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse

from core import demo
from core.context_processors import NAVIGATION
from core.models import School, User

pytestmark = pytest.mark.django_db

ROLES = ("north-admin", "north-fm1", "north-fm2", "north-teacher", "north-counselor")
# The pages of the navigation by their heading.
HEADINGS = {
    "/": r"Good day, ",
    "/attendance/": r"Registers",
    "/students/": r"Students",
    "/alerts/": r"Alerts",
    "/form-master/interventions/": r"Interventions",
    "/programs/": r"Programs",
    "/admissions/": r"Admissions",
    "/lessons/": r"Lesson attendance",
    "/marks/": r"Marks",
    "/subjects/": r"Subjects",
    "/risk/": r"Early-warning risk",
    "/interventions/feedback/": r"Feedback",
}
# Links followed from each page: this many per URL pattern and role keeps the crawl short.
PER_ROUTE = 2
SKIP = re.compile(r"^/(accounts/logout|static|admin/logout|api/schema)|/(move|enrol|retry|resolve|appeal|status)/$")
HREF = re.compile(r'(?:href|hx-get)="(/[^"#]*)"')

LIST_ENDPOINTS = [
    "/api/auth/me/",
    "/api/students/",
    "/api/class-groups/",
    "/api/attendance/",
    "/api/interventions/alerts/",
    "/api/interventions/meetings/",
    "/api/interventions/meetings/recurring/",
    "/api/interventions/meetings/stats/",
    "/api/audit/",
    "/api/interventions/templates/",
    "/api/interventions/programs/",
    "/api/interventions/recommendations/",
    "/api/interventions/risk-list/",
    "/api/interventions/communications/",
    "/api/interventions/communication-templates/",
    "/api/subjects/",
    "/api/lessons/",
    "/api/assessments/",
    "/api/behaviour/",
    "/api/risk/",
    "/api/admissions/inquiries/",
    "/api/admissions/funnel/",
    "/api/interventions/feedback/",
    "/api/interventions/feedback/analytics/",
]


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    # One demo school is seeded (in half the time); the other school is only its admin, who must see
    # none of it.
    with django_db_blocker.unblock(), mock.patch.object(demo, "DEMO_SCHOOLS", demo.DEMO_SCHOOLS[:1]):
        seeded = demo.seed(password="crawl-pass-2026", log=lambda line: None)
        south = School.objects.create(code="south", name="South Academy")
        User.objects.create_user("south-admin", role=User.Role.ADMIN, school=south)
        try:
            yield {d.school.code: d for d in seeded}
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def as_user(client, demo_data):
    def login(username):
        client.force_login(User.objects.get(username=username))
        return client

    return login


def _heading(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


def _links(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in HREF.findall(html)]


def _route(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.route


def _get(client, path, **extra):
    response = client.get(path, **extra)
    assert response.status_code < 500, f"{path}: {response.status_code}"
    return response


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_the_navigation_and_its_links(as_user, username):
    client = as_user(username)
    user = User.objects.get(username=username)
    nav = [path for _, path, roles in NAVIGATION if not roles or user.role in roles]
    seen_routes: dict[str, int] = defaultdict(int)
    visited: set[str] = set()
    problems = []
    queue = [(path, None) for path in nav]
    while queue:
        path, parent = queue.pop(0)
        if path in visited or SKIP.search(urlsplit(path).path):
            continue
        visited.add(path)
        route = _route(path)
        if route is None:
            problems.append(f"{path} (linked from {parent}): no such page")
            continue
        if parent is not None:
            if seen_routes[route] >= PER_ROUTE:
                continue
            seen_routes[route] += 1
        hx = {"HTTP_HX_REQUEST": "true"} if parent and "hx" in parent else {}
        response = client.get(path, **hx)
        if response.status_code >= 500 or (parent is not None and response.status_code in (403, 404)):
            problems.append(f"{path} (linked from {parent}): {response.status_code}")
            continue
        if response.status_code != 200:
            continue
        if path in HEADINGS and not re.match(HEADINGS[path], _heading(response.content.decode())):
            problems.append(f"{path}: heading {_heading(response.content.decode())!r}")
        if "text/html" not in response["Content-Type"] or route.startswith("admin/"):
            continue
        queue.extend((link, path) for link in _links(response.content.decode()) if link not in visited)
    print(username, len(visited), "pages")
    assert problems == []
    for path in nav:
        if path.startswith("/api/docs"):
            continue
        assert path in visited


def test_pages_deeper_in(as_user, demo_data):
    """The pages the navigation reaches only through a row: a program, a session, its calendar, a
    progress chart, an inquiry, the contact page, the feedback analytics."""
    from interventions.programs.models import Enrollment, InterventionSession
    from students.admissions.models import Inquiry
    from students.models import Student

    school = demo_data["north"].school
    session = InterventionSession.objects.filter(intervention__school=school).order_by("start_time").first()
    enrollment = Enrollment.objects.filter(intervention__school=school).order_by("pk").first()
    inquiry = Inquiry.objects.filter(school=school).order_by("pk").first()
    student = Student.objects.filter(school=school).order_by("pk").first()
    pages = {
        f"/programs/{session.intervention_id}/": None,
        f"/programs/{session.intervention_id}/calendar.ics": None,
        f"/programs/sessions/{session.pk}/": None,
        f"/programs/enrollments/{enrollment.pk}/progress/": " in ",
        f"/admissions/{inquiry.pk}/": re.escape(inquiry.student_name),
        f"/students/{student.pk}/": re.escape(student.full_name),
        f"/students/{student.pk}/contact/": "Contact guardian",
        "/interventions/feedback/analytics/": "Feedback analytics",
        "/api/docs/": None,
    }
    client = as_user("north-admin")
    for path, heading in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        if heading:
            assert re.search(heading, _heading(response.content.decode())), path
    for username in ROLES[1:]:
        client = as_user(username)
        for path in pages:
            _get(client, path)


def test_admin_index_changelists_and_a_change_page(as_user):
    """A school admin's index lists what they may see (platform tables such as groups are the
    superuser's: 403, never 500); each listed changelist and its first row's change page open."""
    client = as_user("north-admin")
    index = client.get("/admin/")
    assert index.status_code == 200
    listed = set(_links(index.content.decode()))
    assert len(listed) > 20
    problems = []
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        response = client.get(changelist)
        if response.status_code >= 500 or (changelist in listed and response.status_code != 200):
            problems.append(f"{changelist}: {response.status_code}")
            continue
        if response.status_code != 200:
            continue
        row = model_admin.get_queryset(response.wsgi_request).order_by("pk").first()
        if row is not None:
            change = reverse("admin:{}_{}_change".format(*info), args=[row.pk])
            status = client.get(change).status_code
            if status != 200:
                problems.append(f"{change}: {status}")
    assert problems == []


@pytest.mark.parametrize("username", ROLES)
def test_every_list_endpoint_answers(as_user, username):
    client = as_user(username)
    problems = []
    for path in LIST_ENDPOINTS:
        response = client.get(path, {"page_size": 5})
        if response.status_code >= 500 or response.status_code == 404:
            problems.append(f"{path}: {response.status_code}")
    assert problems == []


def test_the_demo_shows_every_case(demo_data):
    """SPEC §7–§9 ask the demo for each of these."""
    from interventions.communications.models import Channel, CommunicationLog
    from interventions.feedback.models import Feedback
    from interventions.outcomes.models import ExitRecommendation
    from interventions.programs.models import Intervention
    from interventions.risk import selectors as risk_selectors
    from interventions.risk.models import StudentRisk
    from students.admissions.models import Inquiry

    school = demo_data["north"].school
    admin_user = demo_data["north"].users["admin"]
    assert set(StudentRisk.objects.filter(school=school).values_list("level", flat=True)) == {0, 1, 2, 3, 4}
    assert risk_selectors.needs_first_step(actor=admin_user).exists()
    assert Intervention.objects.filter(school=school, sessions__isnull=False).exists()
    assert ExitRecommendation.objects.filter(
        enrollment__intervention__school=school, status=ExitRecommendation.Status.PENDING
    ).exists()
    logs = CommunicationLog.objects.filter(school=school)
    assert set(logs.values_list("channel", flat=True)) == set(Channel.values)
    assert logs.filter(channel=Channel.EMAIL, status=CommunicationLog.Status.FAILED).exists()
    assert set(Inquiry.objects.filter(school=school).values_list("status", flat=True)) == set(Inquiry.Status.values)
    assert set(Feedback.objects.filter(school=school).values_list("sentiment", flat=True)) == set(
        Feedback.Sentiment.values
    )


def _north_row(name):
    """The first north row of each new area's model, as the id its detail endpoint takes."""
    from interventions.communications.models import CommunicationLog, CommunicationTemplate
    from interventions.feedback.models import Feedback
    from interventions.models import Alert, InterventionMeeting
    from interventions.outcomes.models import ExitRecommendation
    from interventions.programs.models import Enrollment, Intervention, InterventionSession, InterventionTemplate
    from students.academics.models import Subject
    from students.admissions.models import Inquiry
    from students.behaviour.models import BehaviourRecord
    from students.models import Student

    models = {
        "alert": Alert,
        "meeting": InterventionMeeting,
        "template": InterventionTemplate,
        "program": Intervention,
        "session": InterventionSession,
        "enrollment": Enrollment,
        "recommendation": ExitRecommendation,
        "communication": CommunicationLog,
        "communication_template": CommunicationTemplate,
        "subject": Subject,
        "behaviour": BehaviourRecord,
        "student": Student,
        "inquiry": Inquiry,
        "feedback": Feedback,
    }
    rows = models[name].objects.filter(school__code="north")
    if name == "communication":
        rows = rows.filter(channel="letter")
    return rows.order_by("pk").values_list("pk", flat=True).first()


FOREIGN = [
    ("get", "/api/interventions/templates/{}/", "template"),
    ("get", "/api/interventions/programs/{}/", "program"),
    ("get", "/api/interventions/programs/{}/sessions/", "program"),
    ("get", "/api/interventions/programs/{}/enrollments/", "program"),
    ("get", "/api/interventions/programs/{}/notes/", "program"),
    ("get", "/api/interventions/programs/{}/exit-criteria/", "program"),
    ("post", "/api/interventions/programs/{}/evaluate/", "program"),
    ("get", "/api/interventions/sessions/{}/", "session"),
    ("get", "/api/interventions/sessions/{}/attendance/", "session"),
    ("get", "/api/interventions/enrollments/{}/", "enrollment"),
    ("get", "/api/interventions/enrollments/{}/progress/", "enrollment"),
    ("get", "/api/interventions/recommendations/{}/", "recommendation"),
    ("get", "/api/interventions/communications/{}/", "communication"),
    ("get", "/api/interventions/communications/{}/letter/", "communication"),
    ("get", "/api/interventions/communication-templates/{}/", "communication_template"),
    ("get", "/api/subjects/{}/topics/", "subject"),
    ("get", "/api/behaviour/{}/", "behaviour"),
    ("get", "/api/students/{}/risk/", "student"),
    ("get", "/api/admissions/inquiries/{}/", "inquiry"),
    ("get", "/api/admissions/inquiries/{}/follow-ups/", "inquiry"),
    ("post", "/api/interventions/feedback/{}/resolve/", "feedback"),
]


@pytest.mark.parametrize(("method", "path", "model"), FOREIGN, ids=[path for _, path, _ in FOREIGN])
def test_a_north_row_is_404_for_a_south_admin(as_user, method, path, model):
    pk = _north_row(model)
    assert pk is not None, f"the demo has no north {model}"
    client = as_user("south-admin")
    response = getattr(client, method)(path.format(pk), {}, content_type="application/json")
    assert response.status_code == 404, response.content[:200]


# Every JSON write of the API schema, on a north row of the demo: a body that is not an object, and each
# text field far past any column (MariaDB refuses to cut it) or each number past any column, one at a
# time, is a 4xx, never a 500. The row a path names is the first north row of its segment's model.
ROW_OF_SEGMENT = {
    "alerts": "alert",
    "behaviour": "behaviour",
    "communication-templates": "communication_template",
    "enrollments": "enrollment",
    "feedback": "feedback",
    "inquiries": "inquiry",
    "meetings": "meeting",
    "programs": "program",
    "recommendations": "recommendation",
    "sessions": "session",
    "students": "student",
    "subjects": "subject",
    "templates": "template",
}
LONG_TEXT = "x" * 5000
HUGE_NUMBER = 2**70


def _json_writes() -> list[tuple[str, str, dict]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]

    def resolved(node):
        while "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[-1]]
        return node

    def sample(node, depth=0):
        node = resolved(node)
        if "enum" in node:
            return node["enum"][0]
        kind = node.get("type")
        if kind in ("integer", "number"):
            return 1
        if kind == "boolean":
            return True
        if kind == "array":
            return [sample(node.get("items", {}), depth + 1)] if depth < 3 else []
        if kind == "object" or "properties" in node:
            return {k: sample(v, depth + 1) for k, v in node.get("properties", {}).items()} if depth < 3 else {}
        return {"date": "2026-11-17", "date-time": "2026-11-17T10:00:00Z", "email": "a@example.org"}.get(
            node.get("format"), "text"
        )

    writes = []
    for route, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if method in ("post", "put", "patch") and "application/json" in content:
                writes.append((method, route, sample(content["application/json"]["schema"])))
    return writes


def _bad_bodies(body):
    """null, a list, then one field at a time: each text too long, each number too big (nested too)."""
    yield None
    yield [body]

    def walk(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, (*path, key))
        elif isinstance(value, list) and value:
            yield from walk(value[0], (*path, 0))
        elif isinstance(value, str) and path:
            yield path, LONG_TEXT
        elif isinstance(value, int) and not isinstance(value, bool) and path:
            yield path, HUGE_NUMBER

    for path, bad in walk(body, ()):
        changed = copy.deepcopy(body)
        target = changed
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = bad
        yield changed


def test_no_json_write_answers_500_to_a_bad_body(demo_data):
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    admin = User.objects.get(username="north-admin")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(admin).access_token}")
    problems, sent = [], 0
    for method, route, body in _json_writes():
        segments = re.findall(r"([\w-]+)/\{[^}]+\}", route)
        assert all(s in ROW_OF_SEGMENT for s in segments), f"{route}: add its segment's model to ROW_OF_SEGMENT"
        path = route
        for segment in segments:
            pk = _north_row(ROW_OF_SEGMENT[segment])
            assert pk is not None, f"the demo has no north {ROW_OF_SEGMENT[segment]}"
            path = re.sub(r"\{[^}]+\}", str(pk), path, count=1)
        for bad in _bad_bodies(body):
            response = getattr(client, method)(path, json.dumps(bad), content_type="application/json")
            sent += 1
            if response.status_code >= 500:
                problems.append(f"{method.upper()} {path} {json.dumps(bad)[:120]}: {response.status_code}")
    assert sent > 200 and problems == []
