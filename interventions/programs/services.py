"""Every write to intervention programs: rules, versioned update, audit row, one transaction each.

Seed 001's events are the audit rows' actions: `intervention_created` (a program made),
`session_scheduled` (a session booked or moved), `enrollment_changed` (a student enrolled, withdrawn
or exited) and `attendance_recorded` (a session's attendance taken).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from attendance.selectors import holiday_dates
from core import audit
from core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from core.listeners import emit_on_commit
from core.locking import conflict, expect_version, versioned_update
from core.models import User, allowed_next_statuses
from core.permissions import PROGRAM_RUNNERS, STAFF, require_role
from core.services import bulk_insert, bulk_upsert
from interventions.models import (
    Alert,
    Enrollment,
    Intervention,
    InterventionMeeting,
    InterventionSession,
    InterventionTemplate,
    SessionAttendance,
)
from interventions.programs import access, scheduling
from interventions.programs.events import ENROLLMENT_LEFT
from interventions.programs.selectors import eligible_enrollments

Program = Intervention
Session = InterventionSession
Template = InterventionTemplate

INTERVENTION_CREATED = "intervention_created"
SESSION_SCHEDULED = "session_scheduled"
ENROLLMENT_CHANGED = "enrollment_changed"
ATTENDANCE_RECORDED = "attendance_recorded"

MAX_SERIES = 200
MAX_NOTES = 500

TEMPLATE_FIELDS = (
    "name",
    "description",
    "frequency",
    "sessions_per_week",
    "duration_minutes",
    "location_type",
    "default_facilitator_role",
    "progress_metric",
    "tier",
    "default_weeks",
)
PROGRAM_EDITABLE_FIELDS = ("name", "objective", "tier", "start_date", "end_date", "status", "owner")
# What a program copies from its template when it is made.
COPIED_FROM_TEMPLATE = ("tier", "duration_minutes", "sessions_per_week", "progress_metric", "location_type")


def _errors(**messages) -> ApplicationError:
    return ApplicationError(field_errors={name: [text] for name, text in messages.items()})


def _require_manager(actor, program: Program) -> None:
    if program.school_id != actor.school_id:
        raise NotFoundError()
    if not access.can_manage_program(actor, program):
        raise PermissionDeniedError("Only the program's owner or an admin may change this program.")


def illegal_move_message(row, new_status: str) -> str:
    allowed = allowed_next_statuses(row)
    noun = type(row)._meta.verbose_name
    if not allowed:
        return f"A {row.status} {noun} cannot change status."
    return f"Cannot move a {noun} from {row.status} to {new_status}. Allowed: {', '.join(allowed)}."


# Templates
def _check_template(values: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    ranges = {"sessions_per_week": (1, 5), "duration_minutes": (5, 240), "default_weeks": (1, 12)}
    for name, (low, high) in ranges.items():
        if name in values and not (isinstance(values[name], int) and low <= values[name] <= high):
            errors[name] = [f"Must be between {low} and {high}."]
    if "name" in values and not (values["name"] or "").strip():
        errors["name"] = ["This field may not be blank."]
    choices = {
        "frequency": Template._meta.get_field("frequency").choices,
        "location_type": Template._meta.get_field("location_type").choices,
        "progress_metric": Template._meta.get_field("progress_metric").choices,
        "default_facilitator_role": User.Role.choices,
        "tier": Template._meta.get_field("tier").choices,
    }
    for name, options in choices.items():
        if name in values and values[name] not in [value for value, _ in options]:
            errors[name] = [f"“{values[name]}” is not a valid choice."]
    return errors


@transaction.atomic
def template_create(*, actor, **values) -> Template:
    require_role(actor, *PROGRAM_RUNNERS)
    unknown = set(values) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ApplicationError(field_errors={name: ["Unknown field."] for name in sorted(unknown)})
    errors = _check_template(values)
    if errors:
        raise ApplicationError(field_errors=errors)
    values["name"] = values["name"].strip()
    template = Template.objects.create(school_id=actor.school_id, **values)
    audit.record_create(actor=actor, instance=template)
    return template


@transaction.atomic
def template_update(*, actor, template: Template, version: int, **changes) -> Template:
    """Change a template read at `version`. Programs made from it keep what they copied."""
    require_role(actor, *PROGRAM_RUNNERS)
    if template.school_id != actor.school_id:
        raise NotFoundError()
    unknown = set(changes) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ApplicationError(field_errors={name: ["This field cannot be changed."] for name in sorted(unknown)})
    errors = _check_template(changes)
    if errors:
        raise ApplicationError(field_errors=errors)
    expect_version(template, version)
    changed = {name: value for name, value in changes.items() if value != getattr(template, name)}
    if not changed:
        return template
    before = audit.snapshot(template)
    if "name" in changed:
        changed["name"] = changed["name"].strip()
    versioned_update(template, version=version, updated_at=timezone.now(), **changed)
    audit.record_update(actor=actor, instance=template, before=before)
    return template


# Programs
def _check_program_dates(start_date, end_date) -> dict[str, list[str]]:
    if start_date and end_date and end_date < start_date:
        return {"end_date": ["The end date cannot be before the start date."]}
    return {}


@transaction.atomic
def program_create(
    *,
    actor,
    name: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    objective: str = "",
    template: Template | None = None,
    tier: int | None = None,
    owner=None,
    status: str = Program.Status.DRAFT,
) -> Program:
    """Make a program, copying the template's shape (its length, metric, tier and weeks)."""
    require_role(actor, *PROGRAM_RUNNERS)
    owner = owner or actor
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = ["This field may not be blank."]
    if template is not None and template.school_id != actor.school_id:
        errors["template"] = ["No such template."]
    if owner.school_id != actor.school_id or owner.role not in PROGRAM_RUNNERS or not owner.is_active:
        errors["owner"] = ["The owner must be a counsellor or an admin of this school."]
    elif owner.pk != actor.pk and actor.role != User.Role.ADMIN:
        errors["owner"] = ["Only an admin makes a program for someone else."]
    if status not in Program.OPEN_STATUSES:
        errors["status"] = ["A new program starts as draft or active."]
    if tier is not None and tier not in (2, 3):
        errors["tier"] = ["The tier is 2 or 3."]
    copied = {name_: getattr(template, name_) for name_ in COPIED_FROM_TEMPLATE} if template is not None else {}
    if end_date is None:
        weeks = template.default_weeks if template is not None else 6
        end_date = start_date + datetime.timedelta(weeks=weeks, days=-1)
    errors.update(_check_program_dates(start_date, end_date))
    if errors:
        raise ApplicationError(field_errors=errors)
    if tier is not None:
        copied["tier"] = tier
    program = Program.objects.create(
        school_id=actor.school_id,
        name=name.strip(),
        objective=(objective or "").strip(),
        owner=owner,
        template=template,
        start_date=start_date,
        end_date=end_date,
        status=status,
        **copied,
    )
    audit.record(actor=actor, action=INTERVENTION_CREATED, instance=program, after=audit.snapshot(program))
    return program


def program_update(*, actor, program: Program, version: int, **changes) -> Program:
    return scheduling.serialised(_program_update, actor=actor, program_id=program.pk, version=version, **changes)


def _program_update(*, actor, program_id: int, version: int, **changes) -> Program:
    """Change a program read at `version`; a status change must be an allowed move. Completing or
    cancelling a program cancels its sessions that have not started, so they book nobody any more."""
    program = scheduling.lock_program(program_id)
    _require_manager(actor, program)
    unknown = set(changes) - set(PROGRAM_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(field_errors={name: ["This field cannot be changed."] for name in sorted(unknown)})
    expect_version(program, version)
    changed = {name: value for name, value in changes.items() if value != getattr(program, name)}
    if "owner" in changed:
        owner = changed["owner"]
        if actor.role != User.Role.ADMIN:
            raise PermissionDeniedError("Only an admin hands a program to another owner.")
        if owner.school_id != actor.school_id or owner.role not in PROGRAM_RUNNERS or not owner.is_active:
            raise _errors(owner="The owner must be a counsellor or an admin of this school.")
    if not changed:
        return program
    errors: dict[str, list[str]] = {}
    new_status = changed.get("status", program.status)
    if "status" in changed:
        if new_status not in Program.Status.values:
            errors["status"] = [f"“{new_status}” is not a valid choice."]
        elif not program.can_move_to(new_status):
            errors["status"] = [illegal_move_message(program, new_status)]
    elif program.status not in Program.OPEN_STATUSES:
        errors["status"] = [f"A {program.status} program cannot be changed."]
    if "name" in changed and not (changed["name"] or "").strip():
        errors["name"] = ["This field may not be blank."]
    if "tier" in changed and changed["tier"] not in (2, 3):
        errors["tier"] = ["The tier is 2 or 3."]
    start_date = changed.get("start_date", program.start_date)
    end_date = changed.get("end_date", program.end_date)
    errors.update(_check_program_dates(start_date, end_date))
    if not errors and ("start_date" in changed or "end_date" in changed):
        outside = (
            Session.objects.filter(intervention=program)
            .exclude(status=Session.Status.CANCELLED)
            .filter(Q(start_time__date__lt=start_date) | Q(start_time__date__gt=end_date))
            .count()
        )
        if outside:
            errors["end_date" if "end_date" in changed else "start_date"] = [
                f"{outside} session(s) would fall outside the program's dates; move or cancel them first."
            ]
    if errors:
        raise ApplicationError(field_errors=errors)
    before = audit.snapshot(program)
    for text in ("name", "objective"):
        if text in changed:
            changed[text] = (changed[text] or "").strip()
    if "owner" in changed:
        changed["owner_id"] = changed.pop("owner").pk
    versioned_update(program, version=version, updated_at=timezone.now(), **changed)
    program.refresh_from_db()
    audit.record_update(actor=actor, instance=program, before=before)
    if new_status in (Program.Status.COMPLETED, Program.Status.CANCELLED) and "status" in changed:
        _cancel_unstarted_sessions(actor=actor, program=program, reason=f"The program was {new_status}.")
    return program


def _cancel_unstarted_sessions(*, actor, program: Program, reason: str) -> int:
    now = timezone.now()
    sessions = list(Session.objects.filter(intervention=program, status=Session.Status.SCHEDULED, start_time__gt=now))
    if not sessions:
        return 0
    befores = {s.pk: audit.snapshot(s) for s in sessions}
    Session.objects.filter(pk__in=list(befores)).update(
        status=Session.Status.CANCELLED, cancel_reason=reason[:300], version=F("version") + 1, updated_at=now
    )
    rows = []
    for session in Session.objects.filter(pk__in=list(befores)):
        rows.append(
            audit.entry(
                actor=actor,
                action="update",
                instance=session,
                before=befores[session.pk],
                after=audit.snapshot(session),
            )
        )
    return audit.record_entries(rows)


# Sessions
def _school_day_errors(*, program: Program, starts: list[datetime.datetime], holidays: dict) -> list[str]:
    problems = []
    for start in starts:
        day = timezone.localtime(start).date()
        if day.weekday() >= 5:
            problems.append(f"{day:%a %d %b %Y} is a weekend, not a school day.")
        elif day in holidays:
            problems.append(f"{day:%a %d %b %Y} is a holiday ({holidays[day]}), not a school day.")
        elif not (program.start_date <= day <= program.end_date):
            problems.append(
                f"{day:%a %d %b %Y} is outside the program's dates "
                f"({program.start_date:%d %b %Y} – {program.end_date:%d %b %Y})."
            )
    return problems


def _check_facilitator(actor, facilitator) -> None:
    if (
        facilitator is None
        or facilitator.school_id != actor.school_id
        or facilitator.role not in STAFF
        or not facilitator.is_active
    ):
        raise _errors(facilitator="The facilitator must be a member of staff of this school.")


def _enrolled_student_ids(program_id: int) -> list[int]:
    return list(
        Enrollment.objects.filter(intervention_id=program_id, status=Enrollment.Status.ACTIVE)
        .order_by("student_id")
        .values_list("student_id", flat=True)
    )


def _raise_clashes(clashes: list[scheduling.Clash], field: str = "start_time") -> None:
    if clashes:
        raise ApplicationError(field_errors={field: [clash.message() for clash in clashes]})


def _book(
    *,
    actor,
    program: Program,
    intervals: list[tuple[datetime.datetime, datetime.datetime]],
    location: str,
    facilitator,
    exclude_session_ids: Iterable[int] = (),
    field: str = "start_time",
) -> None:
    """Lock what `intervals` book and refuse when any of them clashes (see `scheduling`)."""
    student_ids = _enrolled_student_ids(program.pk)
    keys = scheduling.lock_keys(facilitator_ids=[facilitator.pk], locations=[location], student_ids=student_ids)
    scheduling.lock(school_id=program.school_id, keys=keys)
    _raise_clashes(
        scheduling.find_clashes(
            school_id=program.school_id,
            intervals=intervals,
            facilitator=facilitator,
            location=location,
            student_ids=student_ids,
            exclude_session_ids=exclude_session_ids,
        ),
        field,
    )


def _prepare_booking(*, program: Program, location: str, facilitator) -> None:
    keys = scheduling.lock_keys(
        facilitator_ids=[facilitator.pk], locations=[location], student_ids=_enrolled_student_ids(program.pk)
    )
    scheduling.prepare(school_id=program.school_id, keys=keys)


def _check_session_times(program: Program, start: datetime.datetime, end: datetime.datetime) -> None:
    """One session of an open program: it ends after it starts, on the same day, a school day of the program."""
    _open_program(program)
    if end <= start:
        raise _errors(end_time="The session must end after it starts.")
    if timezone.localtime(end).date() != timezone.localtime(start).date():
        raise _errors(end_time="A session starts and ends on the same day.")
    day = timezone.localtime(start).date()
    holidays = holiday_dates(school_id=program.school_id, start=day, end=day)
    problems = _school_day_errors(program=program, starts=[start], holidays=holidays)
    if problems:
        raise ApplicationError(field_errors={"start_time": problems})


def _open_program(program: Program) -> None:
    if program.status not in Program.OPEN_STATUSES:
        raise _errors(intervention=f"A {program.status} program takes no new sessions.")


def session_create(
    *, actor, program: Program, start_time: datetime.datetime, end_time: datetime.datetime, location: str, facilitator
) -> Session:
    _check_facilitator(actor, facilitator)
    _prepare_booking(program=program, location=location, facilitator=facilitator)
    return scheduling.serialised(
        _session_create,
        actor=actor,
        program_id=program.pk,
        start_time=start_time,
        end_time=end_time,
        location=(location or "").strip(),
        facilitator=facilitator,
    )


def _session_create(*, actor, program_id, start_time, end_time, location, facilitator) -> Session:
    program = scheduling.lock_program(program_id)
    _require_manager(actor, program)
    _check_session_times(program, start_time, end_time)
    _book(actor=actor, program=program, intervals=[(start_time, end_time)], location=location, facilitator=facilitator)
    session = Session.objects.create(
        school_id=program.school_id,
        intervention=program,
        start_time=start_time,
        end_time=end_time,
        location=location,
        facilitator=facilitator,
    )
    audit.record(actor=actor, action=SESSION_SCHEDULED, instance=session, after=audit.snapshot(session))
    return session


@dataclass
class SeriesRequest:
    date_from: datetime.date
    date_to: datetime.date
    weekdays: list[int]
    start: datetime.time
    location: str
    facilitator: User


def series_starts(*, request: SeriesRequest, holidays: dict) -> list[datetime.datetime]:
    """The start of each session of the series: the chosen weekdays from `date_from` to `date_to`,
    weekends and holidays skipped, at `start` local time."""
    tz = timezone.get_current_timezone()
    starts, day = [], request.date_from
    while day <= request.date_to:
        if day.weekday() in request.weekdays and day.weekday() < 5 and day not in holidays:
            starts.append(timezone.make_aware(datetime.datetime.combine(day, request.start), tz))
        day += datetime.timedelta(days=1)
    return starts


def sessions_generate(*, actor, program: Program, request: SeriesRequest) -> list[Session]:
    """A series of sessions of the program's length, all or nothing: every clash is listed, with its
    date and what it clashes with, and then nothing is written. A fixed number of queries whatever
    the length of the series."""
    _check_facilitator(actor, request.facilitator)
    errors: dict[str, list[str]] = {}
    if not request.weekdays or any(d not in range(5) for d in request.weekdays):
        errors["weekdays"] = ["Pick school weekdays: 0 (Monday) to 4 (Friday)."]
    if request.date_to < request.date_from:
        errors["to"] = ["The end of the series cannot be before its start."]
    elif (request.date_to - request.date_from).days > 366:
        errors["to"] = ["A series spans at most a year."]
    if errors:
        raise ApplicationError(field_errors=errors)
    request.location = (request.location or "").strip()
    _prepare_booking(program=program, location=request.location, facilitator=request.facilitator)
    return scheduling.serialised(_sessions_generate, actor=actor, program_id=program.pk, request=request)


def _sessions_generate(*, actor, program_id: int, request: SeriesRequest) -> list[Session]:
    program = scheduling.lock_program(program_id)
    _require_manager(actor, program)
    _open_program(program)
    if request.date_from < program.start_date or request.date_to > program.end_date:
        raise _errors(
            **{
                "from" if request.date_from < program.start_date else "to": (
                    f"The series must lie within the program's dates "
                    f"({program.start_date:%d %b %Y} – {program.end_date:%d %b %Y})."
                )
            }
        )
    holidays = holiday_dates(school_id=program.school_id, start=request.date_from, end=request.date_to)
    starts = series_starts(request=request, holidays=holidays)
    if not starts:
        raise _errors(weekdays="No school day in that range falls on the chosen weekdays.")
    if len(starts) > MAX_SERIES:
        raise _errors(to=f"A series has at most {MAX_SERIES} sessions; this one would have {len(starts)}.")
    length = datetime.timedelta(minutes=program.duration_minutes)
    intervals = [(start, start + length) for start in starts]
    _book(
        actor=actor,
        program=program,
        intervals=intervals,
        location=request.location,
        facilitator=request.facilitator,
        field="sessions",
    )
    sessions = [
        Session(
            school_id=program.school_id,
            intervention=program,
            start_time=start,
            end_time=end,
            location=request.location,
            facilitator=request.facilitator,
        )
        for start, end in intervals
    ]
    bulk_insert(
        Session,
        sessions,
        key=["intervention", "start_time"],
        among=Session.objects.exclude(status=Session.Status.CANCELLED),
    )
    audit.record_entries(
        [
            audit.entry(actor=actor, action=SESSION_SCHEDULED, instance=session, after=audit.snapshot(session))
            for session in sessions
        ]
    )
    return sessions


SESSION_EDITABLE_FIELDS = ("start_time", "end_time", "location", "facilitator", "status", "cancel_reason")


def session_update(*, actor, session: Session, version: int, **changes) -> Session:
    """Reschedule (times, location, facilitator: the same overlap rules) or cancel a session read at
    `version`. A session becomes completed only by taking its attendance."""
    unknown = set(changes) - set(SESSION_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(field_errors={name: ["This field cannot be changed."] for name in sorted(unknown)})
    facilitator = changes.get("facilitator", session.facilitator)
    if "facilitator" in changes:
        _check_facilitator(actor, facilitator)
    location = (changes.get("location", session.location) or "").strip()
    _prepare_booking(program=session.intervention, location=location, facilitator=facilitator)
    return scheduling.serialised(_session_update, actor=actor, session_id=session.pk, version=version, changes=changes)


def _session_update(*, actor, session_id: int, version: int, changes: dict) -> Session:
    program_id = Session.objects.filter(pk=session_id).values_list("intervention_id", flat=True).first()
    if program_id is None:
        raise NotFoundError()
    program = scheduling.lock_program(program_id)
    session = Session.objects.select_related("facilitator").get(pk=session_id)
    session.intervention = program
    _require_manager(actor, program)
    expect_version(session, version)
    if "location" in changes:
        changes["location"] = (changes["location"] or "").strip()
    changed = {name: value for name, value in changes.items() if value != getattr(session, name)}
    if not changed:
        return session
    new_status = changed.get("status", session.status)
    if "status" in changed:
        if new_status == Session.Status.COMPLETED:
            raise _errors(status="A session is completed by taking its attendance.")
        if new_status not in Session.Status.values or not session.can_move_to(new_status):
            raise _errors(status=illegal_move_message(session, new_status))
    elif session.status != Session.Status.SCHEDULED:
        raise _errors(status=f"A {session.status} session cannot be changed.")
    before = audit.snapshot(session)
    if new_status == Session.Status.CANCELLED:
        reason = (changed.get("cancel_reason") or "").strip()[:300]
        versioned_update(session, version=version, status=new_status, cancel_reason=reason, updated_at=timezone.now())
        audit.record_update(actor=actor, instance=session, before=before)
        return session
    moves = {"start_time", "end_time", "location", "facilitator"} & set(changed)
    start = changed.get("start_time", session.start_time)
    end = changed.get("end_time", session.end_time)
    facilitator = changed.get("facilitator", session.facilitator)
    location = changed.get("location", session.location)
    if moves:
        _check_session_times(program, start, end)
        _book(
            actor=actor,
            program=program,
            intervals=[(start, end)],
            location=location,
            facilitator=facilitator,
            exclude_session_ids=[session.pk],
        )
    fields = {
        "start_time": start,
        "end_time": end,
        "location": location,
        "facilitator_id": facilitator.pk,
        "cancel_reason": changed.get("cancel_reason", session.cancel_reason),
    }
    versioned_update(session, version=version, updated_at=timezone.now(), **fields)
    session.facilitator = facilitator
    session.refresh_from_db(fields=["location_key"])
    action = SESSION_SCHEDULED if moves else "update"
    audit.record(actor=actor, action=action, instance=session, before=before, after=audit.snapshot(session))
    return session


# Enrollments
def _risk_reasons(student) -> list[str]:
    reasons = [
        f"open alert: {Alert.Kind(kind).label}"
        for kind in Alert.objects.filter(student=student, status__in=Alert.ACTIVE_STATUSES).values_list(
            "kind", flat=True
        )
    ]
    if InterventionMeeting.objects.filter(student=student, status=InterventionMeeting.Status.ESCALATED).exists():
        reasons.append("escalated meeting")
    return reasons


def enrollment_create(
    *,
    actor,
    program: Program,
    student,
    source: str = Enrollment.Source.MANUAL,
    referred_by_meeting: InterventionMeeting | None = None,
    baseline: Decimal | None = None,
    goal: Decimal | None = None,
    goal_date: datetime.date | None = None,
) -> Enrollment:
    """Enroll a student. Refused (400) for a second active enrollment in the program and when the
    program's upcoming sessions would overlap those of the student's other programs."""
    if student.school_id != actor.school_id or program.school_id != actor.school_id:
        raise NotFoundError()
    if access.is_student_of_form_master(actor, student):
        if source != Enrollment.Source.MANUAL:
            raise _errors(source="A form master enrolls with source manual.")
        if referred_by_meeting is not None and referred_by_meeting.created_by_id != actor.pk:
            raise _errors(referred_by_meeting="Refer from one of your own meetings.")
    elif actor.role == User.Role.FORM_MASTER:
        raise PermissionDeniedError("You may only enroll students of your own forms.")
    elif not access.can_manage_program(actor, program):
        raise PermissionDeniedError("Only the program's owner or an admin may enroll students.")
    errors: dict[str, list[str]] = {}
    if source not in Enrollment.Source.values:
        errors["source"] = [f"“{source}” is not a valid choice."]
    if student.status != student.Status.ACTIVE:
        errors["student"] = [f"{student.full_name} is {student.get_status_display().lower()}, not active."]
    if referred_by_meeting is not None and (
        referred_by_meeting.school_id != actor.school_id or referred_by_meeting.student_id != student.pk
    ):
        errors["referred_by_meeting"] = ["The meeting must be one of this student's meetings."]
    if goal_date is not None and goal_date < program.start_date:
        errors["goal_date"] = ["The goal date cannot be before the program starts."]
    if source == Enrollment.Source.RISK_LIST and "source" not in errors and not _risk_reasons(student):
        errors["source"] = [f"{student.full_name} is not on the risk list."]
    if errors:
        raise ApplicationError(field_errors=errors)
    keys = scheduling.lock_keys(student_ids=[student.pk])
    scheduling.prepare(school_id=program.school_id, keys=keys)
    return scheduling.serialised(
        _enrollment_create,
        actor=actor,
        program_id=program.pk,
        student=student,
        keys=keys,
        fields={
            "source": source,
            "referred_by_meeting": referred_by_meeting,
            "baseline": baseline,
            "goal": goal,
            "goal_date": goal_date,
        },
    )


def _duplicate_message(student, program) -> str:
    return f"{student.full_name} is already enrolled in “{program.name}”."


def _enrollment_create(*, actor, program_id: int, student, keys: list[str], fields: dict) -> Enrollment:
    program = scheduling.lock_program(program_id)
    if program.status not in Program.OPEN_STATUSES:
        raise _errors(intervention=f"A {program.status} program takes no new students.")
    scheduling.lock(school_id=program.school_id, keys=keys)
    if Enrollment.objects.filter(intervention=program, student=student, status=Enrollment.Status.ACTIVE).exists():
        raise _errors(student=_duplicate_message(student, program))
    # The program's sessions still to come against the student's other programs' sessions.
    upcoming = list(
        Session.objects.filter(intervention=program, end_time__gt=timezone.now())
        .exclude(status=Session.Status.CANCELLED)
        .values_list("start_time", "end_time")
    )
    clashes = scheduling.find_clashes(
        school_id=program.school_id,
        intervals=upcoming,
        student_ids=[student.pk],
        exclude_session_ids=[],
    )
    clashes = [clash for clash in clashes if clash.other.intervention_id != program.pk]
    if clashes:
        raise ApplicationError(
            field_errors={
                "student": [f"{student.full_name} would have two sessions at once:"]
                + [clash.message() for clash in clashes]
            }
        )
    enrollment = Enrollment(
        school_id=program.school_id,
        intervention=program,
        student=student,
        status=Enrollment.Status.ACTIVE,
        enrolled_by=actor,
        enrolled_at=timezone.now(),
        **fields,
    )
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:
        raise _errors(student=_duplicate_message(student, program)) from None
    audit.record(actor=actor, action=ENROLLMENT_CHANGED, instance=enrollment, after=audit.snapshot(enrollment))
    return enrollment


@transaction.atomic
def enrollment_update(*, actor, enrollment: Enrollment, version: int, status: str, exit_reason: str = "") -> Enrollment:
    """Withdraw or exit an active enrollment, with a reason, by the program's owner or an admin. The
    reason is in the audit log before the status changes."""
    program = enrollment.intervention
    _require_manager(actor, program)
    expect_version(enrollment, version)
    if status not in (Enrollment.Status.WITHDRAWN, Enrollment.Status.EXITED):
        raise _errors(status="Set the status to withdrawn or exited.")
    if not enrollment.can_move_to(status):
        raise _errors(status=illegal_move_message(enrollment, status))
    reason = (exit_reason or "").strip()
    if not reason:
        raise _errors(exit_reason=f"Say why the student is {status}.")
    before = audit.snapshot(enrollment)
    audit.record(
        actor=actor,
        action=ENROLLMENT_CHANGED,
        instance=enrollment,
        before=before,
        after={"status": status, "exit_reason": reason, "decided": "explicit reason"},
    )
    versioned_update(
        enrollment,
        version=version,
        extra_filter={"status": Enrollment.Status.ACTIVE},
        status=status,
        exit_reason=reason,
        withdrawn_at=timezone.now(),
    )
    emit_on_commit(ENROLLMENT_LEFT, enrollment_id=enrollment.pk, actor_id=actor.pk)
    return enrollment


# Session attendance
@dataclass
class AttendanceSaveResult:
    session: Session
    created: int
    updated: int
    unchanged: int


def _clean_attendance(records) -> dict[int, tuple[str, str]]:
    cleaned: dict[int, tuple[str, str]] = {}
    problems = []
    if not isinstance(records, list | tuple):
        raise _errors(records="A list of {student, status, notes}.")
    for index, item in enumerate(records):
        if not isinstance(item, dict):
            problems.append(f"Item {index + 1}: must be an object with student, status and notes.")
            continue
        status, notes = item.get("status", SessionAttendance.Status.PRESENT), item.get("notes") or ""
        try:
            student = int(item.get("student"))
        except (TypeError, ValueError):
            problems.append(f"Item {index + 1}: student must be a student id.")
            continue
        if status not in SessionAttendance.Status.values:
            problems.append(f"Item {index + 1}: unknown status {status!r} (present, absent, excused or tardy).")
            continue
        if not isinstance(notes, str) or len(notes.strip()) > MAX_NOTES:
            problems.append(f"Item {index + 1}: notes must be text of at most {MAX_NOTES} characters.")
            continue
        if student in cleaned:
            problems.append(f"Item {index + 1}: student {student} appears more than once.")
            continue
        cleaned[student] = (status, notes.strip())
    if problems:
        raise ApplicationError(field_errors={"records": problems})
    return cleaned


def session_attendance_save(
    *, actor, session_id: int, records, expected_version: int | None = None, today: datetime.date | None = None
) -> AttendanceSaveResult:
    """Take a session's attendance: every eligible student present unless `records` says otherwise; an
    idempotent upsert (unchanged rows keep who took them). Marks the session completed. Six queries
    whatever the size of the group: the session with its program, the eligible students, what is
    recorded for them, the upsert, the session's conditional update, the audit rows."""
    cleaned = _clean_attendance(records)
    try:
        return _session_attendance_save(
            actor=actor,
            session_id=session_id,
            cleaned=cleaned,
            expected_version=expected_version,
            today=today or timezone.localdate(),
        )
    except IntegrityError:
        raise conflict(Session, session_id) from None


@transaction.atomic
def _session_attendance_save(*, actor, session_id, cleaned, expected_version, today) -> AttendanceSaveResult:
    # 1: the session and its program, of the actor's school.
    session = Session.objects.for_actor(actor).select_related("intervention__owner").filter(pk=session_id).first()
    if session is None:
        raise NotFoundError()
    if not access.can_take_attendance(actor, session):
        raise PermissionDeniedError("Only the session's facilitator, the program's owner or an admin take it.")
    program = session.intervention
    if program.status != Program.Status.ACTIVE:
        raise _errors(session=f"Attendance is taken only while the program is active (it is {program.status}).")
    if session.status == Session.Status.CANCELLED:
        raise _errors(session="This session was cancelled.")
    if timezone.localtime(session.start_time).date() > today:
        raise _errors(session="Attendance cannot be taken before the day of the session.")
    expect_version(session, expected_version, message="This session was changed by someone else since you opened it.")
    # 2: the students actively enrolled when the session starts.
    rows = list(eligible_enrollments(session).values("student_id", "student__first_name", "student__last_name"))
    # 3: what is recorded for them at this session.
    recorded = _recorded_for(session)
    eligible = {row["student_id"]: row for row in rows}
    if not eligible:
        # Nothing to record: the session stays as it is rather than counting as delivered to nobody.
        raise _errors(session="Nobody was enrolled when this session started: there is no attendance to take.")
    strangers = sorted(set(cleaned) - set(eligible))
    if strangers:
        raise ApplicationError(
            field_errors={"records": [f"Student {pk} is not enrolled in this session's program." for pk in strangers]}
        )
    now = timezone.now()
    upserts, befores = [], []
    for pk in eligible:
        status, notes = cleaned.get(pk, (SessionAttendance.Status.PRESENT, ""))
        old = recorded.get(pk)
        if old is not None and (old.status, old.notes) == (status, notes):
            continue
        upserts.append(
            SessionAttendance(
                school_id=session.school_id,
                session=session,
                student_id=pk,
                status=status,
                notes=notes,
                taken_by=actor,
                recorded_at=now,
            )
        )
        befores.append(old)
    # 4: the new and changed rows in one upsert.
    bulk_upsert(
        SessionAttendance,
        upserts,
        unique_fields=["session", "student"],
        update_fields=["status", "notes", "taken_by", "recorded_at"],
    )
    # 5: the session: completed, who took it and when (a conditional UPDATE keeps two saves apart).
    before_session = audit.snapshot(session)
    versioned_update(
        session,
        version=session.version,
        status=Session.Status.COMPLETED,
        attendance_taken_by_id=actor.pk,
        attendance_taken_at=now,
        updated_at=now,
    )
    session.attendance_taken_by = actor
    # 6: the audit rows, in one insert.
    audit_rows = []
    for row, old in zip(upserts, befores, strict=False):
        audit_rows.append(
            audit.entry(
                actor=actor,
                action=ATTENDANCE_RECORDED,
                entity_type="interventions.sessionattendance",
                entity_id=row.pk,
                before=None if old is None else {"status": old.status, "notes": old.notes, "taken_by": old.taken_by_id},
                after={
                    "session": session.pk,
                    "student": row.student_id,
                    "status": row.status,
                    "notes": row.notes,
                    "taken_by": actor.pk,
                },
                school_id=session.school_id,
            )
        )
    created = sum(1 for old in befores if old is None)
    audit_rows.append(
        audit.entry(
            actor=actor,
            action=ATTENDANCE_RECORDED,
            instance=session,
            before=before_session,
            after={**audit.snapshot(session), "records_created": created, "records_updated": len(befores) - created},
        )
    )
    audit.record_entries(audit_rows)
    return AttendanceSaveResult(
        session=session, created=created, updated=len(befores) - created, unchanged=len(eligible) - len(befores)
    )


def _recorded_for(session: Session) -> dict[int, SessionAttendance]:
    return {
        row.student_id: row
        for row in SessionAttendance.objects.filter(session=session).only(
            "pk", "student_id", "status", "notes", "taken_by_id"
        )
    }
