"""Admissions services: status moves, the lead score, follow-ups, enrolment and missed follow-ups."""

import datetime
import io
import itertools

import pytest
import time_machine
from django.core.management import call_command

from core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from core.models import AuditLog
from core.testing.queries import assert_query_count
from students.admissions import scoring, services
from students.admissions.models import FollowUp, Inquiry
from students.models import Student
from students.tests.admissions_helpers import TODAY, days, new_inquiry
from students.tests.factories import AcademicYearFactory, ClassGroupFactory, StudentFactory

pytestmark = pytest.mark.django_db
Status = Inquiry.Status


@pytest.fixture(autouse=True)
def pinned_clock():
    with time_machine.travel(datetime.datetime(2026, 10, 14, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


# Status moves -------------------------------------------------------------------------------------

ALLOWED = {
    (Status.NEW, Status.CONTACTED),
    (Status.NEW, Status.FOLLOW_UP_SCHEDULED),
    (Status.NEW, Status.LOST),
    (Status.CONTACTED, Status.FOLLOW_UP_SCHEDULED),
    (Status.CONTACTED, Status.LOST),
    (Status.FOLLOW_UP_SCHEDULED, Status.LOST),
    (Status.LOST, Status.CONTACTED),
}


@pytest.mark.parametrize(("current", "new"), list(itertools.product(Status.values, Status.values)))
def test_every_status_move_is_allowed_or_refused_by_the_one_guard(counselor, current, new):
    """Forward moves (skipping ahead too) and lost → contacted are allowed; same, backward, out of
    enrolled, and to enrolled without enrolling are 400s that leave the row as it was."""
    inquiry = new_inquiry(counselor)
    Inquiry.objects.filter(pk=inquiry.pk).update(status=current)
    inquiry.refresh_from_db()
    if (current, new) in ALLOWED:
        services.inquiry_move(actor=counselor, inquiry=inquiry, status=new, version=inquiry.version, today=TODAY)
        inquiry.refresh_from_db()
        assert inquiry.status == new
        assert inquiry.version == 2
    else:
        with pytest.raises(ApplicationError) as refused:
            services.inquiry_move(actor=counselor, inquiry=inquiry, status=new, version=inquiry.version, today=TODAY)
        assert "status" in refused.value.field_errors
        inquiry.refresh_from_db()
        assert (inquiry.status, inquiry.version) == (current, 1)


def test_lost_remembers_its_stage_and_reopening_clears_it(counselor):
    inquiry = new_inquiry(counselor)
    services.inquiry_move(actor=counselor, inquiry=inquiry, status=Status.CONTACTED, version=1, today=TODAY)
    services.inquiry_move(actor=counselor, inquiry=inquiry, status=Status.LOST, version=2, today=TODAY)
    inquiry.refresh_from_db()
    assert inquiry.lost_at_stage == Status.CONTACTED
    services.inquiry_move(actor=counselor, inquiry=inquiry, status=Status.CONTACTED, version=3, today=TODAY)
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.lost_at_stage) == (Status.CONTACTED, "")


def test_a_stale_version_is_a_conflict(counselor):
    inquiry = new_inquiry(counselor)
    services.inquiry_update(actor=counselor, inquiry=inquiry, version=1, priority="high", today=TODAY)
    stale = Inquiry.objects.get(pk=inquiry.pk)
    stale.version = 1
    with pytest.raises(ConflictError) as exc:
        services.inquiry_update(actor=counselor, inquiry=stale, version=1, priority="low", today=TODAY)
    assert exc.value.current_version == 2


# The lead score -----------------------------------------------------------------------------------


def _sums(inquiry):
    return sum(part["points"] for part in inquiry.lead_score_parts)


def test_score_parts_sum_to_the_score_and_read_as_words(counselor):
    inquiry = new_inquiry(counselor, source="referral", priority="high", received_on=days(-14))
    inquiry.refresh_from_db()
    assert inquiry.lead_score_parts == [
        {"points": 20, "reason": "base"},
        {"points": 20, "reason": "referral"},
        {"points": 15, "reason": "high priority"},
        {"points": -10, "reason": "no contact for 14 days"},
    ]
    assert inquiry.lead_score == _sums(inquiry) == 45
    assert scoring.explain(inquiry.lead_score_parts) == (
        "+20 base, +20 referral, +15 high priority, −10 no contact for 14 days"
    )


def test_score_is_recomputed_with_every_change(counselor):
    inquiry = new_inquiry(counselor, source="website", priority="low", received_on=days(-40))
    inquiry.refresh_from_db()
    assert inquiry.lead_score == 20 + 10 - 20
    services.inquiry_update(actor=counselor, inquiry=inquiry, version=1, priority="high", today=TODAY)
    assert inquiry.lead_score == 20 + 10 + 15 - 20
    for n in range(5):
        services.follow_up_create(actor=counselor, inquiry=inquiry, follow_up_date=days(-n), today=TODAY)
    inquiry.refresh_from_db()
    reasons = [part["reason"] for part in inquiry.lead_score_parts]
    assert "contacted within 7 days" in reasons and "5 follow-ups completed" in reasons
    assert inquiry.lead_score == _sums(inquiry) == 20 + 10 + 15 + 10 + 20  # follow-ups capped at +20


@pytest.mark.parametrize(
    ("source", "priority", "received", "contacted", "completed", "subjects"),
    [
        ("referral", "high", 0, 0, 9, 9),
        ("social_media", "low", 90, None, 0, 0),
        ("walk_in", "medium", 20, 10, 2, 1),
        ("campaign", "high", 9, None, 0, 3),
    ],
)
def test_parts_always_sum_to_a_score_within_0_and_100(source, priority, received, contacted, completed, subjects):
    parts = scoring.lead_score_parts(
        source=source,
        priority=priority,
        received_on=days(-received),
        last_contacted_on=None if contacted is None else days(-contacted),
        completed_follow_ups=completed,
        subject_count=subjects,
        today=TODAY,
    )
    assert 0 <= scoring.score_of(parts) <= 100


def test_clamping_shows_as_a_part():
    over = scoring.clamp([scoring.Part(90, "a"), scoring.Part(30, "b")])
    assert over[-1] == scoring.Part(-20, "capped at 100") and scoring.score_of(over) == 100
    under = scoring.clamp([scoring.Part(5, "a"), scoring.Part(-25, "b")])
    assert under[-1] == scoring.Part(20, "raised to 0") and scoring.score_of(under) == 0


# Follow-ups ---------------------------------------------------------------------------------------


def test_a_completed_follow_up_moves_new_to_contacted_and_a_next_date_schedules(counselor):
    inquiry = new_inquiry(counselor)
    services.follow_up_create(actor=counselor, inquiry=inquiry, follow_up_date=TODAY, today=TODAY)
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.last_contacted_on) == (Status.CONTACTED, TODAY)
    services.follow_up_create(
        actor=counselor, inquiry=inquiry, follow_up_date=TODAY, next_follow_up_date=days(3), today=TODAY
    )
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.next_follow_up_date) == (Status.FOLLOW_UP_SCHEDULED, days(3))
    assert AuditLog.objects.filter(entity_type="students.followup", action="create").count() == 2


def test_follow_up_dates_are_checked(counselor):
    inquiry = new_inquiry(counselor)
    with pytest.raises(ApplicationError) as exc:
        services.follow_up_create(actor=counselor, inquiry=inquiry, follow_up_date=days(1), today=TODAY)
    assert "follow_up_date" in exc.value.field_errors
    with pytest.raises(ApplicationError):
        services.follow_up_create(
            actor=counselor, inquiry=inquiry, follow_up_date=days(-1), status="pending", today=TODAY
        )
    with pytest.raises(ApplicationError):
        services.follow_up_create(
            actor=counselor, inquiry=inquiry, follow_up_date=TODAY, next_follow_up_date=TODAY, today=TODAY
        )
    assert not FollowUp.objects.exists()


def test_pending_follow_ups_past_their_date_become_missed(counselor):
    inquiry = new_inquiry(counselor)
    planned = services.follow_up_create(
        actor=counselor, inquiry=inquiry, follow_up_date=days(2), status="pending", today=TODAY
    )
    kept = services.follow_up_create(
        actor=counselor, inquiry=inquiry, follow_up_date=days(5), status="pending", today=TODAY
    )
    assert services.mark_missed_follow_ups(today=days(2)) == 0  # due that day: not missed yet
    assert services.mark_missed_follow_ups(today=days(3)) == 1
    assert services.mark_missed_follow_ups(today=days(3)) == 0
    planned.refresh_from_db()
    kept.refresh_from_db()
    assert (planned.status, kept.status) == (FollowUp.Status.MISSED, FollowUp.Status.PENDING)
    entry = AuditLog.objects.filter(entity_type="students.followup", entity_id=str(planned.pk), action="update").get()
    assert (entry.before["status"], entry.after["status"]) == ("pending", "missed")
    inquiry.refresh_from_db()
    assert inquiry.scored_on == days(3)


def _missed_follow_up_queries(inquiries: int) -> int:
    # savepoint, the overdue follow-ups, their one UPDATE, their audit rows (one INSERT; SQLite takes 111 a
    # statement), their inquiries with what their scores count, release; then each inquiry is written on its
    # own, so that one a person changed meanwhile is skipped: savepoint, the UPDATE, its audit row, release.
    return 6 + 4 * inquiries


@pytest.mark.parametrize("inquiries", [1, 12])
def test_marking_missed_follow_ups_takes_fixed_reads_and_one_write_per_inquiry(counselor, inquiries):
    for n in range(inquiries):
        inquiry = new_inquiry(counselor, student_name=f"Kid {n}")
        for day in (days(1), days(2)):
            services.follow_up_create(
                actor=counselor, inquiry=inquiry, follow_up_date=day, status="pending", today=TODAY
            )
    with assert_query_count(_missed_follow_up_queries(inquiries)):
        assert services.mark_missed_follow_ups(today=days(3)) == 2 * inquiries
    assert FollowUp.objects.filter(status=FollowUp.Status.MISSED).count() == 2 * inquiries
    assert Inquiry.objects.filter(scored_on=days(3)).count() == inquiries
    with assert_query_count(3):  # savepoint, no overdue follow-up, release
        assert services.mark_missed_follow_ups(today=days(3)) == 0


def test_the_nightly_rescore_moves_the_recency_part_with_the_calendar(counselor, make_user, other_school):
    """Eight days on, an inquiry never contacted loses its "came in within 7 days" points: a new version
    and an audit row by nobody. One whose score is still right only has its day moved on (same version,
    no audit row); closed inquiries and, with `school=`, other schools are left alone."""
    moving = new_inquiry(counselor)
    steady = new_inquiry(counselor, student_name="Grace Hopper", received_on=days(5), today=days(5))
    lost = new_inquiry(counselor, student_name="Alan Turing")
    services.inquiry_move(actor=counselor, inquiry=lost, status=Status.LOST, version=lost.version, today=TODAY)
    lost.refresh_from_db()
    elsewhere = new_inquiry(make_user("counselor", other_school), student_name="Mary Somerville")
    audited, scored = AuditLog.objects.count(), moving.lead_score

    assert services.rescore_inquiries(today=days(8), school=counselor.school) == 1

    for inquiry in (moving, steady, lost, elsewhere):
        inquiry.refresh_from_db()
    assert "came in within 7 days" not in [part["reason"] for part in moving.lead_score_parts]
    assert (moving.lead_score, moving.version, moving.scored_on) == (scored - 10, 2, days(8))
    assert "came in within 7 days" in [part["reason"] for part in steady.lead_score_parts]
    assert (steady.version, steady.scored_on) == (1, days(8))
    assert (lost.version, lost.scored_on) == (2, TODAY)
    assert (elsewhere.version, elsewhere.scored_on) == (1, TODAY)
    assert AuditLog.objects.count() == audited + 1
    entry = AuditLog.objects.latest("id")
    assert (entry.entity_id, entry.actor_id, entry.before["lead_score"], entry.after["lead_score"]) == (
        str(moving.pk),
        None,
        scored,
        scored - 10,
    )
    # The same night for every school: the other school's inquiry; then nothing is left to do.
    assert services.rescore_inquiries(today=days(8)) == 1
    elsewhere.refresh_from_db()
    assert (elsewhere.version, elsewhere.scored_on) == (2, days(8))
    assert services.rescore_inquiries(today=days(8)) == 0
    assert AuditLog.objects.count() == audited + 2


@pytest.mark.parametrize(("inquiries", "changed"), [(1, 1), (12, 8)])
def test_the_nightly_rescore_scores_from_one_read_and_writes_each_changed_inquiry(
    counselor, school, inquiries, changed
):
    """What the score counts besides the inquiry's columns (completed follow-ups, subjects) comes with the
    inquiries in one query, and the score is the one a fresh count gives."""
    from students.academics.models import Subject

    maths, art = (Subject.objects.create(school=school, name=name, code=name[:4].upper()) for name in ("Maths", "Art"))
    for n in range(inquiries):
        inquiry = new_inquiry(counselor, student_name=f"Kid {n}", interested_subjects=[maths, art][: 1 + n % 2])
        for day in range(n % 3):
            services.follow_up_create(actor=counselor, inquiry=inquiry, follow_up_date=days(day), today=days(day))
    # The open inquiries with their counts; for each whose score changes (all but those contacted twice,
    # whose contact is still recent enough): savepoint, UPDATE, audit row, release; then one UPDATE moves
    # the day on for the others.
    with assert_query_count(1 + 4 * changed + (changed < inquiries)):
        assert services.rescore_inquiries(today=days(8)) == changed
    for inquiry in Inquiry.objects.all():
        fresh = services.score_changes(inquiry, today=days(8))
        assert (inquiry.lead_score, inquiry.lead_score_parts, inquiry.scored_on) == (
            fresh["lead_score"],
            fresh["lead_score_parts"],
            days(8),
        )
    reasons = {part["reason"] for inquiry in Inquiry.objects.all() for part in inquiry.lead_score_parts}
    assert "interested in 1 subject" in reasons
    assert inquiries == 1 or {"interested in 2 subjects", "1 follow-up completed", "2 follow-ups completed"} <= reasons


def test_the_nightly_command_marks_missed_follow_ups_and_rescores(counselor):
    inquiry = new_inquiry(counselor)
    services.follow_up_create(actor=counselor, inquiry=inquiry, follow_up_date=days(2), status="pending", today=TODAY)
    out = io.StringIO()
    call_command("mark_missed_follow_ups", "--date", days(9).isoformat(), stdout=out)
    assert out.getvalue().strip() == "Marked 1 follow-up(s) missed; 0 open inquiry score(s) changed with the day."
    inquiry.refresh_from_db()
    assert inquiry.scored_on == days(9)
    assert "came in within 7 days" not in [part["reason"] for part in inquiry.lead_score_parts]


def test_a_completed_follow_up_fulfils_the_planned_one(counselor):
    """The planned call, once made, is one completed follow-up (not two), and is never marked missed."""
    inquiry = new_inquiry(counselor)
    planned = services.follow_up_create(
        actor=counselor, inquiry=inquiry, follow_up_date=TODAY, status="pending", notes="Call back", today=TODAY
    )
    done = services.follow_up_create(
        actor=counselor, inquiry=inquiry, follow_up_date=TODAY, outcome="Booked a visit", today=TODAY
    )
    planned.refresh_from_db()
    assert done.pk == planned.pk
    assert (planned.status, planned.outcome, planned.notes) == (
        FollowUp.Status.COMPLETED,
        "Booked a visit",
        "Call back",
    )
    assert FollowUp.objects.count() == 1
    assert services.mark_missed_follow_ups(today=days(1)) == 0
    inquiry.refresh_from_db()
    assert "1 follow-up completed" in [part["reason"] for part in inquiry.lead_score_parts]


# Enrolment ----------------------------------------------------------------------------------------


@pytest.fixture
def current_form(school):
    year = AcademicYearFactory(school=school, name="2026/27", start_date=days(-40), end_date=days(250), is_current=True)
    return ClassGroupFactory(school=school, academic_year=year, name="Form 1A", grade_level=1)


def test_enrol_creates_the_student_with_the_guardians_contact_and_links_it(counselor, current_form):
    inquiry = new_inquiry(counselor, student_name="Grace Brewster Hopper")
    student = services.inquiry_enrol(
        actor=counselor, inquiry=inquiry, class_group=current_form, student_id="A2026-001", guardian_name="Mary"
    )
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.student_id, inquiry.next_follow_up_date) == (Status.ENROLLED, student.pk, None)
    assert (student.first_name, student.last_name, student.class_group) == ("Grace Brewster", "Hopper", current_form)
    assert (student.guardian_phone, student.guardian_email, student.guardian_name) == (
        "+44 7700 900111",
        "ada.family@example.org",
        "Mary",
    )
    assert AuditLog.objects.filter(entity_type="students.student", entity_id=str(student.pk), action="create").exists()
    with pytest.raises(ApplicationError):
        services.inquiry_enrol(actor=counselor, inquiry=inquiry, class_group=current_form, student_id="A2026-002")


def test_enrol_is_all_or_nothing_when_the_admission_number_is_taken(counselor, current_form, school):
    StudentFactory(school=school, student_id="a2026-001", class_group=current_form)
    inquiry = new_inquiry(counselor)
    audit_rows = AuditLog.objects.count()
    with pytest.raises(ApplicationError) as exc:
        services.inquiry_enrol(actor=counselor, inquiry=inquiry, class_group=current_form, student_id="A2026-001")
    assert "student_id" in exc.value.field_errors
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.student_id, inquiry.version) == (Status.NEW, None, 1)
    assert Student.objects.count() == 1
    assert AuditLog.objects.count() == audit_rows


def test_enrol_needs_a_form_of_the_current_year(counselor, current_form, school):
    old_year = AcademicYearFactory(
        school=school, name="2025/26", start_date=days(-400), end_date=days(-60), is_current=False
    )
    old_form = ClassGroupFactory(school=school, academic_year=old_year, name="Form 1A", grade_level=1)
    inquiry = new_inquiry(counselor)
    with pytest.raises(ApplicationError) as exc:
        services.inquiry_enrol(actor=counselor, inquiry=inquiry, class_group=old_form, student_id="N1")
    assert exc.value.field_errors == {"class_group": ["Pick a form of the current academic year."]}
    assert not Student.objects.exists()


# Who may change what ------------------------------------------------------------------------------


def test_a_counsellor_changes_only_their_own_inquiries(counselor, make_user, school, admin_user, other_admin):
    colleague = make_user("counselor", school, username="north-counselor-2")
    theirs = new_inquiry(colleague)
    with pytest.raises(PermissionDeniedError):
        services.inquiry_update(actor=counselor, inquiry=theirs, version=1, priority="high", today=TODAY)
    services.inquiry_update(actor=admin_user, inquiry=theirs, version=1, priority="high", today=TODAY)
    with pytest.raises(NotFoundError):
        services.inquiry_update(actor=other_admin, inquiry=theirs, version=2, priority="low", today=TODAY)
    with pytest.raises(ApplicationError):
        new_inquiry(counselor, counselor=colleague)


def test_an_inquiry_needs_a_way_to_reach_the_family(counselor):
    with pytest.raises(ApplicationError) as exc:
        new_inquiry(counselor, phone="", email="")
    assert "phone" in exc.value.field_errors


def test_interest_breadth_counts_in_the_score(counselor, school, other_school):
    from students.academics.models import Subject

    maths, art, music, drama = (
        Subject.objects.create(school=school, name=name, code=name[:4].upper())
        for name in ("Maths", "Art", "Music", "Drama")
    )
    inquiry = new_inquiry(counselor, interested_subjects=[maths, art])
    inquiry.refresh_from_db()
    assert {"points": 10, "reason": "interested in 2 subjects"} in inquiry.lead_score_parts
    services.inquiry_update(
        actor=counselor, inquiry=inquiry, version=1, interested_subjects=[maths, art, music, drama], today=TODAY
    )
    inquiry.refresh_from_db()
    assert {"points": 15, "reason": "interested in 4 subjects"} in inquiry.lead_score_parts  # capped at +15
    assert inquiry.lead_score == sum(part["points"] for part in inquiry.lead_score_parts)
    entry = AuditLog.objects.filter(entity_type="students.inquiry", action="update").get()
    assert (len(entry.before["interested_subjects"]), len(entry.after["interested_subjects"])) == (2, 4)
    foreign = Subject.objects.create(school=other_school, name="Latin", code="LAT")
    with pytest.raises(ApplicationError):
        services.inquiry_update(actor=counselor, inquiry=inquiry, version=2, interested_subjects=[foreign], today=TODAY)
    assert inquiry.interested_subjects.count() == 4
