"""The programs API (SPEC §7): every role on every endpoint, two schools, bodies and pinned query counts."""

import pytest

from core.models import AuditLog
from core.testing.queries import assert_query_count
from interventions.models import Enrollment, InterventionSession, SessionAttendance
from interventions.tests.factories import AlertFactory, InterventionMeetingFactory, InterventionTemplateFactory
from interventions.tests.programs_helpers import (  # noqa: F401 - fixtures
    at,
    clock,
    day,
    enroll,
    fm_form,
    make_program,
    make_session,
    other_student,
    program,
    student,
)
from students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db
API = "/api/interventions"


@pytest.fixture
def world(clock, school, other_school, admin_user, counselor, form_master, teacher, make_user, student, other_student):
    """A program of the counsellor's with a session facilitated by `facilitator` (a teacher), one by the
    counsellor, two enrolled students (one of the form master's), and a program of another school."""
    facilitator = make_user("teacher", school, username="north-facilitator")
    program = make_program(owner=counselor, name="Reading group")
    taught = make_session(program, start=at(-2, 10), facilitator=facilitator, location="Room 1")
    own = make_session(program, start=at(2, 10), location="Room 2")
    mine = enroll(program, student)
    theirs = enroll(program, other_student)
    template = InterventionTemplateFactory(school=school)
    foreign = make_program(owner=make_user("counselor", other_school), name="South group")
    foreign_session = make_session(foreign, start=at(1, 10))
    return {
        "program": program,
        "taught": taught,
        "own": own,
        "mine": mine,
        "theirs": theirs,
        "template": template,
        "facilitator": facilitator,
        "colleague": make_user("counselor", school, username="north-counselor2"),
        "foreign": foreign,
        "foreign_session": foreign_session,
        "foreign_template": InterventionTemplateFactory(school=other_school),
    }


def users(world, request):
    return {
        "admin": request.getfixturevalue("admin_user"),
        "counselor": request.getfixturevalue("counselor"),
        "colleague": world["colleague"],
        "form_master": request.getfixturevalue("form_master"),
        "teacher": request.getfixturevalue("teacher"),
        "facilitator": world["facilitator"],
    }


# (path, {role: expected status}) for reads
READS = [
    (
        "templates/",
        {"admin": 200, "counselor": 200, "colleague": 200, "form_master": 403, "teacher": 403, "facilitator": 403},
    ),
    ("templates/{template}/", {"admin": 200, "counselor": 200, "form_master": 403, "teacher": 403}),
    ("programs/", {"admin": 200, "counselor": 200, "form_master": 200, "teacher": 200, "facilitator": 200}),
    (
        "programs/{program}/",
        {"admin": 200, "counselor": 200, "colleague": 200, "form_master": 200, "teacher": 403, "facilitator": 200},
    ),
    (
        "programs/{program}/sessions/",
        {"admin": 200, "counselor": 200, "form_master": 200, "teacher": 403, "facilitator": 200},
    ),
    (
        "programs/{program}/enrollments/",
        {"admin": 200, "counselor": 200, "form_master": 200, "teacher": 403, "facilitator": 200},
    ),
    ("sessions/{taught}/", {"admin": 200, "counselor": 200, "form_master": 200, "teacher": 403, "facilitator": 200}),
    ("sessions/{own}/", {"admin": 200, "counselor": 200, "teacher": 403, "facilitator": 403}),
    ("sessions/{taught}/attendance/", {"admin": 200, "counselor": 200, "teacher": 403, "facilitator": 200}),
    ("enrollments/{mine}/", {"admin": 200, "counselor": 200, "form_master": 200, "teacher": 403, "facilitator": 200}),
    ("enrollments/{theirs}/", {"admin": 200, "counselor": 200, "form_master": 403, "teacher": 403}),
    (
        "risk-list/",
        {"admin": 200, "counselor": 200, "colleague": 200, "form_master": 403, "teacher": 403, "facilitator": 403},
    ),
]


def url_of(path, world):
    ids = {name: row.pk for name, row in world.items() if hasattr(row, "pk")}
    return f"{API}/{path.format(**ids)}"


@pytest.mark.parametrize("path, expected", READS)
def test_reads_by_role(world, request, client_for, path, expected):
    people = users(world, request)
    for role, status in expected.items():
        response = client_for(people[role]).get(url_of(path, world))
        assert response.status_code == status, (role, path, response.content[:300])


def test_teacher_sees_only_programs_they_facilitate(world, client_for, teacher):
    assert client_for(world["facilitator"]).get(f"{API}/programs/").json()["count"] == 1
    assert client_for(teacher).get(f"{API}/programs/").json()["count"] == 0


def test_form_master_reads_only_their_students_enrollments(world, client_for, form_master, student):
    rows = client_for(form_master).get(f"{API}/programs/{world['program'].pk}/enrollments/").json()["results"]
    assert [row["student"] for row in rows] == [student.pk]


@pytest.mark.parametrize(
    "path",
    [
        "templates/{foreign_template}/",
        "programs/{foreign}/",
        "programs/{foreign}/sessions/",
        "programs/{foreign}/enrollments/",
        "sessions/{foreign_session}/",
        "sessions/{foreign_session}/attendance/",
    ],
)
def test_another_schools_rows_are_404(world, client_for, admin_user, counselor, path):
    for actor in (admin_user, counselor):
        assert client_for(actor).get(url_of(path, world)).status_code == 404
        assert client_for(actor).patch(url_of(path, world), {"version": 1}, format="json").status_code in (404, 405)
    assert client_for(counselor).get(f"{API}/programs/").json()["count"] == 1


def test_unauthenticated_is_401(world, api_client):
    for path in ("programs/", "templates/", "risk-list/", "sessions/{taught}/"):
        assert api_client.get(url_of(path, world)).status_code == 401


class TestWrites:
    def test_templates_by_runners_only(self, world, client_for, counselor, form_master):
        body = {"name": "Check-in", "sessions_per_week": 5, "duration_minutes": 15, "tier": 2}
        assert client_for(form_master).post(f"{API}/templates/", body, format="json").status_code == 403
        created = client_for(counselor).post(f"{API}/templates/", body, format="json")
        assert created.status_code == 201, created.content
        bad = client_for(counselor).post(f"{API}/templates/", {**body, "duration_minutes": 300}, format="json")
        assert bad.status_code == 400 and "duration_minutes" in bad.json()
        url = f"{API}/templates/{created.json()['id']}/"
        assert client_for(counselor).patch(url, {"name": "Daily check-in"}, format="json").status_code == 400
        patched = client_for(counselor).patch(url, {"name": "Daily check-in", "version": 1}, format="json")
        assert patched.json()["version"] == 2
        stale = client_for(counselor).patch(url, {"name": "Again", "version": 1}, format="json")
        assert stale.status_code == 409 and stale.json()["current_version"] == 2

    def test_program_create_from_a_template(self, world, client_for, counselor, teacher, form_master):
        body = {"name": "Breakfast club", "template": world["template"].pk, "start_date": str(day(0))}
        for actor in (teacher, form_master):
            assert client_for(actor).post(f"{API}/programs/", body, format="json").status_code == 403
        response = client_for(counselor).post(f"{API}/programs/", body, format="json")
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["status"] == "draft" and data["owner"] == counselor.pk and data["enrolled"] == 0
        assert data["fidelity"] == {
            "planned": 0,
            "delivered": 0,
            "cancelled": 0,
            "delivered_pct": None,
            "upcoming": 0,
            "total": 0,
        }
        foreign = client_for(counselor).post(
            f"{API}/programs/", {**body, "template": world["foreign_template"].pk}, format="json"
        )
        assert foreign.status_code == 400 and "template" in foreign.json()

    def test_program_patch_owner_and_admin_only(self, world, client_for, admin_user, counselor, form_master):
        url = f"{API}/programs/{world['program'].pk}/"
        for actor in (world["colleague"], form_master, world["facilitator"]):
            assert client_for(actor).patch(url, {"name": "X", "version": 1}, format="json").status_code == 403
        assert client_for(counselor).patch(url, {"status": "draft", "version": 1}, format="json").status_code == 400
        done = client_for(admin_user).patch(url, {"status": "completed", "version": 1}, format="json")
        assert done.status_code == 200 and done.json()["status"] == "completed"
        assert client_for(counselor).patch(url, {"status": "active", "version": 2}, format="json").status_code == 400

    def test_filters(self, world, client_for, counselor, student):
        make_program(owner=counselor, name="Draft one", status="draft")
        c = client_for(counselor)
        assert c.get(f"{API}/programs/?status=draft").json()["count"] == 1
        assert c.get(f"{API}/programs/?owner={counselor.pk}").json()["count"] == 2
        assert [p["name"] for p in c.get(f"{API}/programs/?student={student.pk}").json()["results"]] == [
            "Reading group"
        ]
        assert c.get(f"{API}/programs/?status=nope").status_code == 400
        assert c.get(f"{API}/programs/?owner=abc").status_code == 400

    def test_sessions_create_and_generate(self, world, client_for, counselor, admin_user, teacher):
        url = f"{API}/programs/{world['program'].pk}/sessions/"
        body = {
            "start_time": at(3, 13).isoformat(),
            "end_time": at(3, 14).isoformat(),
            "location": "Hall",
            "facilitator": teacher.pk,
        }
        for actor in (world["colleague"], world["facilitator"], teacher):
            assert client_for(actor).post(url, body, format="json").status_code == 403
        created = client_for(counselor).post(url, body, format="json")
        assert created.status_code == 201 and created.json()["facilitator"] == teacher.pk
        clash = client_for(admin_user).post(url, {**body, "location": "HALL "}, format="json")
        assert clash.status_code == 400 and "Hall is in use" in clash.json()["start_time"][0]
        series = {
            "from": str(day(7)),
            "to": str(day(32)),
            "weekdays": [1, 3],
            "start": "09:00",
            "location": "Library",
            "facilitator": counselor.pk,
        }
        generated = client_for(counselor).post(f"{url}generate/", series, format="json")
        assert generated.status_code == 201, generated.content
        assert generated.json()["count"] == 8
        again = client_for(counselor).post(f"{url}generate/", series, format="json")
        assert again.status_code == 400 and len(again.json()["sessions"]) == 8
        bad = client_for(counselor).post(f"{url}generate/", {**series, "weekdays": [6]}, format="json")
        assert bad.status_code == 400

    def test_session_patch_reschedule_and_cancel(self, world, client_for, counselor):
        url = f"{API}/sessions/{world['own'].pk}/"
        assert (
            client_for(world["facilitator"])
            .patch(url, {"status": "cancelled", "version": 1}, format="json")
            .status_code
            == 403
        )
        assert client_for(counselor).patch(url, {"location": "Hall"}, format="json").status_code == 400
        moved = client_for(counselor).patch(
            url, {"start_time": at(2, 13).isoformat(), "end_time": at(2, 14).isoformat(), "version": 1}, format="json"
        )
        assert moved.status_code == 200 and moved.json()["version"] == 2
        assert client_for(counselor).patch(url, {"status": "cancelled", "version": 1}, format="json").status_code == 409
        cancelled = client_for(counselor).patch(
            url, {"status": "cancelled", "cancel_reason": "Trip", "version": 2}, format="json"
        )
        assert cancelled.json()["status"] == "cancelled"

    def test_attendance_by_facilitator(self, world, client_for, student, other_student, counselor):
        url = f"{API}/sessions/{world['taught'].pk}/attendance/"
        assert client_for(counselor).get(url).json()["records"][0]["status"] == "present"
        assert client_for(world["colleague"]).post(url, {"records": []}, format="json").status_code == 403
        saved = client_for(world["facilitator"]).post(
            url, {"records": [{"student": student.pk, "status": "absent", "notes": "ill"}]}, format="json"
        )
        assert saved.status_code == 200, saved.content
        assert saved.json()["status"] == "completed" and saved.json()["created"] == 2
        statuses = dict(SessionAttendance.objects.values_list("student_id", "status"))
        assert statuses == {student.pk: "absent", other_student.pk: "present"}
        detail = client_for(counselor).get(f"{API}/programs/{world['program'].pk}/").json()
        assert detail["fidelity"]["delivered"] == 1 and detail["fidelity"]["delivered_pct"] == 100.0
        assert detail["enrolled"] == 2
        stranger = StudentFactory(school=student.school)
        bad = client_for(counselor).post(
            url, {"records": [{"student": stranger.pk, "status": "present"}]}, format="json"
        )
        assert bad.status_code == 400 and "records" in bad.json()
        assert (
            client_for(counselor)
            .post(url, {"records": [{"student": student.pk, "status": "gone"}]}, format="json")
            .status_code
            == 400
        )

    def test_enrollment_roles(self, world, client_for, counselor, form_master, school, fm_form):
        url = f"{API}/programs/{world['program'].pk}/enrollments/"
        own = StudentFactory(school=school, class_group=fm_form)
        stranger = StudentFactory(school=school)
        meeting = InterventionMeetingFactory(school=school, student=own, created_by=form_master)
        fm = client_for(form_master)
        assert fm.post(url, {"student": stranger.pk}, format="json").status_code == 403
        assert fm.post(url, {"student": own.pk, "source": "auto"}, format="json").status_code == 400
        referred = fm.post(url, {"student": own.pk, "referred_by_meeting": meeting.pk}, format="json")
        assert referred.status_code == 201 and referred.json()["referred_by_meeting"] == meeting.pk
        assert client_for(world["colleague"]).post(url, {"student": stranger.pk}, format="json").status_code == 403
        assert client_for(world["facilitator"]).post(url, {"student": stranger.pk}, format="json").status_code == 403
        assert client_for(counselor).post(url, {"student": stranger.pk}, format="json").status_code == 201
        duplicate = client_for(counselor).post(url, {"student": stranger.pk}, format="json")
        assert duplicate.status_code == 400 and "already enrolled" in duplicate.json()["student"][0]

    def test_enrollment_patch_withdraw_and_exit(self, world, client_for, counselor, admin_user, form_master):
        url = f"{API}/enrollments/{world['mine'].pk}/"
        assert (
            client_for(form_master)
            .patch(url, {"status": "withdrawn", "exit_reason": "x", "version": 1}, format="json")
            .status_code
            == 403
        )
        no_reason = client_for(counselor).patch(url, {"status": "withdrawn", "version": 1}, format="json")
        assert no_reason.status_code == 400 and "exit_reason" in no_reason.json()
        done = client_for(counselor).patch(
            url, {"status": "withdrawn", "exit_reason": "Moved", "version": 1}, format="json"
        )
        assert done.status_code == 200 and done.json()["status"] == "withdrawn"
        exit_url = f"{API}/enrollments/{world['theirs'].pk}/"
        exited = client_for(admin_user).patch(
            exit_url, {"status": "exited", "exit_reason": "Goal met", "version": 1}, format="json"
        )
        assert exited.json()["status"] == "exited"
        assert (
            client_for(admin_user).patch(exit_url, {"status": "active", "version": 2}, format="json").status_code == 400
        )

    def test_risk_list_with_reasons(self, world, client_for, counselor, school, form_master):
        at_risk = StudentFactory(school=school, first_name="Ana", last_name="Diaz")
        AlertFactory(school=school, student=at_risk, severity="high")
        escalated = StudentFactory(school=school, first_name="Bo", last_name="Eng")
        InterventionMeetingFactory(school=school, student=escalated, created_by=form_master, status="escalated")
        enrolled = world["mine"].student
        AlertFactory(school=school, student=enrolled)
        rows = client_for(counselor).get(f"{API}/risk-list/").json()["results"]
        by_student = {row["student"]: row for row in rows}
        assert set(by_student) == {at_risk.pk, escalated.pk}
        assert by_student[at_risk.pk]["reasons"] == ["Consecutive absences (high)"]
        assert by_student[escalated.pk]["reasons"][0].startswith("Escalated meeting")
        assert rows[0]["student"] == escalated.pk

    def test_risk_list_order_escalated_then_most_severe_alert_then_name(
        self, world, client_for, counselor, school, form_master
    ):
        low = StudentFactory(school=school, first_name="Ann", last_name="Adams")
        AlertFactory(school=school, student=low, severity="low")
        cole = StudentFactory(school=school, first_name="Cy", last_name="Cole")
        AlertFactory(school=school, student=cole, severity="high")
        brown = StudentFactory(school=school, first_name="Bea", last_name="Brown")
        AlertFactory(school=school, student=brown, severity="medium")
        AlertFactory(school=school, student=brown, severity="high", kind="low_attendance")
        zane = StudentFactory(school=school, first_name="Zed", last_name="Zane")
        AlertFactory(school=school, student=zane, severity="low")
        InterventionMeetingFactory(school=school, student=zane, created_by=form_master, status="escalated")
        young = StudentFactory(school=school, first_name="Yu", last_name="Young")
        InterventionMeetingFactory(school=school, student=young, created_by=form_master, status="escalated")
        rows = client_for(counselor).get(f"{API}/risk-list/").json()["results"]
        assert [row["student"] for row in rows] == [zane.pk, young.pk, brown.pk, cole.pk, low.pk]


def test_events_are_audit_rows(world, client_for, counselor, school, student):
    c = client_for(counselor)
    program = c.post(
        f"{API}/programs/", {"name": "Club", "start_date": str(day(0)), "status": "active"}, format="json"
    ).json()
    session = c.post(
        f"{API}/programs/{program['id']}/sessions/",
        {
            "start_time": at(0, 7, 0).isoformat(),
            "end_time": at(0, 7, 20).isoformat(),
            "location": "",
            "facilitator": counselor.pk,
        },
        format="json",
    ).json()
    newcomer = StudentFactory(school=school)
    c.post(f"{API}/programs/{program['id']}/enrollments/", {"student": newcomer.pk}, format="json")
    Enrollment.objects.filter(student=newcomer).update(enrolled_at=at(-1, 9))
    c.post(f"{API}/sessions/{session['id']}/attendance/", {"records": []}, format="json")
    actions = set(AuditLog.objects.filter(actor=counselor, school=school).values_list("action", flat=True))
    assert {"intervention_created", "session_scheduled", "enrollment_changed", "attendance_recorded"} <= actions


class TestQueryCounts:
    """Each list, page and bulk write takes the same number of queries for a few rows and for many."""

    def grow(self, program, school, students, sessions):
        for _ in range(students):
            enroll(program, StudentFactory(school=school))
        for index in range(sessions):
            make_session(program, start=at(-14 + index // 4, 8 + index % 4 * 2), location="")

    def test_list_api_constant(self, clock, client_for, counselor, school):
        program = make_program(owner=counselor)
        self.grow(program, school, 5, 10)
        client = client_for(counselor)
        with assert_query_count(2):  # count, page with the figures as subqueries
            response = client.get(f"{API}/programs/")
        assert response.status_code == 200 and response.json()["count"] == 1
        for _ in range(3):
            self.grow(make_program(owner=counselor), school, 5, 10)
        self.grow(program, school, 45, 40)
        with assert_query_count(2):
            response = client.get(f"{API}/programs/")
        assert response.status_code == 200 and response.json()["count"] == 4

    def test_detail_api_constant(self, clock, client_for, counselor, school):
        program = make_program(owner=counselor)
        self.grow(program, school, 5, 10)
        client = client_for(counselor)
        with assert_query_count(1):  # the program with its figures
            response = client.get(f"{API}/programs/{program.pk}/")
        assert response.status_code == 200 and response.json()["enrolled"] == 5
        self.grow(program, school, 45, 90)
        with assert_query_count(1):
            response = client.get(f"{API}/programs/{program.pk}/")
        assert response.status_code == 200 and response.json()["enrolled"] == 50

    def test_sessions_and_enrollments_api_constant(self, clock, client_for, counselor, school):
        program = make_program(owner=counselor)
        self.grow(program, school, 5, 10)
        client = client_for(counselor)
        for part, rows in (("sessions", 10), ("enrollments", 5)):
            with assert_query_count(3):  # program, count, page
                response = client.get(f"{API}/programs/{program.pk}/{part}/")
            assert response.status_code == 200 and len(response.json()["results"]) == rows
        self.grow(program, school, 45, 90)
        for part, rows in (("sessions", 100), ("enrollments", 50)):
            with assert_query_count(3):
                response = client.get(f"{API}/programs/{program.pk}/{part}/?page_size=200")
            assert response.status_code == 200 and len(response.json()["results"]) == rows

    def test_templates_api_constant(self, clock, client_for, counselor, school):
        InterventionTemplateFactory(school=school)
        client = client_for(counselor)
        with assert_query_count(2):  # count, page
            response = client.get(f"{API}/templates/")
        assert response.status_code == 200 and response.json()["count"] == 1
        InterventionTemplateFactory.create_batch(20, school=school)
        with assert_query_count(2):
            response = client.get(f"{API}/templates/?page_size=100")
        assert response.status_code == 200 and len(response.json()["results"]) == 21

    def test_risk_list_api_constant(self, clock, client_for, counselor, school, form_master):
        def at_risk(count):
            for index in range(count):
                flagged = StudentFactory(school=school)
                AlertFactory(school=school, student=flagged, severity="high")
                if index % 2:
                    AlertFactory(school=school, student=flagged, kind="low_attendance")
                    InterventionMeetingFactory(
                        school=school, student=flagged, created_by=form_master, status="escalated"
                    )

        at_risk(2)
        client = client_for(counselor)
        with assert_query_count(3):  # students, their alerts, their escalated meetings
            response = client.get(f"{API}/risk-list/")
        assert response.status_code == 200 and response.json()["count"] == 2
        at_risk(20)
        with assert_query_count(3):
            response = client.get(f"{API}/risk-list/?page_size=100")
        assert response.status_code == 200 and len(response.json()["results"]) == 22

    def test_attendance_save_request_constant(self, clock, client_for, counselor, school):
        program = make_program(owner=counselor)
        client = client_for(counselor)
        for size in (3, 30):
            self.grow(program, school, size - program.enrollments.count(), 0)
            session = make_session(program, start=at(-size // 3, 10), location="")
            records = [{"student": e.student_id, "status": "absent"} for e in program.enrollments.all()]
            with assert_query_count(3):  # session, its attendance with who took it, the students
                register = client.get(f"{API}/sessions/{session.pk}/attendance/")
            assert register.status_code == 200 and len(register.json()["records"]) == size
            # savepoint; session with its program, eligible students, recorded rows, upsert, session update,
            # audit rows; release
            with assert_query_count(8):
                response = client.post(f"{API}/sessions/{session.pk}/attendance/", {"records": records}, format="json")
            assert response.status_code == 200 and response.json()["created"] == size
            with assert_query_count(3):
                register = client.get(f"{API}/sessions/{session.pk}/attendance/")
            assert [row["status"] for row in register.json()["records"]] == ["absent"] * size

    def test_generate_sessions_request_constant(self, clock, client_for, counselor, school):
        program = make_program(owner=counselor)
        self.grow(program, school, 5, 0)
        client = client_for(counselor)
        url = f"{API}/programs/{program.pk}/sessions/generate/"
        series = {"weekdays": [0, 2], "start": "09:00", "facilitator": counselor.pk}
        # Each series books a room of its own, so its lock row is new: read the lock rows, insert the
        # missing one, lock them again (inside the test's transaction nothing is inserted beforehand).
        for days, count in ((2, 2), (59, 18)):
            body = {**series, "from": str(day(0)), "to": str(day(days)), "location": f"Room {days}"}
            # program, facilitator, enrolled students; savepoint, program locked, holidays, enrolled
            # students, lock rows (3), clashes, sessions, audit rows, release; the sessions for the body
            with assert_query_count(15):
                response = client.post(url, body, format="json")
            assert response.status_code == 201 and response.json()["count"] == count
            InterventionSession.objects.filter(intervention=program).delete()

    def test_program_page_constant(self, clock, client, counselor, school):
        program = make_program(owner=counselor)
        self.grow(program, school, 5, 10)
        client.force_login(counselor)
        with assert_query_count(PROGRAM_PAGE_QUERIES):
            response = client.get(f"/programs/{program.pk}/")
        assert response.status_code == 200
        self.grow(program, school, 45, 90)
        assert Enrollment.objects.filter(intervention=program).count() == 50
        assert InterventionSession.objects.filter(intervention=program).count() == 100
        with assert_query_count(PROGRAM_PAGE_QUERIES):
            response = client.get(f"/programs/{program.pk}/")
        assert response.status_code == 200
        assert response.content.decode().count("data-session=") == 100


# Session and user (2), program, facilitators, sessions, enrollments, attendance %, risk list (3), nav.
PROGRAM_PAGE_QUERIES = 11  # + the exit criteria and the pending recommendations (outcomes section)


def test_a_form_master_facilitating_the_program_reads_each_enrollment_the_program_lists(world, client_for, form_master):
    """One rule for one enrollment and for the program's list: a facilitator sees the program's enrollments,
    whoever's form the student is in (a form master otherwise only their own form's)."""
    client = client_for(form_master)
    theirs = f"{API}/enrollments/{world['theirs'].pk}/"
    assert client.get(theirs).status_code == 403
    make_session(world["program"], start=at(-3, 10), facilitator=form_master, location="Room 3")
    listed = {row["id"] for row in client.get(f"{API}/programs/{world['program'].pk}/enrollments/").json()["results"]}
    assert listed == {world["mine"].pk, world["theirs"].pk}
    assert client.get(theirs).status_code == 200
    assert client.get(f"{API}/enrollments/{world['mine'].pk}/").status_code == 200
