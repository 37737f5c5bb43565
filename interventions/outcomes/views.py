"""The progress page of one enrollment: the chart (ratings, baseline, aim line, trend and its verdict,
weekly school attendance with the program's start), delivery figures, notes, and the exit decisions."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.errors import PermissionDeniedError
from core.pages import attempt
from core.permissions import STAFF, role_required
from interventions.communications.access import can_contact
from interventions.outcomes import access, figures, selectors, services
from interventions.outcomes.forms import CriterionForm, DecisionForm, ExitForm, NoteForm
from interventions.outcomes.models import ExitRecommendation
from interventions.programs import selectors as program_selectors
from interventions.programs import services as program_services
from interventions.programs import views as program_views
from interventions.programs.access import can_manage_program


def _chart_json(data: dict) -> dict:
    """What static/js/progress_chart.js draws: x in days since the program's start."""
    start = data["start_date"]
    goal_date = data["goal_date"]
    points = [{"x": (p["date"] - start).days, "y": p["value"], "date": p["date"].isoformat()} for p in data["points"]]
    goal_x = (goal_date - start).days if goal_date else None
    aim = []
    if data["baseline"] is not None and data["goal"] is not None and goal_x is not None:
        aim = [{"x": 0, "y": data["baseline"]}, {"x": goal_x, "y": data["goal"]}]
    trend = []
    slope, projected = data["trend"]["slope_per_week"], data["trend"]["projected_at_goal_date"]
    if slope is not None and projected is not None and points:
        first = points[0]["x"]
        trend = [{"x": first, "y": round(projected - slope / 7 * (goal_x - first), 2)}, {"x": goal_x, "y": projected}]
    weeks = data["attendance_weekly"]
    start_week = figures.week_start(start).isoformat()
    return {
        "start_date": start.isoformat(),
        "goal_date": goal_date.isoformat() if goal_date else None,
        "goal_x": goal_x,
        "baseline": data["baseline"],
        "goal": data["goal"],
        "scale": data["scale"],
        "points": points,
        "aim": aim,
        "trend": trend,
        "verdict": data["verdict"],
        "attendance": {
            "labels": [w["week_start"].isoformat() for w in weeks],
            "rates": [w["rate"] for w in weeks],
            "start_label": start_week,
        },
    }


@role_required(*STAFF)
def enrollment_progress(request, pk: int):
    actor = request.user
    if request.method == "POST":
        return _act(request, pk)
    data = selectors.progress_chart(actor=actor, enrollment_id=pk)
    enrollment = data["enrollment"]
    program = enrollment.intervention
    can_manage = can_manage_program(actor, program)
    pending = (
        list(ExitRecommendation.objects.filter(enrollment=enrollment, status=ExitRecommendation.Status.PENDING))
        if can_manage
        else []
    )
    context = {
        **data,
        "program": program,
        "student": enrollment.student,
        "chart": _chart_json(data),
        "on_track": data["verdict"] == figures.ON_TRACK,
        "can_contact": can_contact(actor, enrollment.student),
        "fidelity_low": data["fidelity"]["delivered_pct"] is not None
        and data["fidelity"]["delivered_pct"] < float(figures.FIDELITY_FLOOR),
        "attendance_low": data["session_attendance_pct"] is not None
        and data["session_attendance_pct"] < float(figures.FIDELITY_FLOOR),
        "notes": list(selectors.program_notes(program=program, student_id=enrollment.student_id)[:20]),
        "note_form": NoteForm() if enrollment.is_active and access.can_add_note(actor, program) else None,
        "exit_form": ExitForm(initial={"version": enrollment.version}) if can_manage and enrollment.is_active else None,
        "pending": [(rec, DecisionForm(initial={"recommendation": rec.pk, "version": rec.version})) for rec in pending],
    }
    return render(request, "interventions/outcomes/progress.html", context)


def _act(request, pk: int):
    """POST: add a note, decide on a recommendation, or exit with a reason; back to the page (PRG)."""
    actor = request.user
    enrollment = selectors.enrollment_get(actor=actor, enrollment_id=pk)
    action = request.POST.get("action")
    outcome = None
    if action == "note":
        form = NoteForm(request.POST)
        if form.is_valid():
            outcome = attempt(
                services.note_add,
                actor=actor,
                program=enrollment.intervention,
                student=enrollment.student,
                **form.cleaned_data,
            )
            done = "Note added."
    elif action == "exit":
        form = ExitForm(request.POST)
        if form.is_valid():
            # The programs' own rule for an exit with a reason (owner or admin, reason required, audited).
            outcome = attempt(
                program_services.enrollment_update,
                actor=actor,
                enrollment=enrollment,
                version=form.cleaned_data["version"],
                status="exited",
                exit_reason=form.cleaned_data["exit_reason"],
            )
            done = "The student has left the program."
    elif action == "decide":
        form = DecisionForm(request.POST)
        if form.is_valid():
            recommendation = selectors.recommendation_get(
                actor=actor, recommendation_id=form.cleaned_data["recommendation"]
            )
            outcome = attempt(
                services.recommendation_decide,
                actor=actor,
                recommendation=recommendation,
                status=form.cleaned_data["decision"],
                version=form.cleaned_data["version"],
                conflict_message="Someone decided on this recommendation meanwhile; the page shows it as it is now.",
            )
            done = (
                "Recommendation accepted: the student has left the program."
                if form.cleaned_data["decision"] == "accepted"
                else "Recommendation dismissed."
            )
    else:
        form = None
    if outcome is None:
        errors = form.errors if form is not None else {"action": ["Unknown action."]}
        messages.error(request, "; ".join(str(m) for messages_ in errors.values() for m in messages_))
    elif outcome.ok:
        messages.success(request, done)
    else:
        messages.error(request, outcome.message)
    return redirect("enrollment-progress", pk=pk)


@role_required(*STAFF)
def program_evaluate(request, pk: int):
    """POST: evaluate a program's enrollments now; back to the program's page with what it found."""
    program = selectors.program_for_outcomes(actor=request.user, program_id=pk)
    if request.method == "POST":
        outcome = attempt(services.evaluate_program, actor=request.user, program=program)
        if outcome.ok:
            count = len(outcome.value)
            messages.success(
                request,
                f"{count} new exit recommendation{'s' if count != 1 else ''}."
                if count
                else "No new exit recommendation.",
            )
        else:
            messages.error(request, outcome.message)
    return redirect("program-detail", pk=program.pk)


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def program_criteria_add(request, pk: int):
    """POST from the program's page: add an exit criterion, then the page with it listed; a criterion the
    service refuses shows the page again (400) with the problem beside the field and the values kept.
    GET (that page's address reloaded): the program's page."""
    program = program_selectors.program_get(actor=request.user, program_id=pk)  # with the page's figures
    section = reverse("program-detail", args=[program.pk]) + "#program-outcomes"
    if request.method == "GET":
        return redirect(section)
    if not can_manage_program(request.user, program):
        raise PermissionDeniedError("Only the program's owner and admins set its exit criteria.")
    form = CriterionForm(request.POST)
    status = 400
    if form.is_valid():
        outcome = attempt(services.criteria_create, form=form, actor=request.user, program=program, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, "Exit criterion added.")
            return redirect(section)
        status = outcome.status
    context = program_views.detail_context(request, program, section_objects={"criterion_form": form})
    return render(request, "interventions/programs/detail.html", context, status=status)
