"""Program pages: the list and creating from a template, a program's page and its actions, a session's
attendance, the calendar file, the referral from a meeting, the dashboard and profile sections."""

import datetime

import pytest
from django.utils import timezone
from django.utils.html import escape
from icalendar import Calendar
from rest_framework.test import APIClient

from core.models import AuditLog
from core.testing.queries import assert_query_count
from interventions.models import (
    Alert,
    Enrollment,
    Intervention,
    InterventionMeeting,
    InterventionSession,
    SessionAttendance,
)
from interventions.programs import selectors
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


def signed_in(client, user):
    client.force_login(user)
    return client


class TestList:
    def test_runner_sees_programs_with_fidelity_and_creates_from_a_template(self, client, program, counselor):
        make_session(program, start=at(-2, 10), status="completed")
        make_session(program, start=at(-1, 10), location="B")
        template = InterventionTemplateFactory(school=program.school, name="Check-in", default_weeks=2)
        page = signed_in(client, counselor).get("/programs/")
        body = page.content.decode()
        assert page.status_code == 200
        assert "Reading group" in body and "1 / 2 delivered (50 %)" in body and "under 80 %" in body
        assert 'class="stack-table programs-table"' in body and 'data-label="Fidelity"' in body
        response = client.post(
            "/programs/", {"template": template.pk, "name": "Morning check-in", "start_date": str(day(0))}
        )
        created = Intervention.objects.get(name="Morning check-in")
        assert response.status_code == 302 and response["Location"] == f"/programs/{created.pk}/"
        assert (created.template, created.end_date, created.status) == (template, day(13), "draft")

    def test_create_errors_are_shown(self, client, program, counselor):
        response = signed_in(client, counselor).post(
            "/programs/", {"name": "X", "start_date": str(day(3)), "end_date": str(day(1))}
        )
        assert response.status_code == 400
        assert "cannot be before the start date" in response.content.decode()

    def test_teacher_sees_only_facilitated_and_cannot_create(self, client, program, teacher):
        page = signed_in(client, teacher).get("/programs/")
        assert "Reading group" not in page.content.decode() and "New program" not in page.content.decode()
        assert client.post("/programs/", {"name": "X", "start_date": str(day(0))}).status_code == 403
        make_session(program, start=at(1, 10), facilitator=teacher)
        assert "Reading group" in client.get("/programs/").content.decode()

    def test_anonymous_is_sent_to_login(self, client):
        assert client.get("/programs/").status_code == 302

    def test_the_list_takes_the_same_queries_for_few_programs_or_many(self, client, program, counselor, make_user):
        enroll(program, StudentFactory(school=program.school))
        make_session(program, start=at(-2, 10), status="completed")
        client = signed_in(client, counselor)
        with assert_query_count(4):  # session, user, programs with their figures, templates
            page = client.get("/programs/")
        assert page.status_code == 200 and page.content.decode().count("<tr data-program=") == 1
        for index in range(15):
            owner = make_user("counselor", program.school) if index % 3 else counselor
            other = make_program(
                owner=owner, name=f"Group {index}", template=InterventionTemplateFactory(school=program.school)
            )
            enroll(other, StudentFactory(school=program.school))
            make_session(other, start=at(-1, 8 + index % 4 * 2), location="", status="completed")
            make_session(other, start=at(1, 8 + index % 4 * 2), location="")
        with assert_query_count(4):
            page = client.get("/programs/")
        assert page.status_code == 200 and page.content.decode().count("<tr data-program=") == 16


class TestDetail:
    def test_sessions_enrolled_risk_list_and_actions(self, client, program, counselor, student, school):
        enroll(program, student)
        at_risk = StudentFactory(school=school, first_name="Ana", last_name="Diaz")
        AlertFactory(school=school, student=at_risk, severity="high")
        session = make_session(program, start=at(1, 10))
        body = signed_in(client, counselor).get(f"/programs/{program.pk}/").content.decode()
        assert "Sam Lee" in body and "Ana Diaz" in body and "Consecutive absences (high)" in body
        assert f'data-session="{session.pk}"' in body and "Generate a series" in body
        enrolled = client.post(
            f"/programs/{program.pk}/", {"action": "enroll", "student": at_risk.pk, "source": "risk_list"}
        )
        assert enrolled.status_code == 302
        assert Enrollment.objects.get(student=at_risk).source == "risk_list"
        cancel = client.post(f"/programs/{program.pk}/", {"action": "cancel", "session": session.pk, "version": 1})
        assert cancel.status_code == 302
        session.refresh_from_db()
        assert session.status == "cancelled"

    def test_generate_lists_every_clash_and_saves_nothing(self, client, program, counselor, make_user, school):
        other = make_program(owner=make_user("counselor", school), name="Mentoring")
        make_session(other, start=at(0, 10), location="library")
        make_session(other, start=at(7, 10), location="Library")
        form = {
            "action": "generate",
            "date_from": str(day(0)),
            "date_to": str(day(11)),
            "weekdays": ["0", "2"],
            "start": "10:00",
            "location": " LIBRARY",
            "facilitator": counselor.pk,
        }
        response = signed_in(client, counselor).post(f"/programs/{program.pk}/", form)
        body = response.content.decode()
        assert response.status_code == 400
        assert "Mon 02 Mar 2026 10:00" in body and "Mon 09 Mar 2026 10:00" in body
        assert not InterventionSession.objects.filter(intervention=program).exists()
        form["location"] = "Hall"
        assert client.post(f"/programs/{program.pk}/", form).status_code == 302
        assert InterventionSession.objects.filter(intervention=program).count() == 4

    def test_withdraw_needs_a_reason(self, client, program, counselor, student):
        enrollment = enroll(program, student)
        url = f"/programs/{program.pk}/"
        form = {"action": "withdraw", "enrollment": enrollment.pk, "status": "withdrawn", "version": 1}
        assert signed_in(client, counselor).post(url, {**form, "exit_reason": ""}).status_code == 400
        assert client.post(url, {**form, "exit_reason": "Moved away"}).status_code == 302
        enrollment.refresh_from_db()
        assert enrollment.status == "withdrawn"

    def test_non_owner_reads_but_cannot_act(self, client, program, make_user, school):
        colleague = make_user("counselor", school)
        assert "Generate a series" not in signed_in(client, colleague).get(f"/programs/{program.pk}/").content.decode()
        assert client.post(f"/programs/{program.pk}/", {"action": "status", "status": "completed"}).status_code == 403

    def test_teacher_403_other_school_404(self, client, program, teacher, other_admin):
        assert signed_in(client, teacher).get(f"/programs/{program.pk}/").status_code == 403
        assert signed_in(client, other_admin).get(f"/programs/{program.pk}/").status_code == 404

    def test_calendar_file(self, client, program, counselor):
        make_session(program, start=at(1, 10), location="Room 12")
        make_session(program, start=at(2, 10), status="cancelled")
        response = signed_in(client, counselor).get(f"/programs/{program.pk}/calendar.ics")
        assert response["Content-Type"].startswith("text/calendar")
        events = Calendar.from_ical(response.content).walk("VEVENT")
        assert len(events) == 1
        assert str(events[0]["location"]) == "Room 12" and str(events[0]["summary"]) == "Reading group"

    def test_calendar_takes_the_same_queries_for_few_sessions_or_many(self, client, program, counselor, make_user):
        make_session(program, start=at(1, 10))
        client = signed_in(client, counselor)
        with assert_query_count(4):  # session, user, program, sessions with their facilitators
            response = client.get(f"/programs/{program.pk}/calendar.ics")
        assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 1
        for index in range(20):
            facilitator = make_user("teacher", program.school)
            make_session(program, start=at(2 + index // 4, 8 + index % 4 * 2), facilitator=facilitator, location="")
        with assert_query_count(4):
            response = client.get(f"/programs/{program.pk}/calendar.ics")
        assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 21


class TestSessionPage:
    def test_facilitator_takes_it_all_present_by_default(self, client, program, teacher, student, other_student):
        enroll(program, student)
        enroll(program, other_student)
        session = make_session(program, start=at(-1, 10), facilitator=teacher)
        page = signed_in(client, teacher).get(f"/programs/sessions/{session.pk}/")
        body = page.content.decode()
        assert body.count('value="present" checked') == 2 and "Save attendance" in body
        assert "<script>" not in body and " style=" not in body
        response = client.post(
            f"/programs/sessions/{session.pk}/", {"version": 1, f"status-{student.pk}": "tardy"}, HTTP_HX_REQUEST="true"
        )
        body = response.content.decode()
        assert response.status_code == 200 and "Attendance saved." in body
        assert "Taken by" in body and teacher.display_name in body
        assert dict(SessionAttendance.objects.values_list("student_id", "status")) == {
            student.pk: "tardy",
            other_student.pk: "present",
        }
        assert AuditLog.objects.filter(action="attendance_recorded").exists()

    def test_the_page_its_fragment_and_the_save_take_the_same_queries_for_few_students_or_many(
        self, client, program, teacher, school
    ):
        client = signed_in(client, teacher)
        for size in (2, 25):
            while Enrollment.objects.filter(intervention=program).count() < size:
                enroll(program, StudentFactory(school=school))
            session = make_session(program, start=at(-1 - size // 10, 10), facilitator=teacher, location="")
            url = f"/programs/sessions/{session.pk}/"
            with assert_query_count(5):  # session, user, the session, its attendance, enrolled students
                page = client.get(url)
            assert page.status_code == 200 and page.content.decode().count('class="register-row') == size
            with assert_query_count(5):  # as the page (its header's school comes with the user)
                fragment = client.get(url, HTTP_HX_REQUEST="true")
            assert fragment.status_code == 200 and fragment.content.decode().count('class="register-row') == size
            absent = {f"status-{e.student_id}": "absent" for e in Enrollment.objects.filter(intervention=program)[:1]}
            # session, user, the session, its register (2); the save's eight (savepoint, session, eligible
            # students, recorded rows, upsert, session update, audit rows, release); the session, its register
            with assert_query_count(16):
                saved = client.post(url, {"version": 1, **absent}, HTTP_HX_REQUEST="true")
            assert saved.status_code == 200 and "Attendance saved." in saved.content.decode()
            assert SessionAttendance.objects.filter(session=session).count() == size
            # Once taken, the page shows who took each row.
            with assert_query_count(5):
                page = client.get(url)
            assert page.status_code == 200 and page.content.decode().count('class="register-row') == size

    def test_a_teacher_who_does_not_facilitate_gets_403(self, client, program, teacher):
        session = make_session(program, start=at(-1, 10))
        assert signed_in(client, teacher).get(f"/programs/sessions/{session.pk}/").status_code == 403

    def test_stale_save_shows_a_message(self, client, program, counselor, student):
        enroll(program, student)
        session = make_session(program, start=at(-1, 10))
        signed_in(client, counselor).post(f"/programs/sessions/{session.pk}/", {"version": 1})
        response = client.post(f"/programs/sessions/{session.pk}/", {"version": 1})
        assert response.status_code == 409 and "Someone else saved" in response.content.decode()


class TestReferral:
    def test_form_master_refers_from_own_meeting(self, client, program, form_master, student):
        meeting = InterventionMeetingFactory(
            school=student.school, student=student, created_by=form_master, status="escalated"
        )
        page = signed_in(client, form_master).get(f"/programs/refer/{meeting.pk}/")
        assert page.status_code == 200 and "Reading group" in page.content.decode()
        response = client.post(f"/programs/refer/{meeting.pk}/", {"program": program.pk})
        assert response.status_code == 302
        enrollment = Enrollment.objects.get(student=student)
        assert (enrollment.referred_by_meeting, enrollment.source) == (meeting, "manual")

    def test_the_page_takes_the_same_queries_for_few_programs_or_many(
        self, client, program, form_master, student, counselor
    ):
        meeting = InterventionMeetingFactory(
            school=student.school, student=student, created_by=form_master, status="escalated"
        )
        client = signed_in(client, form_master)
        with assert_query_count(5):  # session, user, meeting, may refer, open programs
            page = client.get(f"/programs/refer/{meeting.pk}/")
        # The blank choice and the open programs.
        assert page.status_code == 200 and page.content.decode().count('<option value="') == 2
        for index in range(15):
            make_program(owner=counselor, name=f"Group {index}", status="draft" if index % 2 else "active")
        with assert_query_count(5):
            page = client.get(f"/programs/refer/{meeting.pk}/")
        assert page.status_code == 200 and page.content.decode().count('<option value="') == 17

    def test_tracker_offers_it(self, client, program, form_master, student):
        meeting = InterventionMeetingFactory(
            school=student.school, student=student, created_by=form_master, status="escalated"
        )
        body = signed_in(client, form_master).get(f"/form-master/interventions/{meeting.pk}/").content.decode()
        assert f"/programs/refer/{meeting.pk}/" in body and "Refer to a program" in body

    def test_not_from_someone_elses_meeting(self, client, program, other_form_master, form_master, student):
        meeting = InterventionMeetingFactory(school=student.school, student=student, created_by=form_master)
        assert signed_in(client, other_form_master).get(f"/programs/refer/{meeting.pk}/").status_code == 403


class TestSections:
    def test_counsellor_dashboard(self, client, program, counselor, school):
        make_session(program, start=at(0, 10))
        make_session(program, start=at(-3, 10), location="B")  # due and not delivered: 0 %
        at_risk = StudentFactory(school=school, first_name="Ana", last_name="Diaz")
        AlertFactory(school=school, student=at_risk)
        body = signed_in(client, counselor).get("/").content.decode()
        assert 'id="programs-dashboard"' in body
        assert "Today's sessions" in body and "10:00 Reading group" in body
        assert "Under 80 % delivered" in body and "Ana Diaz" in body

    def test_dashboard_finds_a_program_under_80_percent_behind_a_hundred_newer_ones(
        self, client, program, counselor, school
    ):
        Intervention.objects.filter(pk=program.pk).update(start_date=day(-30))  # listed last, newest first
        for number in range(100):
            make_program(owner=counselor, name=f"Club {number}")
        make_session(program, start=at(-3, 10), location="B")  # due and not delivered: 0 %
        body = signed_in(client, counselor).get("/").content.decode()
        assert "Under 80 % delivered" in body and "Reading group" in body

    @pytest.mark.parametrize(
        ("planned", "delivered"), [(5, 4), (6, 4), (7, 5), (5, 5), (4, 0), (0, 0), (41, 32), (41, 33)]
    )
    def test_the_database_picks_the_programs_under_80_percent_as_the_figure_shown_does(
        self, program, counselor, planned, delivered
    ):
        for index in range(planned):
            status = "completed" if index < delivered else "scheduled"
            make_session(program, start=at(-1 - index, 10), status=status, location=f"Room {index}")
        listed = selectors.program_list(actor=counselor)
        shown = [p.pk for p in listed if selectors.is_low_fidelity(p)]
        assert [p.pk for p in selectors.low_fidelity(listed)] == shown
        assert shown == ([program.pk] if planned and 100 * delivered / planned < 80 else [])

    def test_dashboard_lists_only_students_new_on_the_risk_list_this_week_most_urgent_first(
        self, client, program, counselor, school, form_master
    ):
        long_ago = timezone.now() - datetime.timedelta(days=10)
        old = StudentFactory(school=school, first_name="Olga", last_name="Old")
        Alert.objects.filter(pk=AlertFactory(school=school, student=old, severity="high").pk).update(
            created_at=long_ago
        )

        def risk_section():
            body = signed_in(client, counselor).get("/").content.decode()
            section = body[body.index('id="programs-dashboard"') :]
            return section[section.index("New on the risk list") : section.index("</article>")]

        section = risk_section()
        assert "Nobody new this week." in section and "Olga Old" not in section

        # An old alert, but a meeting escalated today: new on the list.
        meeting = InterventionMeetingFactory(school=school, student=old, created_by=form_master)
        InterventionMeeting.objects.filter(pk=meeting.pk).update(status="escalated")
        names = [("Ada", "Ames", "low"), ("Ben", "Bell", "medium"), ("Cal", "Cox", "high"), ("Dee", "Dunn", "low")]
        names += [("Eve", "Earl", "medium"), ("Fay", "Ford", "low")]
        for first, last, severity in names:
            AlertFactory(
                school=school,
                student=StudentFactory(school=school, first_name=first, last_name=last),
                severity=severity,
            )
        section = risk_section()
        everyone = ["Olga Old", *(f"{first} {last}" for first, last, _ in names)]
        listed = sorted((name for name in everyone if name in section), key=section.index)
        assert listed == ["Olga Old", "Cal Cox", "Ben Bell", "Eve Earl", "Ada Ames"]

    def test_student_profile_programs(self, client, program, counselor, student):
        enroll(program, student)
        body = signed_in(client, counselor).get(f"/students/{student.pk}/").content.decode()
        assert 'id="student-programs"' in body and "Reading group" in body


@pytest.mark.parametrize("query", ["status=abc", "owner=abc", "student=1,2"])
def test_a_bad_filter_in_the_address_is_a_400_with_the_whole_list_not_a_500(client, admin_user, query):
    client.force_login(admin_user)
    response = client.get(f"/programs/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<h1>Programs</h1>" in html and "<table" in html
    # Said beside the filters, in the words the API uses for the same parameter.
    name = query.split("=")[0]
    api = APIClient()
    api.force_authenticate(admin_user)
    said = api.get(f"/api/interventions/programs/?{query}").json()[name][0]
    assert f'<p class="form-error" role="alert">{escape(said)}</p>' in html
