"""Topic progress: one rule, recomputed from the evidence (never incremented), so a refresh is
idempotent and may run any time.

The evidence for a (student, topic):
- each lesson that covered the topic and that the student attended (present or late); it is *rated*
  when the teacher gave an understanding level (1–5), which is then its level;
- each graded assessment tagged with the topic (pending ones do not count); its level comes from the
  percentage: ≥ 90 → 5, ≥ 75 → 4, ≥ 60 → 3, ≥ 45 → 2, ≥ 25 → 1, below → 0.

competency_level = the mean of the levels of the three most recent rated pieces of evidence, rounded
half up (0 when nothing is rated yet). An assessment on the day of a lesson counts as the later one.

status: no evidence → not_started; evidence but none rated → in_progress; otherwise by competency:
0–2 → needs_review, 3 → in_progress, 4 → completed, 5 → mastered.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from core import audit
from core.services import bulk_insert
from students.academics.models import Assessment, Topic, TopicProgress
from students.models import Student

Status = TopicProgress.Status
RECENT_EVIDENCE = 3
# (lowest percentage, level) of a graded assessment, highest first.
ASSESSMENT_LEVELS = ((90, 5), (75, 4), (60, 3), (45, 2), (25, 1))


def assessment_level(percentage) -> int:
    for lowest, level in ASSESSMENT_LEVELS:
        if percentage >= lowest:
            return level
    return 0


@dataclass(frozen=True)
class Evidence:
    date: datetime.date
    order: int  # lessons (0) before assessments (1) on the same day
    level: int | None  # None: attended, not rated


# Apps that hold evidence of their own (lessons, in the attendance app that builds on this one) register
# a source: f(school_id=, student_ids=, topic_ids=) → iterable of (student_id, topic_id, Evidence).
_evidence_sources: list = []


def evidence_source(source):
    if source not in _evidence_sources:
        _evidence_sources.append(source)
    return source


def competency_and_status(evidence: Iterable[Evidence]) -> tuple[int, str, int, datetime.date | None]:
    """(competency_level, status, evidence_count, last_evidence_date) by the rule above."""
    items = sorted(evidence, key=lambda e: (e.date, e.order))
    if not items:
        return 0, Status.NOT_STARTED, 0, None
    rated = [e.level for e in items if e.level is not None][-RECENT_EVIDENCE:]
    if not rated:
        return 0, Status.IN_PROGRESS, len(items), items[-1].date
    level = int((Decimal(sum(rated)) / len(rated)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if level <= 2:
        status = Status.NEEDS_REVIEW
    elif level == 3:
        status = Status.IN_PROGRESS
    elif level == 4:
        status = Status.COMPLETED
    else:
        status = Status.MASTERED
    return level, status, len(items), items[-1].date


def refresh_topic_progress(*, school_id: int, student_ids: Iterable[int], topic_ids: Iterable[int]) -> int:
    """Recompute the progress of `student_ids` in `topic_ids`; writes (and audits) only rows that change.
    Six queries whatever the numbers: the lesson evidence, the assessment evidence, the stored rows, the
    inserts, the updates, the audit rows. Returns how many rows were written."""
    student_ids, topic_ids = sorted(set(student_ids)), sorted(set(topic_ids))
    if not student_ids or not topic_ids:
        return 0
    evidence: dict[tuple[int, int], list[Evidence]] = defaultdict(list)
    autodiscover_modules("listeners")  # where the evidence sources register
    for source in _evidence_sources:
        for student_id, topic_id, item in source(school_id=school_id, student_ids=student_ids, topic_ids=topic_ids):
            evidence[(student_id, topic_id)].append(item)
    graded = Assessment.objects.filter(
        school_id=school_id, student_id__in=student_ids, topic_id__in=topic_ids, marks_obtained__isnull=False
    ).values_list("student_id", "topic_id", "assessment_date", "percentage")
    for student_id, topic_id, day, percentage in graded.order_by():
        evidence[(student_id, topic_id)].append(Evidence(date=day, order=1, level=assessment_level(percentage)))

    with transaction.atomic():
        stored = {
            (row.student_id, row.topic_id): row
            for row in TopicProgress.objects.filter(
                school_id=school_id, student_id__in=student_ids, topic_id__in=topic_ids
            ).select_for_update()
        }
        now = timezone.now()
        new, changed, audit_rows = [], [], []
        for key in sorted(set(evidence) | set(stored)):
            level, status, count, last = competency_and_status(evidence.get(key, []))
            row = stored.get(key)
            if row is None:
                if status == Status.NOT_STARTED:
                    continue
                new.append(
                    TopicProgress(
                        school_id=school_id,
                        student_id=key[0],
                        topic_id=key[1],
                        competency_level=level,
                        status=status,
                        evidence_count=count,
                        last_evidence_date=last,
                        updated_at=now,
                    )
                )
                continue
            if (row.competency_level, row.status, row.evidence_count, row.last_evidence_date) == (
                level,
                status,
                count,
                last,
            ):
                continue
            before = audit.snapshot(row)
            row.competency_level, row.status, row.evidence_count, row.last_evidence_date = level, status, count, last
            row.updated_at = now
            changed.append(row)
            audit_rows.append(
                audit.entry(actor=None, action="update", instance=row, before=before, after=audit.snapshot(row))
            )
        if new:
            bulk_insert(TopicProgress, new, key=["student", "topic"])
            audit_rows += [
                audit.entry(actor=None, action="create", instance=row, after=audit.snapshot(row)) for row in new
            ]
        if changed:
            TopicProgress.objects.bulk_update(
                changed, ["competency_level", "status", "evidence_count", "last_evidence_date", "updated_at"]
            )
        audit.record_entries(audit_rows)
    return len(new) + len(changed)


REBUILD_BATCH = 200  # students a refresh at a time: the evidence of a few hundred students stays small


def rebuild_school_progress(*, school) -> int:
    """Every student's progress in every topic of the school worked out again from the evidence, a batch of
    students at a time: after a change of the rules, or rows written around the services (a restore, a
    correction in the database). Writes (and audits) only the rows that change; a second run writes
    nothing. Returns how many rows were written."""
    topic_ids = list(Topic.objects.filter(school=school).values_list("pk", flat=True))
    student_ids = list(Student.objects.filter(school=school).order_by("pk").values_list("pk", flat=True))
    written = 0
    for start in range(0, len(student_ids), REBUILD_BATCH):
        batch = student_ids[start : start + REBUILD_BATCH]
        written += refresh_topic_progress(school_id=school.pk, student_ids=batch, topic_ids=topic_ids)
    return written
