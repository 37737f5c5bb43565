"""Program outcomes: notes, every criterion at its boundary, idempotent set-based evaluation, decisions
with stale versions, exits with a reason, the chart data, roles and two schools."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from attendance.tests.factories import AttendanceRecordFactory
from core.errors import ApplicationError, ConflictError, PermissionDeniedError
from core.models import AuditLog
from core.testing.queries import assert_query_count
from interventions.outcomes import services
from interventions.outcomes.models import ExitCriteria, ExitRecommendation, ProgressNote
from interventions.tests.factories import (
    EnrollmentFactory,
    InterventionFactory,
    InterventionSessionFactory,
    SessionAttendanceFactory,
)
from students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db
FIRST_DAY = datetime.date(2026, 9, 7)  # a Monday


@pytest.fixture
def program(school, counselor):
    return InterventionFactory(school=school, owner=counselor)


@pytest.fixture
def enrollment(program):
    return EnrollmentFactory(intervention=program, school=program.school)


def notes(enrollment, ratings=(), metrics=()):
    program, student = enrollment.intervention, enrollment.student
    now = timezone.now()
    for index, rating in enumerate(ratings):
        ProgressNote.objects.create(
            school=program.school,
            intervention=program,
            student=student,
            note="n",
            rating=rating,
            entered_by=program.owner,
            entered_at=now - datetime.timedelta(days=len(ratings) - index),
        )
    for index, metric in enumerate(metrics):
        ProgressNote.objects.create(
            school=program.school,
            intervention=program,
            student=student,
            note="m",
            metric_value=metric,
            entered_by=program.owner,
            entered_at=now - datetime.timedelta(days=len(metrics) - index, hours=1),
        )


def days_marked(student, statuses):
    """Marked school days, oldest first, ending on a weekday well in the past."""
    day = FIRST_DAY
    for status in statuses:
        while day.weekday() > 4:
            day += datetime.timedelta(days=1)
        AttendanceRecordFactory(school=student.school, student=student, date=day, status=status)
        day += datetime.timedelta(days=1)


def criterion(program, kind, target, window, name=""):
    return ExitCriteria.objects.create(
        school=program.school,
        intervention=program,
        threshold_type=kind,
        target_value=target,
        window=window,
        metric_name=name,
    )


# Notes
def test_a_note_on_an_enrolled_student_is_audited_as_progress_updated(counselor, program, enrollment):
    note = services.note_add(actor=counselor, program=program, student=enrollment.student, note="Read aloud", rating=4)
    assert note.rating == 4
    assert AuditLog.objects.filter(action="progress_updated", entity_id=str(note.pk)).exists()


def test_notes_only_for_enrolled_students_and_on_the_scale(counselor, school, program, enrollment):
    with pytest.raises(ApplicationError) as exc:
        services.note_add(actor=counselor, program=program, student=StudentFactory(school=school), note="x")
    assert "not enrolled" in exc.value.field_errors["student"][0]
    with pytest.raises(ApplicationError) as exc:
        services.note_add(actor=counselor, program=program, student=enrollment.student, note="x", rating=6)
    assert "between 1 and 5" in exc.value.field_errors["rating"][0]


def test_a_facilitator_adds_notes_another_counsellor_may_not(make_user, school, teacher, program, enrollment):
    InterventionSessionFactory(intervention=program, school=school, facilitator=teacher)
    services.note_add(actor=teacher, program=program, student=enrollment.student, note="Good session")
    with pytest.raises(PermissionDeniedError):
        services.note_add(actor=make_user("counselor", school), program=program, student=enrollment.student, note="x")


# Criteria at their boundaries
@pytest.mark.parametrize(
    ("ratings", "met", "value"),
    [((2, 4, 4, 4), True, 4.0), ((5, 4, 4, 3.99), False, 4.0), ((5, 5), False, None)],
    ids=["met", "not-met", "not-enough-data"],
)
def test_progress_criterion(counselor, program, enrollment, ratings, met, value):
    criterion(program, "progress", 4, 3)
    notes(enrollment, ratings=ratings)
    created = services.evaluate_program(actor=counselor, program=program)
    assert len(created) == (1 if met else 0)
    inputs = services.evaluation_inputs([program.pk])
    [result] = services.enrollment_figures(
        inputs["criteria"][program.pk], notes=inputs["notes"][(program.pk, enrollment.student_id)], statuses=[]
    )
    assert (result["met"], result["value"]) == (met, value)
    assert result["reason"] == ("" if value is not None else "not enough data")


@pytest.mark.parametrize(
    ("statuses", "met"),
    [
        (["absent"] * 5 + ["present", "late", "present", "absent"], True),  # last 4: 3 of 4 = 75 %
        (["present"] * 5 + ["absent", "late", "present", "absent"], False),  # last 4: 2 of 4
        (["present"] * 3, False),  # 3 marked days < window 4
    ],
    ids=["met", "not-met", "not-enough-data"],
)
def test_attendance_criterion(counselor, program, enrollment, statuses, met):
    criterion(program, "attendance", 75, 4)
    days_marked(enrollment.student, statuses)
    created = services.evaluate_program(actor=counselor, program=program)
    assert len(created) == (1 if met else 0)
    if met:
        assert created[0].figures[0]["value"] == 75.0 and created[0].figures[0]["target"] == 75.0


@pytest.mark.parametrize(
    ("metrics", "met"),
    [((10, 20, 30), True), ((10, 20, 29.9), False), ((40,), False)],
    ids=["met", "not-met", "not-enough-data"],
)
def test_custom_metric_criterion_counts_only_notes_that_carry_one(counselor, program, enrollment, metrics, met):
    criterion(program, "custom_metric", 20, 3, "words per minute")
    notes(enrollment, ratings=(1, 1, 1), metrics=metrics)  # rated notes carry no metric
    assert len(services.evaluate_program(actor=counselor, program=program)) == (1 if met else 0)


def test_every_criterion_must_be_met(counselor, program, enrollment):
    criterion(program, "progress", 3, 2)
    criterion(program, "attendance", 90, 2)
    notes(enrollment, ratings=(4, 4))
    days_marked(enrollment.student, ["present", "absent"])
    assert services.evaluate_program(actor=counselor, program=program) == []


def test_evaluation_is_idempotent(counselor, program, enrollment):
    criterion(program, "progress", 3, 2)
    notes(enrollment, ratings=(4, 4))
    first = services.evaluate_program(actor=counselor, program=program)
    assert len(first) == 1 and first[0].status == "pending"
    assert services.evaluate_program(actor=counselor, program=program) == []
    out = io.StringIO()
    call_command("evaluate_exit_criteria", "--school", "north", stdout=out)
    assert "north: 0 new exit recommendation(s)" in out.getvalue()
    assert ExitRecommendation.objects.count() == 1
    # Dismissed with the same figures: not recommended again; new data that still meets: again.
    services.recommendation_decide(actor=counselor, recommendation=first[0], status="dismissed", version=1)
    assert services.evaluate_program(actor=counselor, program=program) == []
    notes(enrollment, ratings=(5,))
    assert len(services.evaluate_program(actor=counselor, program=program)) == 1


def test_evaluation_takes_the_same_queries_for_one_program_or_many(school, counselor):
    def build(count):
        programs = []
        for _ in range(count):
            program = InterventionFactory(school=school, owner=counselor)
            criterion(program, "progress", 3, 2)
            criterion(program, "attendance", 50, 2)
            for _ in range(3):
                enrollment = EnrollmentFactory(intervention=program, school=school)
                notes(enrollment, ratings=(4, 4))
                days_marked(enrollment.student, ["present", "present"])
            programs.append(program)
        return programs

    few, many = build(1), build(4)
    # savepoint, criteria, enrollments, notes, school attendance, earlier recommendations, the new ones,
    # their audit rows, release
    with assert_query_count(9):
        assert len(services.evaluate_programs(programs=few)) == 3
    with assert_query_count(9):
        assert len(services.evaluate_programs(programs=many)) == 12


# Decisions
def test_accepting_exits_the_enrollment_with_its_figures_logged_first(counselor, program, enrollment):
    criterion(program, "progress", 3, 2)
    notes(enrollment, ratings=(4, 4))
    [recommendation] = services.evaluate_program(actor=counselor, program=program)
    with pytest.raises(ConflictError):
        services.recommendation_decide(actor=counselor, recommendation=recommendation, status="accepted", version=5)
    services.recommendation_decide(actor=counselor, recommendation=recommendation, status="accepted", version=1)
    enrollment.refresh_from_db()
    assert enrollment.status == "exited" and "Mean rating 4.0 ≥ 3.0" in enrollment.exit_reason
    exited = AuditLog.objects.get(action="intervention_exited")
    changed = AuditLog.objects.get(action="enrollment_changed")
    assert exited.after["figures"] == recommendation.figures and exited.before["status"] == "active"
    assert exited.pk < changed.pk and changed.after["status"] == "exited"
    with pytest.raises(ConflictError):  # decided: the version moved on
        services.recommendation_decide(actor=counselor, recommendation=recommendation, status="dismissed", version=1)


def test_only_the_owner_or_an_admin_decides(make_user, school, admin_user, program, enrollment):
    criterion(program, "progress", 3, 1)
    notes(enrollment, ratings=(4,))
    [recommendation] = services.evaluate_programs(programs=[program])
    with pytest.raises(PermissionDeniedError):
        services.recommendation_decide(
            actor=make_user("counselor", school), recommendation=recommendation, status="dismissed", version=1
        )
    services.recommendation_decide(actor=admin_user, recommendation=recommendation, status="dismissed", version=1)
    assert ExitRecommendation.objects.get().status == "dismissed"


def test_exit_without_a_recommendation_needs_a_reason(client_for, counselor, program, enrollment):
    url = f"/api/interventions/enrollments/{enrollment.pk}/"
    missing = client_for(counselor).patch(url, {"status": "exited", "exit_reason": " ", "version": 1}, format="json")
    assert missing.status_code == 400 and "exit_reason" in missing.json()
    stale = client_for(counselor).patch(url, {"status": "exited", "exit_reason": "Moved", "version": 7}, format="json")
    assert stale.status_code == 409
    done = client_for(counselor).patch(
        url, {"status": "exited", "exit_reason": "Moved school", "version": 1}, format="json"
    )
    assert done.status_code == 200
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.exit_reason) == ("exited", "Moved school")
    assert AuditLog.objects.filter(entity_id=str(enrollment.pk), after__exit_reason="Moved school").exists()


def test_leaving_another_way_dismisses_the_pending_recommendation(
    client_for, counselor, program, enrollment, django_capture_on_commit_callbacks
):
    """Exited with a reason (or withdrawn) while a recommendation waited: nothing is left to decide, so it
    is dismissed by whoever ended the enrollment, audited, and no longer offered."""
    criterion(program, "progress", 3, 1)
    notes(enrollment, ratings=(4,))
    [recommendation] = services.evaluate_program(actor=counselor, program=program)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(counselor).patch(
            f"/api/interventions/enrollments/{enrollment.pk}/",
            {"status": "withdrawn", "exit_reason": "Moved school", "version": 1},
            format="json",
        )
    assert response.status_code == 200
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.decided_by, recommendation.version) == ("dismissed", counselor, 2)
    entry = AuditLog.objects.get(entity_type="interventions.exitrecommendation", action="update")
    assert (entry.before["status"], entry.after["status"], entry.actor) == ("pending", "dismissed", counselor)
    assert services.recommendations_dismiss_for_left(enrollment_id=enrollment.pk) == 0  # idempotent
    assert services.evaluate_program(actor=counselor, program=program) == []


# API
def test_api_notes_criteria_evaluate_and_decide(client_for, counselor, program, enrollment):
    client = client_for(counselor)
    base = f"/api/interventions/programs/{program.pk}/"
    for rating in (4, 5):
        response = client.post(f"{base}notes/", {"student": enrollment.student_id, "note": "ok", "rating": rating})
        assert response.status_code == 201, response.json()
    assert client.get(f"{base}notes/").json()["count"] == 2
    bad = client.post(f"{base}exit-criteria/", {"threshold_type": "progress", "target_value": 9, "window": 2})
    assert bad.status_code == 400
    response = client.post(f"{base}exit-criteria/", {"threshold_type": "progress", "target_value": 4, "window": 2})
    assert response.status_code == 201
    evaluated = client.post(f"{base}evaluate/")
    assert evaluated.status_code == 200 and len(evaluated.json()) == 1
    assert client.post(f"{base}evaluate/").json() == []
    rec = evaluated.json()[0]
    assert rec["figures"][0]["met"] is True and rec["student"] == enrollment.student_id
    assert client.get("/api/interventions/recommendations/", {"status": "pending"}).json()["count"] == 1
    url = f"/api/interventions/recommendations/{rec['id']}/"
    stale = client.patch(url, {"status": "accepted", "version": 2}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 1
    accepted = client.patch(url, {"status": "accepted", "version": 1}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"


def test_api_notes_of_one_student_and_a_bad_student_is_a_400(client_for, counselor, school, program, enrollment):
    other = EnrollmentFactory(intervention=program, school=school)
    client = client_for(counselor)
    base = f"/api/interventions/programs/{program.pk}/notes/"
    for student in (enrollment.student_id, other.student_id, other.student_id):
        assert client.post(base, {"student": student, "note": "ok", "rating": 3}).status_code == 201
    mine = client.get(base, {"student": other.student_id}).json()
    assert mine["count"] == 2 and {row["student"] for row in mine["results"]} == {other.student_id}
    assert client.get(base).json()["count"] == 3
    for bad in ("x", "1.5", "-1", "99999999999999999999"):
        response = client.get(base, {"student": bad})
        assert response.status_code == 400, bad
        assert response.json() == {"student": ["A student id is a whole number."]}, bad


def test_api_lists_take_the_same_queries_for_few_rows_or_many(client_for, counselor, make_user, school, program):
    def grow(count):
        for index in range(count):
            enrollment = EnrollmentFactory(intervention=program, school=school)
            ProgressNote.objects.create(
                school=school,
                intervention=program,
                student=enrollment.student,
                note="n",
                rating=3,
                entered_by=make_user("teacher", school) if index % 2 else counselor,
                entered_at=timezone.now(),
            )
            criterion(program, "progress", 3, 1 + index % 5)
            other = InterventionFactory(school=school, owner=counselor)
            ExitRecommendation.objects.create(
                school=school,
                enrollment=EnrollmentFactory(intervention=other, school=school),
                figures=[],
                status="dismissed" if index % 2 else "pending",
                decided_by=counselor if index % 2 else None,
            )

    client = client_for(counselor)
    base = f"/api/interventions/programs/{program.pk}/"
    lists = [(f"{base}notes/", 3), (f"{base}exit-criteria/", 3), ("/api/interventions/recommendations/", 2)]
    grow(1)
    for url, queries in lists:  # (the program,) count, page
        with assert_query_count(queries):
            response = client.get(url)
        assert response.status_code == 200 and response.json()["count"] == 1
    grow(20)
    for url, queries in lists:
        with assert_query_count(queries):
            response = client.get(url, {"page_size": 100})
        assert response.status_code == 200 and len(response.json()["results"]) == 21


def test_api_roles_and_two_schools(client_for, teacher, form_master, other_admin, program, enrollment):
    base = f"/api/interventions/programs/{program.pk}/"
    assert client_for(teacher).get(f"{base}notes/").status_code == 403
    assert client_for(form_master).post(f"{base}evaluate/").status_code == 403
    assert client_for(teacher).get("/api/interventions/recommendations/").status_code == 403
    assert client_for(other_admin).get(f"{base}notes/").status_code == 404
    assert client_for(other_admin).get(f"/api/interventions/enrollments/{enrollment.pk}/progress/").status_code == 404
    assert client_for(other_admin).get("/api/interventions/recommendations/").json()["count"] == 0


def test_progress_chart_data_in_four_queries(client_for, counselor, school, program):
    enrollment = EnrollmentFactory(
        intervention=program,
        school=school,
        baseline=Decimal("2"),
        goal=Decimal("4"),
        goal_date=program.start_date + datetime.timedelta(days=42),
    )
    notes(enrollment, ratings=(2, 3, 3, 4))
    past = timezone.now() - datetime.timedelta(days=2)
    session = InterventionSessionFactory(
        intervention=program,
        school=school,
        start_time=past,
        end_time=past + datetime.timedelta(minutes=45),
        status="completed",
    )
    SessionAttendanceFactory(session=session, school=school, student=enrollment.student, status="present")
    InterventionSessionFactory(
        intervention=program,
        school=school,
        start_time=past - datetime.timedelta(days=1),
        end_time=past - datetime.timedelta(days=1, minutes=-45),
        status="cancelled",
    )
    AttendanceRecordFactory(school=school, student=enrollment.student, date=program.start_date, status="present")
    client = client_for(counselor)
    client.get(f"/api/interventions/enrollments/{enrollment.pk}/progress/")
    with assert_query_count(4):
        response = client.get(f"/api/interventions/enrollments/{enrollment.pk}/progress/")
    body = response.json()
    assert body["baseline"] == 2.0 and body["goal"] == 4.0 and len(body["points"]) == 4
    assert body["fidelity"] == {"planned": 2, "delivered": 1, "cancelled": 1, "delivered_pct": 50.0}
    assert body["session_attendance_pct"] == 100.0
    assert body["verdict"] == "not enough of the plan delivered to judge"
    assert body["trend"]["slope_per_week"] is not None
    assert body["attendance_weekly"][0]["rate"] == 100.0


# Pages
def test_progress_page_shows_verdict_figures_and_the_data_table(client, counselor, school, program):
    enrollment = EnrollmentFactory(
        intervention=program,
        school=school,
        baseline=Decimal("2"),
        goal=Decimal("4"),
        goal_date=program.start_date + datetime.timedelta(days=42),
    )
    notes(enrollment, ratings=(2, 3, 4, 5))
    client.force_login(counselor)
    html = client.get(f"/programs/enrollments/{enrollment.pk}/progress/").content.decode()
    assert 'id="progress-chart"' in html and 'id="progress-data"' in html and 'id="chart-table"' in html
    assert "On track" in html and "verdict-on" in html
    assert "<script>" not in html.replace("<script src=", "")  # no inline script
    profile = client.get(f"/students/{enrollment.student_id}/").content.decode()
    assert f"/programs/enrollments/{enrollment.pk}/progress/" in profile
    program_page = client.get(f"/programs/{program.pk}/").content.decode()
    assert f"/programs/enrollments/{enrollment.pk}/progress/" in program_page
    assert f"/students/{enrollment.student_id}/contact/?enrollment={enrollment.pk}" in program_page


def test_progress_page_takes_the_same_queries_for_few_notes_or_many(client, counselor, make_user, school, program):
    enrollment = EnrollmentFactory(intervention=program, school=school, baseline=Decimal("2"), goal=Decimal("4"))
    notes(enrollment, ratings=(2, 3))
    ExitRecommendation.objects.create(school=school, enrollment=enrollment, figures=[])
    client.force_login(counselor)
    url = f"/programs/enrollments/{enrollment.pk}/progress/"
    # session, user, enrollment, rated notes, delivery figures, school attendance, pending recommendations,
    # the latest notes with who wrote them
    with assert_query_count(8):
        page = client.get(url)
    assert page.status_code == 200 and page.content.decode().count('<li><small class="muted">') == 2
    for index in range(25):
        ProgressNote.objects.create(
            school=school,
            intervention=program,
            student=enrollment.student,
            note=f"Note {index}",
            rating=1 + index % 5,
            entered_by=make_user("teacher", school),
            entered_at=timezone.now() - datetime.timedelta(hours=index),
        )
    for offset in range(-14, 14):  # the weekly school attendance of the chart
        day = program.start_date + datetime.timedelta(days=offset)
        AttendanceRecordFactory(
            school=school, student=enrollment.student, date=day, status=("present", "absent")[day.day % 2]
        )
    with assert_query_count(8):
        page = client.get(url)
    assert page.status_code == 200 and page.content.decode().count('<li><small class="muted">') == 20  # the latest
    assert len(page.context["attendance_weekly"]) >= 3


def test_evaluate_now_takes_the_same_queries_for_few_enrollments_or_many(client, counselor, school, program):
    criterion(program, "progress", 3, 2)
    criterion(program, "attendance", 50, 2)

    def enroll(count):
        for _ in range(count):
            enrollment = EnrollmentFactory(intervention=program, school=school)
            notes(enrollment, ratings=(4, 4))
            days_marked(enrollment.student, ["present", "present"])

    client.force_login(counselor)
    for count in (2, 20):
        enroll(count)
        # session, user, program; savepoints (2), criteria, enrollments, notes, school attendance, earlier
        # recommendations, the new ones, their audit rows, releases (2)
        with assert_query_count(14):
            response = client.post(f"/programs/{program.pk}/evaluate/")
        assert response.status_code == 302
        assert ExitRecommendation.objects.filter(enrollment__intervention=program).count() == (2 if count == 2 else 22)


def test_progress_page_add_note_and_exit(client, counselor, school, program, enrollment):
    client.force_login(counselor)
    url = f"/programs/enrollments/{enrollment.pk}/progress/"
    client.post(url, {"action": "note", "note": "Reading faster", "rating": "4"})
    assert ProgressNote.objects.get().rating == 4
    response = client.post(url, {"action": "exit", "exit_reason": "", "version": 1}, follow=True)
    assert "This field is required." in response.content.decode()
    client.post(url, {"action": "exit", "exit_reason": "Moved away", "version": 1})
    enrollment.refresh_from_db()
    assert enrollment.status == "exited"


def test_progress_page_for_another_school_is_404_and_for_a_teacher_403(client, other_admin, teacher, enrollment):
    client.force_login(other_admin)
    assert client.get(f"/programs/enrollments/{enrollment.pk}/progress/").status_code == 404
    client.force_login(teacher)
    assert client.get(f"/programs/enrollments/{enrollment.pk}/progress/").status_code == 403


def test_program_page_lists_criteria_and_evaluates_now(client, counselor, program, enrollment):
    criterion(program, "progress", 3, 2)
    notes(enrollment, ratings=(4, 4))
    client.force_login(counselor)
    page = client.get(f"/programs/{program.pk}/").content.decode()
    assert "Mean rating ≥ 3 over the last 2 notes" in page and "Evaluate now" in page
    response = client.post(f"/programs/{program.pk}/evaluate/", follow=True)
    html = response.content.decode()
    assert "1 new exit recommendation." in html
    assert f"/programs/enrollments/{enrollment.pk}/progress/#rec-heading" in html
    assert (
        "No new exit recommendation." in client.post(f"/programs/{program.pk}/evaluate/", follow=True).content.decode()
    )


def test_profile_attendance_trend_marks_programs_and_meetings(client, school, admin_user, program, enrollment):
    import json

    from interventions.tests.factories import InterventionMeetingFactory

    student = enrollment.student
    AttendanceRecordFactory(school=school, student=student, date=program.start_date, status="present")
    InterventionMeetingFactory(school=school, student=student, meeting_date=program.start_date)
    client.force_login(admin_user)
    html = client.get(f"/students/{student.pk}/").content.decode()
    assert 'id="attendance-trend-chart"' in html
    start = html.index('id="attendance-trend-data"')
    data = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert {mark["label"] for mark in data["marks"]} == {"Meeting", f"{program.name} starts"}
    assert data["rates"] == [100.0]
