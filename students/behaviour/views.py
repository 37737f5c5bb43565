"""Behaviour pages: the quick-log (from the profile and the form list), appeal and resolve. One
fragment, `_quick_log.html`, serves them all: the form, the student's latest records and their actions."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import attempt, first_error
from core.permissions import STAFF, role_required
from students import selectors as student_selectors
from students.behaviour import selectors, services
from students.behaviour.forms import AppealForm, BehaviourForm, ResolveForm

RECENT = 5
SAVED_TRIGGER = "behaviour-saved"


def quick_log_context(actor, student, *, form=None, message=None, error=None) -> dict:
    records = list(selectors.behaviour_list(actor=actor, student=student)[:RECENT])
    for record in records:
        record.student = student
        record.user_can_appeal = (
            services.can_appeal(actor, record) and record.status == "active" and record.type == "penalty"
        )
        record.user_can_resolve = services.can_resolve(actor, record) and record.status == "appealed"
    return {
        "student": student,
        "form": form or BehaviourForm(),
        "records": records,
        "can_log": services.can_log_behaviour_for(actor, student),
        "message": message,
        "error": error,
    }


def _respond(request, student, *, status=200, saved=False, **context):
    response = render(
        request,
        "students/behaviour/_quick_log.html",
        quick_log_context(request.user, student, **context),
        status=status,
    )
    if saved:
        response["HX-Trigger"] = SAVED_TRIGGER
    return response


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def behaviour_log(request, student_id: int):
    student = student_selectors.student_get(actor=request.user, id=student_id)
    if request.method == "GET":
        return _respond(request, student)
    form = BehaviourForm(request.POST)
    if not form.is_valid():
        return _respond(request, student, form=form, status=400, error=first_error(form.errors))
    outcome = attempt(
        services.behaviour_record_create, actor=request.user, student=student, form=form, **form.cleaned_data
    )
    if not outcome.ok:
        return _respond(request, student, form=form, status=outcome.status, error=outcome.message)
    record = outcome.value
    return _respond(
        request,
        student,
        saved=True,
        message=f"{record.get_type_display()} logged for {student.first_name}: {record.reason}",
    )


@role_required(*STAFF)
@require_POST
def behaviour_appeal(request, record_id: int):
    record = selectors.behaviour_get(actor=request.user, id=record_id)
    form = AppealForm(request.POST)
    if not form.is_valid():
        return _respond(request, record.student, status=400, error="Say why the penalty is appealed.")
    outcome = attempt(services.behaviour_record_appeal, actor=request.user, record=record, **form.cleaned_data)
    if not outcome.ok:
        return _respond(request, record.student, status=outcome.status, error=outcome.message)
    return _respond(
        request, record.student, saved=True, message="Appeal recorded: the penalty counts until it is decided."
    )


@role_required(*STAFF)
@require_POST
def behaviour_resolve(request, record_id: int):
    record = selectors.behaviour_get(actor=request.user, id=record_id)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _respond(request, record.student, status=400, error=first_error(form.errors))
    outcome = attempt(services.behaviour_record_resolve, actor=request.user, record=record, **form.cleaned_data)
    if not outcome.ok:
        return _respond(request, record.student, status=outcome.status, error=outcome.message)
    words = "upheld: it still counts" if outcome.value.upheld else "not upheld: it no longer counts"
    return _respond(request, record.student, saved=True, message=f"Appeal decided, {words}.")
