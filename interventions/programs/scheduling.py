"""No two sessions at once: for one facilitator, one location, one actively enrolled student.

MySQL/MariaDB have no exclusion constraints, so the rule is held by serialising the writers and then
checking inside the same transaction:

1. The program's row is locked first (`SELECT … FOR UPDATE`): a session written in a program and an
   enrollment into it wait for each other, so the students read next are the ones actually enrolled.
2. Then one `ScheduleLock` row per thing the write books — `facilitator:<id>`, `location:<key>` (the
   location lowercased and trimmed; a blank one books nothing), `student:<id>` for each student
   affected — is locked with `SELECT … FOR UPDATE`, in sorted key order. Every writer takes them in the
   same order (and holds at most one program row before them), so two writers never wait on each
   other in a cycle; the second writer of a facilitator, room or student waits until the first commits.
3. Only then are the overlapping sessions read (READ COMMITTED on MySQL: the first writer's sessions
   are visible) and the write refused with every clash named.

Missing lock rows are inserted (`INSERT … IGNORE`) before the transaction when none is open, so the
shared locks that a duplicate-key check takes are released at once and cannot deadlock with step 2.
On SQLite, transactions begin IMMEDIATE (settings), so writers are serialised by the database lock.

Overlap is of half-open intervals: [start, end) and [start2, end2) overlap when start < end2 and
start2 < end; a session ending at 10:00 and one starting at 10:00 do not clash. Cancelled sessions
never clash. Each check is a fixed number of queries however many sessions are written at once.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from interventions.models import Enrollment, Intervention, InterventionSession, ScheduleLock

Session = InterventionSession


def location_key(location: str) -> str:
    """The location as compared for clashes (what the model's generated `location_key` holds)."""
    return (location or "").strip().lower()


def lock_keys(*, facilitator_ids: Iterable[int] = (), locations: Iterable[str] = (), student_ids: Iterable[int] = ()):
    keys = {f"facilitator:{pk}" for pk in facilitator_ids if pk}
    keys |= {f"location:{location_key(loc)}"[:255] for loc in locations if location_key(loc)}
    keys |= {f"student:{pk}" for pk in student_ids}
    return sorted(keys)


def ensure_lock_rows(*, school_id: int, keys: list[str]) -> None:
    """Insert the lock rows that do not exist yet. Called outside a transaction it commits at once."""
    if keys:
        ScheduleLock.objects.bulk_create(
            [ScheduleLock(school_id=school_id, key=key) for key in keys], ignore_conflicts=True
        )


def lock(*, school_id: int, keys: list[str]) -> None:
    """Lock the rows of `keys`, in sorted order, until the transaction ends (must be inside one)."""
    if not keys:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("Schedule locks are taken inside a transaction.")
    locked = _lock_rows(school_id, keys)
    if len(locked) < len(keys):
        # Rows that `prepare` could not commit beforehand (an outer transaction, a new student).
        ensure_lock_rows(school_id=school_id, keys=[key for key in keys if key not in locked])
        _lock_rows(school_id, keys)


def _lock_rows(school_id: int, keys: list[str]) -> set[str]:
    return set(
        ScheduleLock.objects.select_for_update()
        .filter(school_id=school_id, key__in=keys)
        .order_by("key")
        .values_list("key", flat=True)
    )


def serialised(call, /, *args, **kwargs):
    """Run `call` in a transaction; on MySQL a deadlock victim (rare: two writers inserting new lock
    rows at once) is run again from the start, when no outer transaction would be left half done."""
    attempts = 1 if connection.in_atomic_block else 3
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return call(*args, **kwargs)
        except OperationalError as exc:
            deadlock = connection.vendor == "mysql" and exc.args and exc.args[0] in (1205, 1213)
            if not deadlock or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def lock_program(program_id: int) -> Intervention:
    """The program's row, locked, as stored now."""
    return Intervention.objects.select_for_update().select_related("owner").get(pk=program_id)


@dataclass(frozen=True)
class Clash:
    """A session of ours at `start`–`end` would clash with `other` because of `reason`."""

    start: datetime.datetime
    end: datetime.datetime
    other: Session
    reason: str

    def message(self) -> str:
        start, other_start = timezone.localtime(self.start), timezone.localtime(self.other.start_time)
        other_end = timezone.localtime(self.other.end_time)
        return (
            f"{start:%a %d %b %Y %H:%M}–{timezone.localtime(self.end):%H:%M} clashes with "
            f"“{self.other.intervention.name}” {other_start:%a %d %b %H:%M}–{other_end:%H:%M} "
            f"(session {self.other.pk}): {self.reason}."
        )


def overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def find_clashes(
    *,
    school_id: int,
    intervals: list[tuple[datetime.datetime, datetime.datetime]],
    facilitator=None,
    location: str = "",
    student_ids: Iterable[int] = (),
    exclude_session_ids: Iterable[int] = (),
) -> list[Clash]:
    """Every clash of the sessions `intervals` (of one facilitator and location, for these students)
    with the school's sessions that are not cancelled. Two queries however many intervals."""
    if not intervals:
        return []
    student_ids = sorted(set(student_ids))
    key = location_key(location)
    first = min(start for start, _ in intervals)
    last = max(end for _, end in intervals)
    booked = Q()
    if facilitator is not None:
        booked |= Q(facilitator_id=facilitator.pk)
    if key:
        booked |= Q(location_key=key)
    enrolled_programs = Enrollment.objects.filter(
        school_id=school_id, student_id__in=student_ids, status=Enrollment.Status.ACTIVE
    ).values("intervention_id")
    if student_ids:
        booked |= Q(intervention_id__in=enrolled_programs)
    if not booked:
        return []
    # 1: the sessions in the whole span that share the facilitator, the location or a student.
    candidates = list(
        Session.objects.filter(school_id=school_id, start_time__lt=last, end_time__gt=first)
        .exclude(status=Session.Status.CANCELLED)
        .exclude(pk__in=list(exclude_session_ids))
        .filter(booked)
        .select_related("intervention", "facilitator")
        .order_by("start_time", "pk")
    )
    students_by_program: dict[int, list[str]] = {}
    if student_ids and candidates:
        # 2: which of our students are in the programs of those sessions, to name them.
        rows = (
            Enrollment.objects.filter(
                school_id=school_id,
                student_id__in=student_ids,
                status=Enrollment.Status.ACTIVE,
                intervention_id__in={s.intervention_id for s in candidates},
            )
            .select_related("student")
            .order_by("student__last_name", "student__first_name")
        )
        for row in rows:
            students_by_program.setdefault(row.intervention_id, []).append(row.student.full_name)
    clashes = []
    for start, end in sorted(intervals):
        for other in candidates:
            if not overlaps(start, end, other.start_time, other.end_time):
                continue
            reasons = []
            if facilitator is not None and other.facilitator_id == facilitator.pk:
                reasons.append(f"facilitator {other.facilitator.display_name} is busy")
            if key and other.location_key == key:
                reasons.append(f"{other.location.strip()} is in use")
            names = students_by_program.get(other.intervention_id)
            if names:
                reasons.append(f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} in both")
            if reasons:
                clashes.append(Clash(start=start, end=end, other=other, reason="; ".join(reasons)))
    return clashes


def clashes_between(intervals: list[tuple[datetime.datetime, datetime.datetime]]) -> list[tuple]:
    """Pairs among `intervals` themselves that overlap (a series never books itself twice)."""
    ordered = sorted(intervals)
    return [(a, b) for a, b in zip(ordered, ordered[1:], strict=False) if overlaps(*a, *b)]


def prepare(*, school_id: int, keys: list[str]) -> None:
    """Before the transaction of a write: make sure its lock rows exist (committed at once)."""
    if not connection.in_atomic_block:
        with transaction.atomic():
            ensure_lock_rows(school_id=school_id, keys=keys)
