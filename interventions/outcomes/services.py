"""Every write of program outcomes: notes, exit criteria, evaluation, decisions on recommendations, exits.

Evaluation is set-based: whatever the number of programs and enrollments handed to it, it reads the
criteria, the active enrollments, the notes, the windows of school attendance and the recommendations
already made in one query each, then inserts the new recommendations and their audit rows in one bulk
insert each.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from attendance.models import AttendanceRecord
from core import audit
from core.errors import ApplicationError, PermissionDeniedError
from core.locking import expect_version, versioned_update
from core.services import bulk_insert
from interventions.outcomes import access, figures
from interventions.outcomes.models import ExitCriteria, ExitRecommendation, ProgressNote
from interventions.programs.access import can_manage_program
from interventions.programs.models import Enrollment, Intervention, ProgressMetric

Criterion = ExitCriteria.ThresholdType
RecStatus = ExitRecommendation.Status
SCALES = {ProgressMetric.LIKERT: (Decimal(1), Decimal(5)), ProgressMetric.PERCENT: (Decimal(0), Decimal(100))}
MAX_WINDOW = 200


def _decimal(value, name: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[name] = ["A number is required."]
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e7"):
        errors[name] = ["A number is required."]
        return None
    return number


def scale_of(program: Intervention) -> tuple[Decimal, Decimal]:
    return SCALES.get(program.progress_metric, SCALES[ProgressMetric.LIKERT])


# Notes
@transaction.atomic
def note_add(
    *, actor, program: Intervention, student, note: str, rating=None, metric_value=None, entered_at=None
) -> ProgressNote:
    """Append a note on an actively enrolled student of an active program; `progress_updated` audit row."""
    if not access.can_add_note(actor, program):
        raise PermissionDeniedError("Only the program's owner, its facilitators and admins add notes.")
    errors: dict[str, list[str]] = {}
    if not (note or "").strip():
        errors["note"] = ["This field may not be blank."]
    rating = _decimal(rating, "rating", errors)
    metric_value = _decimal(metric_value, "metric_value", errors)
    low, high = scale_of(program)
    if rating is not None and not low <= rating <= high:
        errors["rating"] = [f"A rating on this program's scale is between {low} and {high}."]
    if program.status != Intervention.Status.ACTIVE:
        errors.setdefault("student", []).append("Notes are taken only while the program is active.")
    elif not Enrollment.objects.filter(intervention=program, student=student, status=Enrollment.Status.ACTIVE).exists():
        errors.setdefault("student", []).append("The student is not enrolled in this program.")
    if errors:
        raise ApplicationError(field_errors=errors)
    row = ProgressNote.objects.create(
        school_id=program.school_id,
        intervention=program,
        student=student,
        note=note.strip(),
        rating=rating,
        metric_value=metric_value,
        entered_by=actor,
        entered_at=entered_at or timezone.now(),
    )
    audit.record(actor=actor, action="progress_updated", instance=row, after=audit.snapshot(row))
    return row


# Criteria
@transaction.atomic
def criteria_create(
    *, actor, program: Intervention, threshold_type: str, target_value, window: int, metric_name: str = ""
) -> ExitCriteria:
    if not can_manage_program(actor, program):
        raise PermissionDeniedError("Only the program's owner and admins set its exit criteria.")
    errors: dict[str, list[str]] = {}
    if threshold_type not in Criterion.values:
        errors["threshold_type"] = [f"“{threshold_type}” is not valid. Allowed: {', '.join(Criterion.values)}."]
    target = _decimal(target_value, "target_value", errors)
    if target is None and "target_value" not in errors:
        errors["target_value"] = ["This field is required."]
    if not isinstance(window, int) or not 1 <= window <= MAX_WINDOW:
        errors["window"] = [f"A whole number of data points between 1 and {MAX_WINDOW}."]
    if target is not None and threshold_type == Criterion.ATTENDANCE and not 0 <= target <= 100:
        errors["target_value"] = ["An attendance target is a percentage between 0 and 100."]
    if target is not None and threshold_type == Criterion.PROGRESS:
        low, high = scale_of(program)
        if not low <= target <= high:
            errors["target_value"] = [f"A rating target on this program's scale is between {low} and {high}."]
    if threshold_type == Criterion.CUSTOM_METRIC and not (metric_name or "").strip():
        errors["metric_name"] = ["Name the metric the notes record."]
    if errors:
        raise ApplicationError(field_errors=errors)
    criterion = ExitCriteria.objects.create(
        school_id=program.school_id,
        intervention=program,
        threshold_type=threshold_type,
        target_value=target,
        window=window,
        metric_name=(metric_name or "").strip(),
    )
    audit.record_create(actor=actor, instance=criterion)
    return criterion


# Evaluation
def _criterion_label(criterion: ExitCriteria) -> str:
    if criterion.threshold_type == Criterion.CUSTOM_METRIC:
        return criterion.metric_name
    return criterion.get_threshold_type_display()


def evaluation_inputs(program_ids: list[int]) -> dict:
    """What the evaluation reads, one query each: criteria, active enrollments, notes, attendance
    windows, and the recommendations already made."""
    criteria = defaultdict(list)
    for criterion in ExitCriteria.objects.filter(intervention_id__in=program_ids).order_by("id"):
        criteria[criterion.intervention_id].append(criterion)
    enrollments = list(
        Enrollment.objects.filter(intervention_id__in=list(criteria), status=Enrollment.Status.ACTIVE).values(
            "id", "school_id", "intervention_id", "student_id", "version"
        )
    )
    student_ids = sorted({row["student_id"] for row in enrollments})
    notes = defaultdict(list)  # (program, student) → [(rating, metric_value)] newest first
    if enrollments:
        rows = (
            ProgressNote.objects.filter(intervention_id__in=list(criteria), student_id__in=student_ids)
            .order_by("-entered_at", "-id")
            .values_list("intervention_id", "student_id", "rating", "metric_value")
        )
        for program_id, student_id, rating, metric in rows:
            notes[(program_id, student_id)].append((rating, metric))
    attendance_window = max(
        (c.window for items in criteria.values() for c in items if c.threshold_type == Criterion.ATTENDANCE),
        default=0,
    )
    attendance = defaultdict(list)  # student → statuses of the newest marked days, newest first
    if attendance_window and student_ids:
        rows = (
            AttendanceRecord.objects.filter(student_id__in=student_ids)
            .annotate(rank=Window(RowNumber(), partition_by=[F("student_id")], order_by=[F("date").desc()]))
            .filter(rank__lte=attendance_window)
            .order_by("student_id", "-date")
            .values_list("student_id", "status")
        )
        for student_id, status in rows:
            attendance[student_id].append(status)
    decided = defaultdict(list)
    for row in ExitRecommendation.objects.filter(enrollment_id__in=[e["id"] for e in enrollments]).values(
        "enrollment_id", "status", "figures"
    ):
        decided[row["enrollment_id"]].append(row)
    return {
        "criteria": criteria,
        "enrollments": enrollments,
        "notes": notes,
        "attendance": attendance,
        "recommendations": decided,
    }


def enrollment_figures(criteria: list[ExitCriteria], *, notes, statuses) -> list[dict]:
    """Each criterion's figure for one enrollment: {criterion, type, label, value, target, met, …}."""
    results = []
    for criterion in criteria:
        if criterion.threshold_type == Criterion.ATTENDANCE:
            result = figures.rate_of_last(statuses, window=criterion.window, target=criterion.target_value)
        elif criterion.threshold_type == Criterion.PROGRESS:
            rated = [rating for rating, _ in notes if rating is not None]
            result = figures.mean_of_last(rated, window=criterion.window, target=criterion.target_value)
        else:
            measured = [metric for _, metric in notes if metric is not None]
            result = figures.mean_of_last(measured, window=criterion.window, target=criterion.target_value)
        results.append(
            {
                "criterion": criterion.pk,
                "threshold_type": criterion.threshold_type,
                "label": _criterion_label(criterion),
                **result.as_json(),
            }
        )
    return results


def evaluate_programs(*, programs, actor=None) -> list[ExitRecommendation]:
    """Recommend the exit of each active enrollment that meets every criterion of its program.

    Idempotent: an enrollment with a pending recommendation, or whose last dismissed one had the same
    figures, gets nothing new. Returns the recommendations written."""
    program_ids = [p.pk if isinstance(p, Intervention) else p for p in programs]
    if not program_ids:
        return []
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _evaluate(program_ids, actor=actor)
        except IntegrityError:
            # Another evaluation wrote a pending recommendation for one of them at the same moment.
            if attempt:
                raise
    return []


def _evaluate(program_ids: list[int], *, actor) -> list[ExitRecommendation]:
    inputs = evaluation_inputs(program_ids)
    new = []
    for enrollment in inputs["enrollments"]:
        criteria = inputs["criteria"][enrollment["intervention_id"]]
        results = enrollment_figures(
            criteria,
            notes=inputs["notes"][(enrollment["intervention_id"], enrollment["student_id"])],
            statuses=inputs["attendance"][enrollment["student_id"]],
        )
        if not results or not all(result["met"] for result in results):
            continue
        earlier = inputs["recommendations"][enrollment["id"]]
        if any(row["status"] == RecStatus.PENDING for row in earlier):
            continue
        if any(row["status"] == RecStatus.DISMISSED and row["figures"] == results for row in earlier):
            continue
        new.append(
            ExitRecommendation(
                school_id=enrollment["school_id"], enrollment_id=enrollment["id"], figures=results, version=1
            )
        )
    if not new:
        return []
    created = bulk_insert(
        ExitRecommendation,
        new,
        key=["enrollment"],
        among=ExitRecommendation.objects.filter(status=ExitRecommendation.Status.PENDING),
    )
    audit.record_entries(
        [audit.entry(actor=actor, action="create", instance=row, after=audit.snapshot(row)) for row in created]
    )
    return created


def evaluate_school(*, school, actor=None) -> list[ExitRecommendation]:
    programs = list(
        Intervention.objects.filter(school=school, status=Intervention.Status.ACTIVE).values_list("pk", flat=True)
    )
    return evaluate_programs(programs=programs, actor=actor)


@transaction.atomic
def evaluate_program(*, actor, program: Intervention) -> list[ExitRecommendation]:
    if not can_manage_program(actor, program):
        raise PermissionDeniedError("Only the program's owner and admins evaluate it.")
    return evaluate_programs(programs=[program.pk], actor=actor)


# Decisions and exits
def _exit_enrollment(*, actor, enrollment: Enrollment, reason: str, details: dict) -> None:
    """The exit's audit row first (what it rests on), then the status change, its own audit row."""
    audit.record(
        actor=actor,
        action="intervention_exited",
        instance=enrollment,
        before=audit.snapshot(enrollment),
        after={"exit_reason": reason, **details},
    )
    before = audit.snapshot(enrollment)
    versioned_update(
        enrollment,
        version=enrollment.version,
        extra_filter={"status": Enrollment.Status.ACTIVE},
        status=Enrollment.Status.EXITED,
        exit_reason=reason,
        withdrawn_at=timezone.now(),
        message="The enrollment was changed by someone else. Reload it and try again.",
    )
    audit.record(
        actor=actor, action="enrollment_changed", instance=enrollment, before=before, after=audit.snapshot(enrollment)
    )


def _locked_enrollment(pk: int) -> Enrollment:
    return Enrollment.objects.select_for_update().select_related("intervention").get(pk=pk)


def recommendation_decide(
    *, actor, recommendation: ExitRecommendation, status: str, version: int
) -> ExitRecommendation:
    """Accept (the student exits the program, its figures in the audit log) or dismiss a pending
    recommendation read at `version`; a stale version is a 409."""
    if status not in (RecStatus.ACCEPTED, RecStatus.DISMISSED):
        raise ApplicationError(field_errors={"status": ["Use accepted or dismissed."]})
    with transaction.atomic():
        enrollment = _locked_enrollment(recommendation.enrollment_id)
        if not can_manage_program(actor, enrollment.intervention):
            raise PermissionDeniedError("Only the program's owner and admins decide on its recommendations.")
        expect_version(recommendation, version)
        if recommendation.status != RecStatus.PENDING:
            raise ApplicationError(field_errors={"status": ["This recommendation has been decided already."]})
        if status == RecStatus.ACCEPTED and enrollment.status != Enrollment.Status.ACTIVE:
            raise ApplicationError(field_errors={"status": ["The student is no longer enrolled in the program."]})
        before = audit.snapshot(recommendation)
        versioned_update(
            recommendation,
            version=version,
            extra_filter={"status": RecStatus.PENDING},
            status=status,
            decided_by_id=actor.pk,
            decided_at=timezone.now(),
        )
        audit.record_update(actor=actor, instance=recommendation, before=before)
        if status == RecStatus.ACCEPTED:
            _exit_enrollment(
                actor=actor,
                enrollment=enrollment,
                reason="Exit criteria met: "
                + "; ".join(f"{f['label']} {f['value']} ≥ {f['target']}" for f in recommendation.figures),
                details={"recommendation": recommendation.pk, "figures": recommendation.figures},
            )
    return recommendation


@transaction.atomic
def recommendations_dismiss_for_left(*, enrollment_id: int, actor=None) -> int:
    """An enrollment that left its program another way (withdrawn, or exited with a reason): its pending
    recommendation has nothing left to decide and is dismissed, audited, by whoever ended the enrollment.
    Idempotent: only pending recommendations of an enrollment that is no longer active are touched."""
    pending = list(
        ExitRecommendation.objects.select_for_update()
        .filter(enrollment_id=enrollment_id, status=RecStatus.PENDING)
        .exclude(enrollment__status=Enrollment.Status.ACTIVE)
    )
    for recommendation in pending:
        before = audit.snapshot(recommendation)
        versioned_update(
            recommendation,
            version=recommendation.version,
            extra_filter={"status": RecStatus.PENDING},
            status=RecStatus.DISMISSED,
            decided_by_id=getattr(actor, "pk", None),
            decided_at=timezone.now(),
        )
        audit.record_update(actor=actor, instance=recommendation, before=before)
    return len(pending)
