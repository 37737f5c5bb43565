"""Program services: every status move allowed and refused, the no-overlap rules at their edges, series,
enrollment and session attendance, and the audit rows of seed 001's events."""

import datetime

import pytest

from attendance.models import Holiday
from core.errors import ApplicationError, ConflictError, PermissionDeniedError
from core.models import AuditLog
from core.testing.queries import assert_query_count
from interventions.models import Enrollment, Intervention, InterventionSession, SessionAttendance
from interventions.programs import services
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
Status = Intervention.Status
SessionStatus = InterventionSession.Status


def create_session(program, start, minutes=45, location="Room 12", facilitator=None, actor=None):
    return services.session_create(
        actor=actor or program.owner,
        program=program,
        start_time=start,
        end_time=start + datetime.timedelta(minutes=minutes),
        location=location,
        facilitator=facilitator or program.owner,
    )


def messages_of(excinfo, field):
    return " ".join(excinfo.value.field_errors[field])


class TestProgramMoves:
    @pytest.mark.parametrize(
        "start, target",
        [("draft", "active"), ("draft", "cancelled"), ("active", "completed"), ("active", "cancelled")],
    )
    def test_allowed_moves(self, clock, counselor, start, target):
        program = make_program(owner=counselor, status=start)
        moved = services.program_update(actor=counselor, program=program, version=1, status=target)
        assert (moved.status, moved.version) == (target, 2)
        entry = AuditLog.objects.get(entity_type="interventions.intervention", action="update")
        assert (entry.before["status"], entry.after["status"]) == (start, target)

    @pytest.mark.parametrize(
        "start, target",
        [
            ("draft", "completed"),
            ("active", "draft"),
            ("completed", "active"),
            ("completed", "cancelled"),
            ("cancelled", "active"),
            ("cancelled", "draft"),
        ],
    )
    def test_refused_moves(self, clock, counselor, start, target):
        program = make_program(owner=counselor, status=start)
        with pytest.raises(ApplicationError) as excinfo:
            services.program_update(actor=counselor, program=program, version=1, status=target)
        assert "status" in excinfo.value.field_errors
        program.refresh_from_db()
        assert (program.status, program.version) == (start, 1)

    def test_stale_version_is_a_conflict(self, program, counselor):
        with pytest.raises(ConflictError) as excinfo:
            services.program_update(actor=counselor, program=program, version=7, name="New")
        assert excinfo.value.current_version == 1

    def test_another_counsellor_may_not_change_it_an_admin_may(self, program, make_user, school, admin_user):
        colleague = make_user("counselor", school)
        with pytest.raises(PermissionDeniedError):
            services.program_update(actor=colleague, program=program, version=1, name="Mine now")
        services.program_update(actor=admin_user, program=program, version=1, name="Renamed by admin")
        program.refresh_from_db()
        assert program.name == "Renamed by admin"

    def test_cancelling_cancels_the_sessions_still_to_come(self, program, counselor):
        past = make_session(program, start=at(-3, 10))
        future = make_session(program, start=at(2, 10))
        services.program_update(actor=counselor, program=program, version=1, status="cancelled")
        past.refresh_from_db()
        future.refresh_from_db()
        assert (past.status, future.status) == ("scheduled", "cancelled")

    def test_cancelling_takes_the_same_queries_for_few_sessions_to_come_or_many(self, clock, counselor):
        for to_come in (2, 20):
            program = make_program(owner=counselor, name=f"Group of {to_come}")
            make_session(program, start=at(-3, 10), location="")
            for index in range(to_come):
                make_session(program, start=at(1 + index // 4, 8 + index % 4 * 2), location="")
            # savepoint, program locked, update, read back, audit row; the sessions to come, their update,
            # read back, audit rows; release
            with assert_query_count(10):
                services.program_update(actor=counselor, program=program, version=1, status="cancelled")
            sessions = InterventionSession.objects.filter(intervention=program)
            assert sessions.filter(status="cancelled").count() == to_come
            assert sessions.filter(status="scheduled").count() == 1
            ids = [str(pk) for pk in sessions.values_list("pk", flat=True)]
            audited = AuditLog.objects.filter(entity_type="interventions.interventionsession", entity_id__in=ids)
            assert audited.filter(action="update").count() == to_come

    def test_created_from_a_template_copies_its_shape(self, clock, counselor):
        template = InterventionTemplateFactory(school=counselor.school, duration_minutes=30, default_weeks=4, tier=3)
        program = services.program_create(
            actor=counselor, name=" Breakfast club ", template=template, start_date=day(0)
        )
        assert (program.name, program.duration_minutes, program.tier) == ("Breakfast club", 30, 3)
        assert program.end_date == day(27)
        services.template_update(actor=counselor, template=template, version=1, duration_minutes=60)
        program.refresh_from_db()
        assert program.duration_minutes == 30, "editing a template never changes programs made from it"
        entry = AuditLog.objects.get(action="intervention_created")
        assert (entry.entity_id, entry.actor, entry.after["name"]) == (str(program.pk), counselor, "Breakfast club")

    def test_end_date_before_start_is_refused(self, clock, counselor):
        with pytest.raises(ApplicationError) as excinfo:
            services.program_create(actor=counselor, name="X", start_date=day(5), end_date=day(4))
        assert "end_date" in excinfo.value.field_errors

    def test_teachers_and_form_masters_make_no_programs(self, clock, teacher, form_master):
        for actor in (teacher, form_master):
            with pytest.raises(PermissionDeniedError):
                services.program_create(actor=actor, name="X", start_date=day(0))


class TestSessionMoves:
    def test_cancel_then_nothing_more(self, program, counselor):
        session = create_session(program, at(1, 10))
        services.session_update(actor=counselor, session=session, version=1, status="cancelled", cancel_reason="Trip")
        session.refresh_from_db()
        assert (session.status, session.cancel_reason, session.version) == ("cancelled", "Trip", 2)
        for change in ({"status": "scheduled"}, {"status": "completed"}, {"location": "Hall"}):
            with pytest.raises(ApplicationError):
                services.session_update(actor=counselor, session=session, version=2, **change)

    def test_completed_only_by_taking_attendance(self, program, counselor, student):
        enroll(program, student)
        session = create_session(program, at(0, 7, 0), minutes=20)
        with pytest.raises(ApplicationError) as excinfo:
            services.session_update(actor=counselor, session=session, version=1, status="completed")
        assert "attendance" in messages_of(excinfo, "status")
        services.session_attendance_save(actor=counselor, session_id=session.pk, records=[])
        session.refresh_from_db()
        assert session.status == "completed"
        with pytest.raises(ApplicationError):
            services.session_update(actor=counselor, session=session, version=session.version, status="cancelled")

    def test_reschedule_keeps_the_rules_and_is_audited(self, program, counselor):
        session = create_session(program, at(1, 10))
        other = create_session(program, at(1, 12), location="Hall")
        moved = services.session_update(
            actor=counselor, session=session, version=1, start_time=at(1, 14), end_time=at(1, 15)
        )
        assert moved.version == 2
        with pytest.raises(ApplicationError) as excinfo:
            services.session_update(
                actor=counselor, session=other, version=1, start_time=at(1, 14, 30), end_time=at(1, 15, 30)
            )
        assert f"session {session.pk}" in messages_of(excinfo, "start_time")
        assert AuditLog.objects.filter(action="session_scheduled", entity_id=str(session.pk)).count() == 2

    @pytest.mark.parametrize(
        "offset, message", [(5, "weekend"), (-20, "outside the program"), (70, "outside the program")]
    )
    def test_only_on_school_days_inside_the_program(self, program, offset, message):
        with pytest.raises(ApplicationError) as excinfo:
            create_session(program, at(offset, 10))
        assert message in messages_of(excinfo, "start_time")

    def test_not_on_a_holiday(self, program):
        Holiday.objects.create(school=program.school, date=day(3), name="Founders' day")
        with pytest.raises(ApplicationError) as excinfo:
            create_session(program, at(3, 10))
        assert "Founders' day" in messages_of(excinfo, "start_time")

    def test_end_after_start(self, program):
        with pytest.raises(ApplicationError) as excinfo:
            create_session(program, at(1, 10), minutes=0)
        assert "end_time" in excinfo.value.field_errors

    def test_final_programs_take_no_sessions(self, clock, counselor):
        for status in ("completed", "cancelled"):
            program = make_program(owner=counselor, status=status)
            with pytest.raises(ApplicationError):
                create_session(program, at(1, 10))


class TestOverlaps:
    def test_touching_intervals_do_not_clash(self, program):
        create_session(program, at(1, 10), minutes=60)
        create_session(program, at(1, 11), minutes=60)
        create_session(program, at(1, 9), minutes=60)
        assert InterventionSession.objects.filter(intervention=program).count() == 3

    def test_one_minute_of_overlap_clashes(self, program):
        first = create_session(program, at(1, 10), minutes=60)
        with pytest.raises(ApplicationError) as excinfo:
            create_session(program, at(1, 10, 59), minutes=60, location="Hall")
        text = messages_of(excinfo, "start_time")
        assert f"session {first.pk}" in text and "is busy" in text
        assert "Tue 03 Mar 2026 10:59" in text

    def test_cancelled_sessions_never_clash(self, program, counselor):
        first = create_session(program, at(1, 10))
        services.session_update(actor=counselor, session=first, version=1, status="cancelled")
        create_session(program, at(1, 10))
        assert InterventionSession.objects.exclude(status="cancelled").count() == 1

    def test_location_compared_ignoring_case_and_spaces(self, program, make_user, school):
        other = make_program(owner=make_user("counselor", school), name="Mentoring")
        create_session(program, at(1, 10), location="Room 12")
        with pytest.raises(ApplicationError) as excinfo:
            create_session(other, at(1, 10, 30), location="  room 12 ")
        assert "Room 12 is in use" in messages_of(excinfo, "start_time")

    def test_blank_locations_never_clash(self, program, make_user, school):
        other = make_program(owner=make_user("counselor", school), name="Mentoring")
        create_session(program, at(1, 10), location="")
        create_session(other, at(1, 10), location="   ")
        assert InterventionSession.objects.count() == 2

    def test_a_facilitator_is_in_one_session_at_once(self, program, make_user, school, teacher):
        other = make_program(owner=make_user("counselor", school), name="Mentoring")
        create_session(program, at(1, 10), location="A", facilitator=teacher)
        with pytest.raises(ApplicationError) as excinfo:
            create_session(other, at(1, 10), location="B", facilitator=teacher)
        assert f"facilitator {teacher.display_name} is busy" in messages_of(excinfo, "start_time")

    def test_a_student_in_two_programs_is_in_one_session_at_once(self, program, make_user, school, student):
        other = make_program(owner=make_user("counselor", school), name="Mentoring")
        enroll(program, student)
        enroll(other, student)
        create_session(program, at(1, 10), location="A")
        with pytest.raises(ApplicationError) as excinfo:
            create_session(other, at(1, 10, 15), location="B")
        assert "Sam Lee is in both" in messages_of(excinfo, "start_time")

    def test_other_schools_sessions_do_not_clash(self, program, other_admin, make_user, other_school):
        theirs = make_program(owner=make_user("counselor", other_school), name="South group")
        create_session(program, at(1, 10), location="Room 12")
        create_session(theirs, at(1, 10), location="Room 12")
        assert InterventionSession.objects.count() == 2


class TestSeries:
    def series(self, program, **overrides):
        values = {
            "date_from": day(0),
            "date_to": day(25),
            "weekdays": [0, 2],
            "start": datetime.time(10, 0),
            "location": "Library",
            "facilitator": program.owner,
        }
        values.update(overrides)
        return services.SeriesRequest(**values)

    def test_weekdays_skipping_holidays_in_one_request(self, program):
        Holiday.objects.create(school=program.school, date=day(9), name="Mid-term")  # a Wednesday
        sessions = services.sessions_generate(actor=program.owner, program=program, request=self.series(program))
        days = [s.start_time.date() for s in sessions]
        assert day(9) not in days and len(days) == 7
        assert all(d.weekday() in (0, 2) for d in days)
        assert all(s.end_time - s.start_time == datetime.timedelta(minutes=45) for s in sessions)
        assert AuditLog.objects.filter(action="session_scheduled").count() == 7

    def test_all_or_nothing_listing_every_clash(self, program, make_user, school):
        other = make_program(owner=make_user("counselor", school), name="Mentoring")
        first = create_session(other, at(2, 10, 30), location="library ")
        second = create_session(other, at(16, 9, 30), location="LIBRARY")
        with pytest.raises(ApplicationError) as excinfo:
            services.sessions_generate(actor=program.owner, program=program, request=self.series(program))
        problems = excinfo.value.field_errors["sessions"]
        assert len(problems) == 2
        assert "Wed 04 Mar 2026 10:00" in problems[0] and f"session {first.pk}" in problems[0]
        assert "Wed 18 Mar 2026 10:00" in problems[1] and f"session {second.pk}" in problems[1]
        assert not InterventionSession.objects.filter(intervention=program).exists()

    def test_constant_queries_whatever_the_length(self, program):
        # Each series books a room of its own, so its lock row is new: read the lock rows, insert the
        # missing one, lock them again (inside the test's transaction nothing is inserted beforehand).
        for to, count in ((day(2), 2), (day(59), 18)):
            # enrolled students; savepoint, program locked, holidays, enrolled students, lock rows (3),
            # clashes, sessions, audit rows, release
            with assert_query_count(12):
                sessions = services.sessions_generate(
                    actor=program.owner, program=program, request=self.series(program, date_to=to, location=str(to))
                )
            assert len(sessions) == count
            scheduled = AuditLog.objects.filter(action="session_scheduled", entity_id__in=[str(s.pk) for s in sessions])
            assert scheduled.count() == count
            InterventionSession.objects.all().delete()

    def test_refused_outside_the_program_and_without_days(self, program):
        with pytest.raises(ApplicationError):
            services.sessions_generate(
                actor=program.owner, program=program, request=self.series(program, date_to=day(90))
            )
        with pytest.raises(ApplicationError):
            services.sessions_generate(
                actor=program.owner, program=program, request=self.series(program, date_from=day(5), date_to=day(6))
            )


class TestEnrollment:
    def test_one_active_per_program_and_student(self, program, counselor, student):
        services.enrollment_create(actor=counselor, program=program, student=student)
        with pytest.raises(ApplicationError) as excinfo:
            services.enrollment_create(actor=counselor, program=program, student=student)
        assert "already enrolled" in messages_of(excinfo, "student")
        entry = AuditLog.objects.get(action="enrollment_changed")
        assert entry.after["student_id"] == student.pk and entry.after["status"] == "active"

    def test_refused_when_it_would_give_overlapping_sessions(self, program, make_user, school, student):
        other = make_program(owner=make_user("counselor", school), name="Mentoring")
        enroll(other, student)
        create_session(other, at(1, 10), location="A")
        create_session(program, at(1, 10, 30), location="B")
        with pytest.raises(ApplicationError) as excinfo:
            services.enrollment_create(actor=program.owner, program=program, student=student)
        assert "two sessions at once" in messages_of(excinfo, "student")
        assert not Enrollment.objects.filter(intervention=program).exists()

    def test_withdraw_needs_a_reason_and_is_final(self, program, counselor, student):
        enrollment = services.enrollment_create(actor=counselor, program=program, student=student)
        with pytest.raises(ApplicationError) as excinfo:
            services.enrollment_update(actor=counselor, enrollment=enrollment, version=1, status="withdrawn")
        assert "exit_reason" in excinfo.value.field_errors
        services.enrollment_update(
            actor=counselor, enrollment=enrollment, version=1, status="withdrawn", exit_reason="Moved school"
        )
        enrollment.refresh_from_db()
        assert (enrollment.status, enrollment.exit_reason, enrollment.version) == ("withdrawn", "Moved school", 2)
        assert enrollment.withdrawn_at is not None
        with pytest.raises(ApplicationError):
            services.enrollment_update(
                actor=counselor, enrollment=enrollment, version=2, status="exited", exit_reason="x"
            )
        # Enrolling again after a withdrawal is a new enrollment.
        services.enrollment_create(actor=counselor, program=program, student=student)
        assert Enrollment.objects.filter(intervention=program, student=student).count() == 2

    def test_exit_reason_is_audited_before_the_change(self, program, counselor, student):
        enrollment = services.enrollment_create(actor=counselor, program=program, student=student)
        services.enrollment_update(
            actor=counselor, enrollment=enrollment, version=1, status="exited", exit_reason="Goal met"
        )
        entry = AuditLog.objects.filter(action="enrollment_changed").order_by("id").last()
        assert entry.after == {"status": "exited", "exit_reason": "Goal met", "decided": "explicit reason"}

    def test_form_master_enrolls_own_students_manually(self, program, form_master, student, other_student):
        meeting = InterventionMeetingFactory(school=student.school, student=student, created_by=form_master)
        enrollment = services.enrollment_create(
            actor=form_master, program=program, student=student, referred_by_meeting=meeting
        )
        assert enrollment.referred_by_meeting == meeting
        with pytest.raises(PermissionDeniedError):
            services.enrollment_create(actor=form_master, program=program, student=other_student)

    def test_form_master_refers_only_from_own_meeting_and_manually(
        self, program, form_master, student, other_form_master
    ):
        theirs = InterventionMeetingFactory(school=student.school, student=student, created_by=other_form_master)
        with pytest.raises(ApplicationError):
            services.enrollment_create(actor=form_master, program=program, student=student, referred_by_meeting=theirs)
        with pytest.raises(ApplicationError):
            services.enrollment_create(actor=form_master, program=program, student=student, source="risk_list")

    def test_risk_list_source_needs_a_reason(self, program, counselor, student, other_student):
        with pytest.raises(ApplicationError):
            services.enrollment_create(actor=counselor, program=program, student=student, source="risk_list")
        AlertFactory(school=other_student.school, student=other_student)
        services.enrollment_create(actor=counselor, program=program, student=other_student, source="risk_list")

    def test_another_counsellor_and_teachers_may_not_enroll(self, program, make_user, school, teacher, student):
        for actor in (make_user("counselor", school), teacher):
            with pytest.raises(PermissionDeniedError):
                services.enrollment_create(actor=actor, program=program, student=student)


class TestSessionAttendance:
    def test_everyone_present_by_default_and_idempotent(self, program, counselor, student, other_student):
        enroll(program, student)
        enroll(program, other_student)
        session = make_session(program, start=at(-2, 10))
        result = services.session_attendance_save(
            actor=counselor, session_id=session.pk, records=[{"student": student.pk, "status": "absent"}]
        )
        assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
        rows = dict(SessionAttendance.objects.filter(session=session).values_list("student_id", "status"))
        assert rows == {student.pk: "absent", other_student.pk: "present"}
        session.refresh_from_db()
        assert (session.status, session.attendance_taken_by) == ("completed", counselor)
        again = services.session_attendance_save(
            actor=counselor, session_id=session.pk, records=[{"student": student.pk, "status": "absent"}]
        )
        assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
        audit = AuditLog.objects.filter(action="attendance_recorded")
        assert audit.filter(entity_type="interventions.sessionattendance").count() == 2
        assert audit.filter(entity_type="interventions.interventionsession").count() == 2

    def test_six_queries_whatever_the_group(self, program, counselor, school):
        for size in (2, 12):
            session = make_session(program, start=at(-size, 10), location="")
            for _ in range(size - len(Enrollment.objects.filter(intervention=program))):
                enroll(program, StudentFactory(school=school))
            records = [
                {"student": e.student_id, "status": "tardy"} for e in Enrollment.objects.filter(intervention=program)
            ]
            # The six of the docstring inside a savepoint and its release (the test's own transaction).
            with assert_query_count(8):
                result = services.session_attendance_save(actor=counselor, session_id=session.pk, records=records)
            assert result.created == size
            assert SessionAttendance.objects.filter(session=session, status="tardy").count() == size

    def test_a_session_nobody_was_enrolled_for_is_not_completed(self, program, counselor, student):
        session = make_session(program, start=at(-2, 10))
        enroll(program, student, enrolled_at=at(-1, 9))  # joined after the session
        with pytest.raises(ApplicationError) as excinfo:
            services.session_attendance_save(actor=counselor, session_id=session.pk, records=[])
        assert "Nobody was enrolled" in messages_of(excinfo, "session")
        session.refresh_from_db()
        assert (session.status, session.version, session.attendance_taken_by) == ("scheduled", 1, None)
        assert not SessionAttendance.objects.exists()
        assert not AuditLog.objects.filter(action="attendance_recorded").exists()

    def test_only_students_enrolled_when_it_starts(self, program, counselor, student, other_student):
        enroll(program, student)
        session = make_session(program, start=at(-2, 10))
        late = enroll(program, other_student, enrolled_at=at(-1, 9))
        with pytest.raises(ApplicationError) as excinfo:
            services.session_attendance_save(
                actor=counselor, session_id=session.pk, records=[{"student": late.student_id, "status": "present"}]
            )
        assert "not enrolled" in messages_of(excinfo, "records")

    def test_facilitator_takes_it_others_do_not(self, program, teacher, make_user, school, student):
        enroll(program, student)
        session = make_session(program, start=at(-2, 10), facilitator=teacher)
        services.session_attendance_save(actor=teacher, session_id=session.pk, records=[])
        for actor in (make_user("counselor", school), make_user("teacher", school)):
            with pytest.raises(PermissionDeniedError):
                services.session_attendance_save(actor=actor, session_id=session.pk, records=[])

    def test_only_while_active_and_not_before_the_day(self, clock, counselor, student):
        draft = make_program(owner=counselor, status="draft")
        session = make_session(draft, start=at(-2, 10))
        with pytest.raises(ApplicationError):
            services.session_attendance_save(actor=counselor, session_id=session.pk, records=[])
        active = make_program(owner=counselor, name="Active")
        future = make_session(active, start=at(1, 10), location="")
        with pytest.raises(ApplicationError):
            services.session_attendance_save(actor=counselor, session_id=future.pk, records=[])

    def test_a_stale_version_is_a_conflict(self, program, counselor, student):
        enroll(program, student)
        session = make_session(program, start=at(-2, 10))
        services.session_attendance_save(actor=counselor, session_id=session.pk, records=[])
        with pytest.raises(ConflictError):
            services.session_attendance_save(actor=counselor, session_id=session.pk, records=[], expected_version=1)
