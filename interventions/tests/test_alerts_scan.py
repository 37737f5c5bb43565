"""The scan as a whole: idempotence, resolution, audit, the command, bulk query counts, concurrency."""

import datetime
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from core.locking import versioned_save
from core.models import AuditLog
from core.testing.queries import assert_query_count
from interventions.alerts.services import alert_change_status, refresh_alerts_for_students, scan_school
from interventions.models import Alert
from interventions.tests.alerts_helpers import day, make_form, make_student, mark, mark_days, school_days

Kind = Alert.Kind
Status = Alert.Status
RUN_DAYS = school_days(day("2026-11-16"), day("2026-11-18"))
AS_OF = day("2026-11-18")


@pytest.fixture(autouse=True)
def after_the_histories(time_machine):
    """The histories here are of autumn 2026: people close alerts, and scans run, after those days."""
    time_machine.move_to(datetime.datetime(2026, 11, 30, 10, tzinfo=datetime.UTC))


def absent_run(student, days=RUN_DAYS):
    """Present since the start of the year, then absent on `days`: only the consecutive-absences rule holds."""
    history = school_days(day("2026-09-01"), day("2026-11-13"))
    mark(student, {**dict.fromkeys(history, "present"), **dict.fromkeys(days, "absent")})


def alert_audit_rows(**filters):
    return AuditLog.objects.filter(entity_type="interventions.alert", **filters)


@pytest.mark.django_db
class TestScan:
    def test_raises_one_alert_with_an_audit_row_by_the_system(self, school, form_master):
        student = make_student(school, make_form(school, form_master=form_master))
        absent_run(student)

        summary = scan_school(school=school, as_of=AS_OF)

        alert = Alert.objects.get(student=student)
        assert (summary.raised, summary.still_open, summary.resolved) == (1, 0, 0)
        assert (alert.kind, alert.status, alert.version, alert.assigned_to) == (
            Kind.CONSECUTIVE_ABSENCES,
            Status.OPEN,
            1,
            form_master,
        )
        row = alert_audit_rows(entity_id=str(alert.pk)).get()
        assert (row.action, row.actor, row.school_id) == ("create", None, school.pk)
        assert row.after["kind"] == Kind.CONSECUTIVE_ABSENCES and row.after["status"] == "open"

    def test_a_second_run_changes_nothing(self, school):
        students = [make_student(school) for _ in range(3)]
        for student in students:
            absent_run(student)
        scan_school(school=school, as_of=AS_OF)
        alerts_before = list(Alert.objects.order_by("pk").values("pk", "version", "status", "details", "updated_at"))
        audit_before = AuditLog.objects.count()

        summary = scan_school(school=school, as_of=AS_OF)

        assert (summary.raised, summary.still_open, summary.updated, summary.resolved) == (0, 3, 0, 0)
        assert list(Alert.objects.order_by("pk").values("pk", "version", "status", "details", "updated_at")) == (
            alerts_before
        )
        assert AuditLog.objects.count() == audit_before

    def test_a_longer_run_updates_the_figures_of_the_open_alert(self, school):
        student = make_student(school)
        absent_run(student)
        scan_school(school=school, as_of=AS_OF)
        mark(student, {day("2026-11-19"): "absent"})

        summary = scan_school(school=school, as_of=day("2026-11-19"))

        alert = Alert.objects.get(student=student, kind=Kind.CONSECUTIVE_ABSENCES)
        assert summary.updated == 1
        assert (alert.details["days"], alert.details["last_date"], alert.version) == (4, "2026-11-19", 2)
        assert alert_audit_rows(entity_id=str(alert.pk), action="update").get().after["details"]["days"] == 4

    def test_an_alert_whose_condition_cleared_is_resolved_and_audited(self, school):
        student = make_student(school)
        absent_run(student)
        scan_school(school=school, as_of=AS_OF)
        alert = Alert.objects.get(student=student)
        mark(student, {day("2026-11-19"): "present"})

        summary = scan_school(school=school, as_of=day("2026-11-19"))

        alert.refresh_from_db()
        assert (summary.resolved, summary.still_open) == (1, 0)
        assert alert.status == Status.RESOLVED and alert.resolved_at is not None and alert.version == 2
        assert "no longer holds" in alert.note
        row = alert_audit_rows(entity_id=str(alert.pk), action="update").get()
        assert (row.actor, row.before["status"], row.after["status"]) == (None, "open", "resolved")
        # The condition returning later raises a new alert: the scan's own resolution suppresses nothing.
        mark_days(student, school_days(day("2026-11-20"), day("2026-11-24")), "absent")
        scan_school(school=school, as_of=day("2026-11-24"))
        assert Alert.objects.filter(student=student, kind=Kind.CONSECUTIVE_ABSENCES, status=Status.OPEN).count() == 1

    def test_an_acknowledged_alert_is_kept_open_and_resolved_when_it_clears(self, school, admin_user):
        student = make_student(school)
        absent_run(student)
        scan_school(school=school, as_of=AS_OF)
        alert = Alert.objects.get(student=student)
        alert_change_status(actor=admin_user, alert=alert, status=Status.ACKNOWLEDGED, version=1)

        assert scan_school(school=school, as_of=AS_OF).still_open == 1
        mark(student, {day("2026-11-19"): "late"})
        scan_school(school=school, as_of=day("2026-11-19"))
        alert.refresh_from_db()
        assert alert.status == Status.RESOLVED

    def test_a_dismissed_alert_is_not_raised_again_for_the_same_run(self, school, admin_user):
        student = make_student(school)
        absent_run(student)
        scan_school(school=school, as_of=AS_OF)
        alert = Alert.objects.get(student=student)
        alert_change_status(actor=admin_user, alert=alert, status=Status.DISMISSED, version=1, note="Family trip")
        mark(student, {day("2026-11-19"): "absent"})

        summary = scan_school(school=school, as_of=day("2026-11-19"))

        assert summary.suppressed == 1
        assert not Alert.objects.filter(
            student=student, kind=Kind.CONSECUTIVE_ABSENCES, status__in=Alert.ACTIVE_STATUSES
        ).exists()

    def test_a_student_who_leaves_has_their_alerts_resolved(self, school):
        student = make_student(school)
        absent_run(student)
        scan_school(school=school, as_of=AS_OF)
        student.status = "withdrawn"
        versioned_save(student)
        assert scan_school(school=school, as_of=AS_OF).resolved == 1

    def test_refresh_for_students_touches_only_those_students(self, school):
        first, second = make_student(school), make_student(school)
        absent_run(first)
        absent_run(second)

        summary = refresh_alerts_for_students(school=school, student_ids=[first.pk], as_of=AS_OF)

        assert summary.raised == 1
        assert list(Alert.objects.values_list("student_id", flat=True)) == [first.pk]
        assert refresh_alerts_for_students(school=school, student_ids=[], as_of=AS_OF).raised == 0

    def test_schools_are_scanned_apart(self, school, other_school):
        ours, theirs = make_student(school), make_student(other_school)
        absent_run(ours)
        absent_run(theirs)
        scan_school(school=school, as_of=AS_OF)
        assert list(Alert.objects.values_list("school_id", "student_id")) == [(school.pk, ours.pk)]
        scan_school(school=other_school, as_of=AS_OF)
        assert Alert.objects.get(student=theirs).school_id == other_school.pk

    @pytest.mark.parametrize("students", [2, 40])
    def test_the_scan_runs_the_same_queries_for_few_and_many_students(self, school, students):
        form = make_form(school)
        for _ in range(students):
            absent_run(make_student(school, form))
        # settings (created: 3, with its audit row), calendar (2), 6 rules (+ the behaviour letters' risk
        # settings), active alerts, students, closed alerts, one INSERT of alerts, one of audit rows, savepoints (6)
        with assert_query_count(23):
            summary = scan_school(school=school, as_of=AS_OF)
        assert summary.raised == students
        # settings, calendar (2), 6 rules (+ risk settings), active alerts, students, savepoints (2)
        with assert_query_count(14):
            assert scan_school(school=school, as_of=AS_OF).raised == 0


@pytest.mark.django_db
class TestCommand:
    def test_scans_every_school_and_prints_a_summary(self, school, other_school):
        absent_run(make_student(school))
        absent_run(make_student(other_school))
        out = StringIO()

        call_command("scan_recurring_absences", "--date", "2026-11-18", stdout=out)

        assert Alert.objects.count() == 2
        assert "north: raised 1, still open 0" in out.getvalue()
        assert "Scanned 2 schools for 2026-11-18: 2 raised, 0 still open, 0 resolved." in out.getvalue()
        out = StringIO()
        call_command("scan_recurring_absences", "--date", "2026-11-18", "--school", "north", stdout=out)
        assert "Scanned 1 school for 2026-11-18: 0 raised, 1 still open, 0 resolved." in out.getvalue()

    def test_bad_arguments_are_refused(self, school):
        with pytest.raises(CommandError, match="YYYY-MM-DD"):
            call_command("scan_recurring_absences", "--date", "18/11/2026")
        with pytest.raises(CommandError, match="No school"):
            call_command("scan_recurring_absences", "--school", "nowhere")


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_raise_one_alert_per_student_and_kind(school):
    """Two processes scanning the same school at the same moment: the unique constraint on active
    alerts decides, and the loser skips the rows the winner inserted."""
    form = make_form(school)
    students = [make_student(school, form) for _ in range(20)]
    for student in students:
        absent_run(student)
    barrier = threading.Barrier(2)
    errors, summaries = [], []

    def run():
        try:
            barrier.wait()
            summaries.append(scan_school(school=school, as_of=AS_OF))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert connection.vendor == "mysql"
    # Between them the two runs raised each alert once; the other run counted it as already open.
    assert sum(s.raised for s in summaries) == 20
    assert sum(s.raised + s.still_open for s in summaries) == 40
    assert Alert.objects.filter(status=Status.OPEN).count() == 20
    assert set(Alert.objects.values_list("student_id", "kind")) == {(s.pk, Kind.CONSECUTIVE_ABSENCES) for s in students}
    assert alert_audit_rows(action="create").count() == 20
