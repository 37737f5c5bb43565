"""Every write to alerts: the scan that raises and resolves them, and people's status changes."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from core import audit
from core.errors import ApplicationError, ConflictError, PermissionDeniedError
from core.locking import expect_version, versioned_save
from core.models import School, User
from core.permissions import is_platform_operator
from core.services import bulk_insert, each_school, school_row_ensure
from interventions.alerts import detection
from interventions.models import Alert, AlertSettings
from students.models import Student

Status = Alert.Status
Role = User.Role
logger = logging.getLogger(__name__)

# The only status moves a person may make; resolved and dismissed are final.
ALLOWED_MOVES = {
    Status.OPEN: {Status.ACKNOWLEDGED, Status.RESOLVED, Status.DISMISSED},
    Status.ACKNOWLEDGED: {Status.RESOLVED, Status.DISMISSED},
    Status.RESOLVED: set(),
    Status.DISMISSED: set(),
}
FINAL_STATUSES = (Status.RESOLVED, Status.DISMISSED)
SCAN_RESOLUTION_KEY = "resolved_by_scan"


# Settings ------------------------------------------------------------------------------------------


def alert_settings_ensure(*, school: School) -> AlertSettings:
    """The school's thresholds; created with SPEC's defaults (and audited) when the school has none."""
    return school_row_ensure(AlertSettings, school=school)


# Status changes by people ----------------------------------------------------------------------------


def can_act_on_alert(actor, alert: Alert) -> bool:
    """Who may acknowledge, resolve or dismiss: the school's admins, the student's form master and the
    person the alert is assigned to. Counsellors read alerts but do not change them."""
    if actor is None or not actor.is_authenticated:
        return False
    if is_platform_operator(actor):
        return True
    if actor.school_id != alert.school_id:
        return False
    if actor.role == Role.ADMIN:
        return True
    if actor.role in (Role.FORM_MASTER, Role.TEACHER) and alert.assigned_to_id == actor.id:
        return True
    if actor.role == Role.FORM_MASTER:
        class_group = alert.student.class_group
        return class_group is not None and class_group.form_master_id == actor.id
    return False


def can_record_meeting_for(actor, alert: Alert) -> bool:
    """Meetings are recorded by the student's form master or an admin of the school."""
    if actor is None or not actor.is_authenticated or actor.school_id != alert.school_id:
        return False
    if actor.role == Role.ADMIN:
        return True
    class_group = alert.student.class_group
    return actor.role == Role.FORM_MASTER and class_group is not None and class_group.form_master_id == actor.id


def validate_status_move(*, current: str, new: str, note: str) -> None:
    if new not in Status.values:
        raise ApplicationError(field_errors={"status": [f'"{new}" is not a valid status.']})
    if new == current:
        raise ApplicationError(field_errors={"status": [f"The alert is already {Status(current).label.lower()}."]})
    if new not in ALLOWED_MOVES[Status(current)]:
        raise ApplicationError(
            field_errors={
                "status": [
                    f"An alert that is {Status(current).label.lower()} cannot become {Status(new).label.lower()}."
                ]
            }
        )
    if new == Status.DISMISSED and not note.strip():
        raise ApplicationError(field_errors={"note": ["Say why the alert is dismissed."]})


@transaction.atomic
def alert_change_status(*, actor, alert: Alert, status: str, version: int, note: str = "") -> Alert:
    """Acknowledge, resolve or dismiss an alert on behalf of a person, against the version they saw."""
    if not can_act_on_alert(actor, alert):
        raise PermissionDeniedError("You may not change this alert.")
    expect_version(alert, version)
    note = (note or "").strip()
    validate_status_move(current=alert.status, new=status, note=note)
    before = audit.snapshot(alert)
    alert.status = status
    if note:
        alert.note = note
    if status in FINAL_STATUSES:
        alert.resolved_at = timezone.now()
    versioned_save(alert, version=version)  # ConflictError if someone saved since it was read
    audit.record_update(actor=actor, instance=alert, before=before)
    return alert


@transaction.atomic
def alert_update_by_admin(*, actor, alert: Alert, before: dict) -> Alert:
    """Django admin saves: a status change follows the same rules as on the pages."""
    previous_status = before["status"]
    if alert.status != previous_status:
        validate_status_move(current=previous_status, new=alert.status, note=alert.note)
        if alert.status in FINAL_STATUSES and alert.resolved_at is None:
            alert.resolved_at = timezone.now()
    versioned_save(alert)  # at the version the admin's form was loaded at
    audit.record_update(actor=actor, instance=alert, before=before)
    return alert


# The scan ------------------------------------------------------------------------------------------


@dataclass
class ScanSummary:
    raised: int = 0
    still_open: int = 0
    updated: int = 0
    resolved: int = 0
    suppressed: int = 0
    schools: int = 0
    conflicts: int = 0
    raised_ids: list[int] = field(default_factory=list)

    def add(self, other: ScanSummary) -> None:
        for name in ("raised", "still_open", "updated", "resolved", "suppressed", "schools", "conflicts"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.raised_ids.extend(other.raised_ids)

    def __str__(self) -> str:
        return (
            f"raised {self.raised}, still open {self.still_open} ({self.updated} with new figures), "
            f"resolved {self.resolved}"
        )


def scan_school(*, school: School, as_of: datetime.date) -> ScanSummary:
    """Raise the alerts that the school's attendance calls for on as_of and resolve those that no
    longer hold. Idempotent: a second run on the same data writes nothing."""
    return _apply(school=school, as_of=as_of, student_ids=None)


def refresh_alerts_for_students(*, school: School, student_ids, as_of: datetime.date) -> ScanSummary:
    """The scan for a few students, right after their register was saved (so an alert shows that day).

    Runs after the register's commit: a database error here (a lock timeout while the nightly scan
    runs) is logged rather than failing a register that is already saved; the nightly scan catches up.
    """
    student_ids = sorted({int(pk) for pk in student_ids})
    if not student_ids:
        return ScanSummary()
    try:
        return _apply(school=school, as_of=as_of, student_ids=student_ids)
    except DatabaseError:
        logger.exception("Alert refresh failed for school %s, students %s", school.pk, student_ids)
        return ScanSummary()


def scan_schools(*, as_of: datetime.date, school_code: str | None = None, log=None) -> ScanSummary:
    """The daily scan over every school (or one), school by school so memory stays flat."""
    return each_school(
        lambda school: scan_school(school=school, as_of=as_of), total=ScanSummary(), school_code=school_code, log=log
    )


def _apply(*, school: School, as_of: datetime.date, student_ids) -> ScanSummary:
    summary = ScanSummary(schools=1)
    findings = detection.evaluate(school, as_of, student_ids, settings=alert_settings_ensure(school=school))
    with transaction.atomic():
        active = Alert.objects.filter(school=school, status__in=Alert.ACTIVE_STATUSES)
        if student_ids is not None:
            active = active.filter(student_id__in=student_ids)
        active_by_key = {(a.student_id, a.kind): a for a in active.order_by("student_id", "kind")}
        students = _students(school, student_ids)

        new_keys = sorted(key for key in findings if key not in active_by_key)
        closed_by_people = _closed_by_people(school, as_of, {key[0] for key in new_keys})
        to_raise = []
        for key in new_keys:
            finding = findings[key]
            closed_on = closed_by_people.get(key)
            if closed_on is not None and closed_on >= finding.episode_start:
                # A person closed an alert about this episode already: do not raise it again.
                summary.suppressed += 1
                continue
            to_raise.append(finding)
        _raise(school, to_raise, students, summary)

        for key, alert in active_by_key.items():
            finding = findings.get(key)
            status, form_master_id = students.get(alert.student_id, (None, None))
            if finding is None:
                _resolve(alert, as_of, summary, student_active=status == Student.Status.ACTIVE)
                continue
            summary.still_open += 1
            if (
                alert.severity != finding.severity
                or detection.figures(alert.details) != detection.figures(finding.details)
                or alert.assigned_to_id != form_master_id
            ):
                _refresh(alert, finding, form_master_id, summary)
    return summary


def _students(school, student_ids) -> dict[int, tuple[str, int | None]]:
    """student → (status, their form's form master) for the students the scan looks at (one query)."""
    students = Student.objects.filter(school=school)
    if student_ids is not None:
        students = students.filter(pk__in=student_ids)
    return {
        pk: (status, form_master_id)
        for pk, status, form_master_id in students.values_list("pk", "status", "class_group__form_master_id")
    }


def _closed_by_people(school, as_of, student_ids) -> dict[tuple[int, str], datetime.date]:
    """(student, kind) → the last day a person resolved or dismissed such an alert this year."""
    if not student_ids:
        return {}
    since = timezone.now() - datetime.timedelta(days=366)
    rows = (
        Alert.objects.filter(
            school=school, student_id__in=sorted(student_ids), status__in=FINAL_STATUSES, resolved_at__gte=since
        )
        .order_by("resolved_at")
        .values_list("student_id", "kind", "resolved_at", "details")
    )
    closed = {}
    for student_id, kind, resolved_at, details in rows:
        if isinstance(details, dict) and details.get(SCAN_RESOLUTION_KEY):
            continue
        closed[(student_id, kind)] = timezone.localdate(resolved_at)
    return closed


def _raise(school, findings: list[detection.Finding], students: dict, summary: ScanSummary) -> None:
    if not findings:
        return
    values = [
        {
            "school": school,
            "student_id": f.student_id,
            "kind": f.kind,
            "severity": f.severity,
            "details": f.details,
            "status": Status.OPEN,
            "assigned_to_id": students.get(f.student_id, (None, None))[1],
        }
        for f in findings
    ]
    try:
        with transaction.atomic():
            created = bulk_insert(
                Alert,
                [Alert(**fields) for fields in values],
                key=["student", "kind"],
                among=Alert.objects.filter(school=school, status__in=Alert.ACTIVE_STATUSES),
            )
    except IntegrityError:
        # Another scan raised some of these at the same moment: insert one by one, skipping theirs.
        created = []
        for fields in values:
            try:
                with transaction.atomic():
                    created.append(Alert.objects.create(**fields))
            except IntegrityError:
                summary.still_open += 1
    audit.record_created_rows(created)
    summary.raised += len(created)
    summary.raised_ids.extend(alert.pk for alert in created)


def _resolve(alert: Alert, as_of: datetime.date, summary: ScanSummary, *, student_active: bool) -> None:
    before = audit.snapshot(alert)
    alert.status = Status.RESOLVED
    alert.resolved_at = timezone.now()
    alert.details = {**alert.details, SCAN_RESOLUTION_KEY: as_of.isoformat()}
    if student_active:
        alert.note = f"Resolved automatically on {as_of:%d %b %Y}: the condition no longer holds."
    else:
        alert.note = f"Closed automatically on {as_of:%d %b %Y}: the student is no longer on the active roll."
    if _save_by_scan(alert, before, summary):
        summary.resolved += 1


def _refresh(alert: Alert, finding: detection.Finding, form_master_id: int | None, summary: ScanSummary) -> None:
    """New figures, severity or owner (the student changed form, the form changed form master) for an
    alert that still holds. Only the dates of a rolling window moving on is not a change."""
    before = audit.snapshot(alert)
    alert.severity = finding.severity
    alert.details = finding.details
    alert.assigned_to_id = form_master_id
    if _save_by_scan(alert, before, summary, update_fields=["severity", "details", "assigned_to", "updated_at"]):
        summary.updated += 1


def _save_by_scan(alert: Alert, before: dict, summary: ScanSummary, update_fields=None) -> bool:
    """The scan's versioned save of one alert with its audit row; False when a person changed the alert
    during the scan (the next scan looks again)."""
    try:
        with transaction.atomic():
            versioned_save(alert, update_fields=update_fields)
            audit.record_update(actor=None, instance=alert, before=before)
    except ConflictError:
        summary.conflicts += 1
        return False
    return True
