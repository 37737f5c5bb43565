"""Every write to admissions: inquiries, their follow-ups, status moves, enrolment and the nightly
missed-follow-up check. Each runs in one transaction with its audit rows, and recomputes the lead score
(students/admissions/scoring.py) in that same transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, QuerySet
from django.utils import timezone

from core import audit
from core.errors import ApplicationError, ConflictError, PermissionDeniedError
from core.locking import expect_version, versioned_update
from core.models import User
from core.permissions import PROGRAM_RUNNERS, has_role, owns, require_ownership
from core.selectors import correlated_count
from students.admissions import scoring
from students.admissions.models import FollowUp, Inquiry
from students.models import ClassGroup
from students.selectors import current_academic_year

Status = Inquiry.Status
Role = User.Role

INQUIRY_EDITABLE_FIELDS = (
    "counselor",
    "student_name",
    "phone",
    "email",
    "source",
    "status",
    "priority",
    "next_follow_up_date",
    "notes",
    "tags",
    "received_on",
)
SCORE_FIELDS = ("lead_score", "lead_score_parts", "scored_on")
OWNER_ONLY = "Only the counsellor who owns this inquiry, or an admin, may change it."

# Stages in pipeline order; enrolled and lost are both the end of the road.
STAGE_RANK = {
    Status.NEW: 0,
    Status.CONTACTED: 1,
    Status.FOLLOW_UP_SCHEDULED: 2,
    Status.ENROLLED: 3,
    Status.LOST: 3,
}


# Status moves: the one guard ---------------------------------------------------------------------


def status_move_error(*, current: str, new: str, enrolling: bool = False) -> str | None:
    """Why `current` → `new` is refused, or None when it is allowed. Status moves forward only
    (new → contacted → follow-up scheduled → enrolled or lost, skipping ahead allowed); a lost inquiry
    may be reopened to contacted; an enrolled one is final. Enrolled is reached only by enrolling, which
    creates the student."""
    if new not in Status.values:
        return f'"{new}" is not a valid status.'
    current_label, new_label = Status(current).label.lower(), Status(new).label.lower()
    if new == current:
        return f"The inquiry is already {current_label}."
    if current == Status.ENROLLED:
        return "An enrolled inquiry is final."
    if current == Status.LOST:
        return None if new == Status.CONTACTED else "A lost inquiry can only be reopened to contacted."
    if new == Status.ENROLLED and not enrolling:
        return "Use “Enrol” to enrol an inquiry: it creates the student."
    if STAGE_RANK[Status(new)] <= STAGE_RANK[Status(current)]:
        return f"An inquiry that is {current_label} cannot go back to {new_label}."
    return None


def validate_status_move(*, current: str, new: str, enrolling: bool = False) -> None:
    error = status_move_error(current=current, new=new, enrolling=enrolling)
    if error:
        raise ApplicationError(field_errors={"status": [error]})


def next_statuses(current: str) -> list[str]:
    """The statuses a person may move an inquiry to from `current` (by the select on the board)."""
    return [value for value in Status.values if status_move_error(current=current, new=value) is None]


def _moved(inquiry: Inquiry, new: str) -> dict[str, Any]:
    """The column changes of moving `inquiry` to `new` (already validated)."""
    changes: dict[str, Any] = {"status": new}
    if new == Status.LOST:
        changes["lost_at_stage"] = inquiry.status
    elif inquiry.status == Status.LOST:
        changes["lost_at_stage"] = ""
    return changes


# Who may change what --------------------------------------------------------------------------------


def can_edit_inquiry(actor, inquiry: Inquiry) -> bool:
    """Admins change every inquiry of their school; a counsellor the inquiries they own."""
    return has_role(actor, *PROGRAM_RUNNERS) and owns(actor, inquiry, owner_field="counselor")


def _require_edit(actor, inquiry: Inquiry) -> None:
    require_ownership(actor, inquiry, owner_field="counselor", message=OWNER_ONLY)
    if not has_role(actor, *PROGRAM_RUNNERS):
        raise PermissionDeniedError(OWNER_ONLY)


def _check_counselor(*, actor, school_id: int, counselor) -> None:
    if counselor is None:
        return
    if counselor.school_id != school_id or not counselor.is_active or counselor.role not in PROGRAM_RUNNERS:
        raise ApplicationError(field_errors={"counselor": ["Pick a counsellor or an admin of this school."]})
    if actor.role == Role.COUNSELOR and counselor.pk != actor.pk:
        raise ApplicationError(field_errors={"counselor": ["A counsellor records inquiries for themselves."]})


def _check_contact(*, phone: str, email: str) -> None:
    if not (phone or "").strip() and not (email or "").strip():
        raise ApplicationError(field_errors={"phone": ["Give a phone number or an email address."]})


# The score -----------------------------------------------------------------------------------------


def subject_count(inquiry: Inquiry) -> int:
    """How many subjects the family asked about (the score's interest-breadth part)."""
    return inquiry.interested_subjects.count() if inquiry.pk else 0


def _check_subjects(*, school_id: int, subjects) -> list:
    subjects = list(subjects or [])
    if any(subject.school_id != school_id for subject in subjects):
        raise ApplicationError(field_errors={"interested_subjects": ["Unknown subject."]})
    return subjects


def _with_subjects(snapshot: dict, inquiry: Inquiry) -> dict:
    """The audit snapshot plus the subjects (a many-to-many is not a column)."""
    return {**snapshot, "interested_subjects": sorted(inquiry.interested_subjects.values_list("pk", flat=True))}


def score_changes(
    inquiry: Inquiry, *, today: datetime.date, completed: int | None = None, subjects: int | None = None
) -> dict[str, Any]:
    """The score columns for `inquiry` as it stands in memory (its new values already set)."""
    if completed is None:
        completed = (
            FollowUp.objects.filter(inquiry_id=inquiry.pk, status=FollowUp.Status.COMPLETED).count()
            if inquiry.pk
            else 0
        )
    parts = scoring.lead_score_parts(
        source=inquiry.source,
        priority=inquiry.priority,
        received_on=inquiry.received_on,
        last_contacted_on=inquiry.last_contacted_on,
        completed_follow_ups=completed,
        subject_count=subject_count(inquiry) if subjects is None else subjects,
        today=today,
    )
    return {"lead_score": scoring.score_of(parts), "lead_score_parts": [p.as_dict() for p in parts], "scored_on": today}


def with_score_counts(inquiries: QuerySet[Inquiry]) -> QuerySet[Inquiry]:
    """Inquiries annotated with what their score counts besides their own columns (`completed_follow_ups`,
    `subject_total`), each a subquery: a nightly pass scores many without two reads each. The counts
    hold while the inquiry's version does: recording a follow-up or changing the subjects rescores it."""
    completed = FollowUp.objects.filter(inquiry_id=OuterRef("pk"), status=FollowUp.Status.COMPLETED)
    subjects = Inquiry.interested_subjects.through.objects.filter(inquiry_id=OuterRef("pk"))
    return inquiries.annotate(
        completed_follow_ups=correlated_count(completed, by="inquiry_id"),
        subject_total=correlated_count(subjects, by="inquiry_id"),
    )


def _counted(inquiry: Inquiry) -> dict[str, int]:
    """The counts `with_score_counts` put on `inquiry`, as `score_changes` takes them."""
    return {"completed": inquiry.completed_follow_ups, "subjects": inquiry.subject_total}


def _save(
    inquiry: Inquiry, *, version: int, changes: dict[str, Any], today: datetime.date, counts: dict | None = None
) -> None:
    """Apply `changes`, recompute the score (from `counts` when the caller read them: `_counted`) and write
    both with one versioned UPDATE."""
    for name, value in changes.items():
        setattr(inquiry, name, value)
    score = score_changes(inquiry, today=today, **(counts or {}))
    for name, value in score.items():
        setattr(inquiry, name, value)
    names = sorted({*changes, *score, "updated_at"})
    versioned_update(inquiry, version=version, fields=names)


# Inquiries ------------------------------------------------------------------------------------------


@transaction.atomic
def inquiry_create(*, actor, today: datetime.date | None = None, **data: Any) -> Inquiry:
    """A new inquiry of the actor's school; a counsellor's is theirs, an admin may name the counsellor."""
    if not has_role(actor, *PROGRAM_RUNNERS):
        raise PermissionDeniedError("Only admins and counsellors record inquiries.")
    today = today or timezone.localdate()
    counselor = data.pop("counselor", None)
    if counselor is None and actor.role == Role.COUNSELOR:
        counselor = actor
    _check_counselor(actor=actor, school_id=actor.school_id, counselor=counselor)
    _check_contact(phone=data.get("phone", ""), email=data.get("email", ""))
    if data.get("received_on") and data["received_on"] > today:
        raise ApplicationError(field_errors={"received_on": ["Cannot be in the future."]})
    subjects = _check_subjects(school_id=actor.school_id, subjects=data.pop("interested_subjects", None))
    fields = {k: v for k, v in data.items() if k in INQUIRY_EDITABLE_FIELDS and k != "status"}
    inquiry = Inquiry(school_id=actor.school_id, counselor=counselor, **fields)
    if inquiry.received_on is None:
        inquiry.received_on = today
    for name, value in score_changes(inquiry, today=today, completed=0, subjects=len(subjects)).items():
        setattr(inquiry, name, value)
    inquiry.save()
    inquiry.interested_subjects.set(subjects)
    audit.record(actor=actor, action="create", instance=inquiry, after=_with_subjects(audit.snapshot(inquiry), inquiry))
    return inquiry


@transaction.atomic
def inquiry_update(*, actor, inquiry: Inquiry, version: int, today: datetime.date | None = None, **changes) -> Inquiry:
    """Change an inquiry against the version the person saw (409 when stale); a status change must be a
    forward move (or lost → contacted)."""
    _require_edit(actor, inquiry)
    today = today or timezone.localdate()
    expect_version(inquiry, version)
    subjects = changes.pop("interested_subjects", None)
    changes = {k: v for k, v in changes.items() if k in INQUIRY_EDITABLE_FIELDS}
    if "counselor" in changes and changes["counselor"] != inquiry.counselor:
        if actor.role != Role.ADMIN:
            raise ApplicationError(field_errors={"counselor": ["Only an admin hands an inquiry to someone else."]})
        _check_counselor(actor=actor, school_id=inquiry.school_id, counselor=changes["counselor"])
    _check_contact(phone=changes.get("phone", inquiry.phone), email=changes.get("email", inquiry.email))
    if changes.get("received_on") and changes["received_on"] > today:
        raise ApplicationError(field_errors={"received_on": ["Cannot be in the future."]})
    new_status = changes.pop("status", inquiry.status)
    if new_status != inquiry.status:
        validate_status_move(current=inquiry.status, new=new_status)
        changes.update(_moved(inquiry, new_status))
    before = _with_subjects(audit.snapshot(inquiry), inquiry)
    if subjects is not None:
        # Set first (and locked in by the versioned UPDATE below: a stale version rolls it back).
        inquiry.interested_subjects.set(_check_subjects(school_id=inquiry.school_id, subjects=subjects))
    _save(inquiry, version=version, changes=changes, today=today)
    audit.record(
        actor=actor,
        action="update",
        instance=inquiry,
        before=before,
        after=_with_subjects(audit.snapshot(inquiry), inquiry),
    )
    return inquiry


def inquiry_move(*, actor, inquiry: Inquiry, status: str, version: int, today: datetime.date | None = None) -> Inquiry:
    """The board's select: a status move and nothing else (400 for the same or a backward status)."""
    _require_edit(actor, inquiry)
    validate_status_move(current=inquiry.status, new=status)
    return inquiry_update(actor=actor, inquiry=inquiry, version=version, status=status, today=today)


# Follow-ups -----------------------------------------------------------------------------------------


@transaction.atomic
def follow_up_create(
    *,
    actor,
    inquiry: Inquiry,
    follow_up_date: datetime.date,
    follow_up_type: str = FollowUp.Type.CALL,
    notes: str = "",
    next_follow_up_date: datetime.date | None = None,
    status: str = FollowUp.Status.COMPLETED,
    outcome: str = "",
    today: datetime.date | None = None,
) -> FollowUp:
    """Record a contact made (completed) or planned (pending) on an inquiry that is still open.

    A completed follow-up dates the last contact, moves a new inquiry to contacted, and fulfils the
    earliest planned (pending) follow-up dated on or before it: that row becomes the completed one. A next date (or a pending follow-up's
    own date) becomes the inquiry's next follow-up date and moves it on to follow-up scheduled."""
    _require_edit(actor, inquiry)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if status == FollowUp.Status.COMPLETED and follow_up_date > today:
        errors["follow_up_date"] = ["A completed follow-up cannot be in the future; record it as pending."]
    elif status == FollowUp.Status.PENDING and follow_up_date < today:
        errors["follow_up_date"] = ["A planned follow-up must be today or later."]
    elif status not in (FollowUp.Status.COMPLETED, FollowUp.Status.PENDING):
        errors["status"] = ["Record a follow-up as completed or pending; missed is set by the nightly check."]
    if next_follow_up_date is not None and next_follow_up_date <= follow_up_date:
        errors["next_follow_up_date"] = ["Must be after the follow-up's date."]
    if follow_up_type not in FollowUp.Type.values:
        errors["follow_up_type"] = [f'"{follow_up_type}" is not a valid type.']
    if errors:
        raise ApplicationError(field_errors=errors)
    # The row is locked so that two follow-ups recorded at once both count in the score.
    locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if not locked.is_open:
        raise ApplicationError(
            field_errors={"inquiry": [f"The inquiry is {locked.get_status_display().lower()}: reopen it first."]}
        )
    values = {
        "counselor": actor if actor.role in PROGRAM_RUNNERS else None,
        "follow_up_date": follow_up_date,
        "follow_up_type": follow_up_type,
        "notes": notes,
        "next_follow_up_date": next_follow_up_date,
        "status": status,
        "outcome": outcome,
    }
    planned = None
    if status == FollowUp.Status.COMPLETED:
        planned = (
            FollowUp.objects.filter(inquiry=locked, status=FollowUp.Status.PENDING, follow_up_date__lte=follow_up_date)
            .order_by("follow_up_date", "pk")
            .first()
        )
    if planned is not None:
        # The contact that was planned happened: the planned follow-up becomes this completed one.
        before_planned = audit.snapshot(planned)
        for name, value in values.items():
            setattr(planned, name, value)
        planned.notes = "\n".join(text for text in (before_planned["notes"], notes) if text)
        planned.save(update_fields=[*values])
        audit.record_update(actor=actor, instance=planned, before=before_planned)
        follow_up = planned
    else:
        follow_up = FollowUp.objects.create(school_id=locked.school_id, inquiry=locked, **values)
        audit.record_create(actor=actor, instance=follow_up)

    changes: dict[str, Any] = {}
    status_now = locked.status
    if status == FollowUp.Status.COMPLETED:
        if locked.last_contacted_on is None or follow_up_date > locked.last_contacted_on:
            changes["last_contacted_on"] = follow_up_date
        if status_now == Status.NEW:
            status_now = Status.CONTACTED
        if locked.next_follow_up_date and locked.next_follow_up_date <= follow_up_date:
            changes["next_follow_up_date"] = None  # the planned contact happened
    planned = next_follow_up_date if status == FollowUp.Status.COMPLETED else follow_up_date
    if planned is not None:
        changes["next_follow_up_date"] = planned
        if status_now in (Status.NEW, Status.CONTACTED):
            status_now = Status.FOLLOW_UP_SCHEDULED
    if status_now != locked.status:
        validate_status_move(current=locked.status, new=status_now)
        changes.update(_moved(locked, status_now))
    before = audit.snapshot(locked)
    _save(locked, version=locked.version, changes=changes, today=today)
    audit.record_update(actor=actor, instance=locked, before=before)
    # The caller's copy shows the new state too.
    for name in (*changes, *SCORE_FIELDS, "version", "updated_at"):
        setattr(inquiry, name, getattr(locked, name))
    return follow_up


@transaction.atomic
def mark_missed_follow_ups(*, today: datetime.date | None = None) -> int:
    """Pending follow-ups dated before `today` become missed (cron, nightly); their inquiries are
    rescored. Returns how many were marked. A second run the same day marks nothing."""
    today = today or timezone.localdate()
    overdue = list(
        FollowUp.objects.select_for_update()
        .filter(status=FollowUp.Status.PENDING, follow_up_date__lt=today)
        .order_by("pk")
    )
    if not overdue:
        return 0
    rows = []
    for follow_up in overdue:
        before = audit.snapshot(follow_up)
        follow_up.status = FollowUp.Status.MISSED
        rows.append(
            audit.entry(actor=None, action="update", instance=follow_up, before=before, after=audit.snapshot(follow_up))
        )
    FollowUp.objects.filter(pk__in=[f.pk for f in overdue]).update(status=FollowUp.Status.MISSED)
    audit.record_entries(rows)
    for inquiry in with_score_counts(Inquiry.objects.filter(pk__in={f.inquiry_id for f in overdue})).order_by("pk"):
        before = audit.snapshot(inquiry)
        try:
            with transaction.atomic():
                _save(inquiry, version=inquiry.version, changes={}, today=today, counts=_counted(inquiry))
                audit.record_update(actor=None, instance=inquiry, before=before)
        except ConflictError:
            pass  # a person changed it meanwhile, and their change rescored it
    return len(overdue)


# Enrolment ------------------------------------------------------------------------------------------


@transaction.atomic
def inquiry_enrol(
    *,
    actor,
    inquiry: Inquiry,
    class_group: ClassGroup,
    student_id: str,
    first_name: str = "",
    last_name: str = "",
    date_of_birth: datetime.date | None = None,
    gender: str = "",
    guardian_name: str = "",
    version: int | None = None,
    today: datetime.date | None = None,
):
    """Create the student from the inquiry (the family's phone and email become the guardian's contact)
    under the roster's rules — an admission number unique ignoring case, a form of the current academic
    year — mark the inquiry enrolled and link the two. All or nothing."""
    from students.services import student_create

    _require_edit(actor, inquiry)
    today = today or timezone.localdate()
    version = inquiry.version if version is None else version
    expect_version(inquiry, version)
    validate_status_move(current=inquiry.status, new=Status.ENROLLED, enrolling=True)
    errors: dict[str, list[str]] = {}
    year = current_academic_year(school_id=inquiry.school_id, on=today)
    if class_group is None or class_group.school_id != inquiry.school_id:
        errors["class_group"] = ["Unknown form."]
    elif year is None or class_group.academic_year_id != year.pk:
        errors["class_group"] = ["Pick a form of the current academic year."]
    student_id = (student_id or "").strip()
    if not student_id:
        errors["student_id"] = ["Give the admission number."]
    if not first_name.strip() or not last_name.strip():
        given, _, family = inquiry.student_name.strip().rpartition(" ")
        first_name = first_name.strip() or given or family
        last_name = last_name.strip() or (family if given else "")
    if not first_name or not last_name:
        errors["last_name"] = ["Give the student's first and last name."]
    if errors:
        raise ApplicationError(field_errors=errors)
    student = student_create(
        actor=actor,
        school_id=inquiry.school_id,
        student_id=student_id,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        date_of_birth=date_of_birth,
        gender=gender,
        class_group=class_group,
        guardian_name=guardian_name.strip(),
        guardian_phone=inquiry.phone,
        guardian_email=inquiry.email,
    )
    before = audit.snapshot(inquiry)
    changes = {**_moved(inquiry, Status.ENROLLED), "student": student, "next_follow_up_date": None}
    _save(inquiry, version=version, changes=changes, today=today)
    audit.record_update(actor=actor, instance=inquiry, before=before)
    return student


RESCORE_CHUNK = 500


def rescore_inquiries(*, today: datetime.date | None = None, school=None) -> int:
    """Recompute the score of the open inquiries whose score is of an earlier day (the recency part
    moves with the calendar); cron runs it after marking missed follow-ups. Returns how many changed.
    Each inquiry is its own transaction; one a person changes meanwhile is skipped (theirs rescored it)."""
    today = today or timezone.localdate()
    inquiries = Inquiry.objects.filter(status__in=Inquiry.OPEN_STATUSES).exclude(scored_on=today)
    if school is not None:
        inquiries = inquiries.filter(school=school)
    changed, unchanged = 0, []
    for inquiry in with_score_counts(inquiries).order_by("pk").iterator(chunk_size=RESCORE_CHUNK):
        score = score_changes(inquiry, today=today, **_counted(inquiry))
        if score["lead_score_parts"] == inquiry.lead_score_parts:
            unchanged.append(inquiry.pk)
            continue
        before = audit.snapshot(inquiry)
        try:
            with transaction.atomic():
                _save(inquiry, version=inquiry.version, changes={}, today=today, counts=_counted(inquiry))
                audit.record_update(actor=None, instance=inquiry, before=before)
            changed += 1
        except ConflictError:
            pass
    # The score still right today: only the day it was checked for moves on. Not a change of the
    # inquiry (no new version, nothing to audit), so the page a counsellor has open stays current.
    for start in range(0, len(unchanged), RESCORE_CHUNK):
        Inquiry.objects.filter(pk__in=unchanged[start : start + RESCORE_CHUNK]).update(scored_on=today)
    return changed
