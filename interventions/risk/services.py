"""Every write of the ABC risk level: the set-based computation for a school (the cron command) and
the refresh of a few students after their register, lesson, assessment or behaviour record is saved.

Idempotent: a row is written only when its levels or figures changed (compared by a digest, so the
stored figures are read only for the rows that change, for their audit rows)."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.utils import timezone

from core import audit
from core.models import School
from core.services import bulk_insert, each_school
from interventions.alerts.detection import calendar_for
from interventions.risk import aggregates, bands
from interventions.risk.models import RiskSettings, StudentRisk
from students.models import Student

logger = logging.getLogger(__name__)
BATCH = 1000


def risk_settings_for(*, school_id: int) -> RiskSettings:
    """The school's bands: its stored row, else SPEC's defaults (unsaved; an admin saves the school's
    own in Django admin). One query, no write, so a read never creates rows."""
    return RiskSettings.objects.filter(school_id=school_id).first() or RiskSettings(school_id=school_id)


@dataclass
class RiskSummary:
    students: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    schools: int = 0

    def add(self, other: RiskSummary) -> None:
        for name in ("students", "created", "changed", "unchanged", "schools"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def __str__(self) -> str:
        return f"{self.students} students: {self.created} new, {self.changed} changed, {self.unchanged} unchanged"


def assess(*, attendance: dict, behaviour: dict, course: dict, settings) -> dict:
    """The levels and figures of one student from their aggregate rows."""
    a = bands.attendance_figures(attendance, settings)
    b = bands.behaviour_figures(behaviour, settings)
    c = bands.course_figures(course, settings)
    return {
        "level": max(a["level"], b["level"], c["level"]),
        "attendance_level": a["level"],
        "behaviour_level": b["level"],
        "course_level": c["level"],
        "figures": {"attendance": a, "behaviour": b, "course": c, "strengths": bands.strengths(a, b, c)},
    }


def digest_of(values: dict) -> str:
    return hashlib.sha1(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def compute_for_school(
    *, school: School, as_of: datetime.date | None = None, student_ids=None, settings: RiskSettings | None = None
) -> RiskSummary:
    """Compute every active student's level (or only `student_ids`') and write the rows that changed."""
    as_of = as_of or timezone.localdate()
    settings = settings or risk_settings_for(school_id=school.pk)
    calendar = calendar_for(school, as_of)
    scope = aggregates.Scope(
        school_id=school.pk,
        calendar=calendar,
        student_ids=None if student_ids is None else tuple(sorted({int(pk) for pk in student_ids})),
    )
    students = Student.objects.filter(school_id=school.pk, status=Student.Status.ACTIVE)
    if scope.student_ids is not None:
        if not scope.student_ids:
            return RiskSummary(schools=1)
        students = students.filter(pk__in=scope.student_ids)
    student_pks = list(students.order_by("pk").values_list("pk", flat=True))
    attendance = aggregates.attendance_rows(scope, settings.attendance_window_days)
    behaviour = aggregates.behaviour_rows(scope, settings.behaviour_window_days)
    course = aggregates.course_rows(scope, calendar.year_start, settings)
    stored = StudentRisk.objects.filter(school_id=school.pk)
    if scope.student_ids is not None:
        stored = stored.filter(student_id__in=scope.student_ids)
    stored_digests = {
        student_id: (pk, digest) for student_id, pk, digest in stored.values_list("student_id", "pk", "digest")
    }
    summary = RiskSummary(schools=1, students=len(student_pks))
    now = timezone.now()
    to_create, to_update = [], {}
    for student_id in student_pks:
        values = assess(
            attendance=attendance.get(student_id, {}),
            behaviour=behaviour.get(student_id, {}),
            course=course.get(student_id, {}),
            settings=settings,
        )
        digest = digest_of(values)
        existing = stored_digests.get(student_id)
        if existing is None:
            to_create.append(
                StudentRisk(school_id=school.pk, student_id=student_id, digest=digest, computed_at=now, **values)
            )
        elif existing[1] != digest:
            to_update[existing[0]] = (digest, values)
        else:
            summary.unchanged += 1
    if to_create or to_update:
        with transaction.atomic():
            _create(school, to_create, summary)
            _update(school, to_update, now, summary)
    return summary


def _create(school: School, rows: list[StudentRisk], summary: RiskSummary) -> None:
    if not rows:
        return
    created = bulk_insert(StudentRisk, rows, key=["student"], batch_size=BATCH)
    audit.record_entries(
        [audit.entry(actor=None, action="create", instance=row, after=audit.snapshot(row)) for row in created],
        batch_size=BATCH,
    )
    summary.created += len(created)


UPDATED_FIELDS = ["level", "attendance_level", "behaviour_level", "course_level", "figures", "digest", "computed_at"]


def _update(school: School, changes: dict, now, summary: RiskSummary) -> None:
    if not changes:
        return
    pks = sorted(changes)
    rows, entries = [], []
    for start in range(0, len(pks), BATCH):
        for row in StudentRisk.objects.filter(pk__in=pks[start : start + BATCH]).select_for_update():
            before = audit.snapshot(row)
            digest, values = changes[row.pk]
            for name, value in values.items():
                setattr(row, name, value)
            row.digest, row.computed_at = digest, now
            rows.append(row)
            entries.append(
                audit.entry(actor=None, action="update", instance=row, before=before, after=audit.snapshot(row))
            )
    StudentRisk.objects.bulk_update(rows, UPDATED_FIELDS, batch_size=BATCH)
    audit.record_entries(entries, batch_size=BATCH)
    summary.changed += len(rows)


def compute_risk_levels(*, as_of: datetime.date | None = None, school_code: str | None = None, log=None) -> RiskSummary:
    """The cron run over every school (or one), school by school so memory stays flat."""
    return each_school(
        lambda school: compute_for_school(school=school, as_of=as_of),
        total=RiskSummary(),
        school_code=school_code,
        log=log,
    )


def refresh_risk_for_students(*, school_id: int, student_ids, as_of: datetime.date | None = None) -> RiskSummary:
    """The computation for the students touched by a save, after its commit. A database error is logged
    rather than failing a write that is already saved; the nightly run catches up."""
    student_ids = sorted({int(pk) for pk in student_ids or ()})
    if not student_ids:
        return RiskSummary()
    try:
        school = School.objects.get(pk=school_id)
        return compute_for_school(school=school, as_of=as_of, student_ids=student_ids)
    except DatabaseError:
        logger.exception("Risk refresh failed for school %s, students %s", school_id, student_ids)
        return RiskSummary()
