"""The /admissions/ pages: the pipeline board (full page, or its fragment for htmx), an inquiry's page
with its follow-ups and the enrol action, and the CSV export."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import audit
from core.api.filters import search_text
from core.pages import attempt
from core.permissions import PROGRAM_RUNNERS, role_required
from students.admissions import scoring, selectors, services
from students.admissions.forms import EnrolForm, FollowUpForm, InquiryForm, MoveForm
from students.admissions.models import Inquiry

CONFLICT_MESSAGE = "This inquiry was changed by someone else; the board now shows it as it is."


def _decorate(inquiries, actor):
    for inquiry in inquiries:
        inquiry.score_explained = scoring.explain(inquiry.lead_score_parts)
        inquiry.user_can_edit = services.can_edit_inquiry(actor, inquiry)
        inquiry.moves = [(value, Inquiry.Status(value).label) for value in services.next_statuses(inquiry.status)]
    return inquiries


def _board_context(request, *, search: str, message: str | None = None, message_kind: str = "error") -> dict:
    today = timezone.localdate()
    columns = selectors.board(actor=request.user, today=today, search=search)
    for column in columns:
        _decorate(column["cards"], request.user)
    return {"columns": columns, "search": search, "board_message": message, "board_message_kind": message_kind}


def _funnel_chart(funnel: dict) -> dict:
    """What static/js/admissions.js draws: stage counts per source, inquiries per month and source."""
    months = sorted({row["month"] for row in funnel["by_month"]})
    per_month = {(row["month"], row["source"]): row for row in funnel["by_month"]}
    return {
        "stages": [stage["label"] for stage in funnel["stages"]],
        "sources": [
            {"label": source["label"], "stages": [stage["count"] for stage in source["stages"]]}
            for source in funnel["by_source"]
        ],
        "months": months,
        "by_month": [
            {
                "label": source["label"],
                "total": [per_month.get((month, source["source"]), {}).get("total", 0) for month in months],
                "enrolled": [per_month.get((month, source["source"]), {}).get("enrolled", 0) for month in months],
            }
            for source in funnel["by_source"]
        ],
    }


@role_required(*PROGRAM_RUNNERS)
def admissions_page(request):
    """GET: the board, follow-ups due and the funnel (htmx: the board only, for the search box).
    POST: record a new inquiry."""
    actor = request.user
    search = search_text(request.GET.get("q"))
    form = InquiryForm(actor=actor)
    status = 200
    if request.method == "POST":
        form = InquiryForm(request.POST, actor=actor)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k == "counselor"}
            data["interested_subjects"] = list(form.cleaned_data.get("interested_subjects") or [])
            outcome = attempt(services.inquiry_create, actor=actor, form=form, **data)
            if outcome.ok:
                messages.success(request, f"Inquiry for {outcome.value.student_name} recorded.")
                return redirect("admissions:page")
            status = outcome.status
        else:
            status = 400
    if request.htmx and request.method == "GET":
        return render(request, "students/admissions/_board.html", _board_context(request, search=search))
    today = timezone.localdate()
    funnel = selectors.funnel(actor=actor)
    context = {
        **_board_context(request, search=search),
        "form": form,
        "open_form": request.method == "POST",
        "due": selectors.due_follow_ups(actor=actor, today=today),
        "today": today,
        "funnel": funnel,
        "funnel_chart": _funnel_chart(funnel),
    }
    return render(request, "students/admissions/page.html", context, status=status)


@require_POST
@role_required(*PROGRAM_RUNNERS)
def inquiry_move_page(request, pk):
    """The card's select: move the inquiry, answer with the board as it is now (and the message)."""
    inquiry = selectors.inquiry_get(actor=request.user, id=pk)
    form = MoveForm(request.POST)
    message, kind, status = None, "success", 200
    if not form.is_valid():
        message, kind, status = "Pick a status.", "error", 400
    else:
        outcome = attempt(
            services.inquiry_move,
            actor=request.user,
            inquiry=inquiry,
            conflict_message=CONFLICT_MESSAGE,
            **form.cleaned_data,
        )
        if outcome.ok:
            message = f"{inquiry.student_name} moved to {inquiry.get_status_display().lower()}."
        else:
            message, kind, status = outcome.message, "error", outcome.status
    if not request.htmx:
        getattr(messages, kind)(request, message)
        return redirect("admissions:page")
    search = search_text(request.POST.get("q"))
    context = _board_context(request, search=search, message=message, message_kind=kind)
    return render(request, "students/admissions/_board.html", context, status=status)


def _detail_context(request, inquiry, *, follow_up_form=None, enrol_form=None) -> dict:
    _decorate([inquiry], request.user)
    today = timezone.localdate()
    return {
        "inquiry": inquiry,
        "follow_ups": selectors.follow_up_list(actor=request.user, inquiry=inquiry),
        "follow_up_form": follow_up_form or FollowUpForm(initial={"follow_up_date": today}),
        "enrol_form": enrol_form
        or EnrolForm(school_id=inquiry.school_id, initial={"version": inquiry.version, "guardian_name": ""}),
        "today": today,
    }


@role_required(*PROGRAM_RUNNERS)
def inquiry_page(request, pk):
    """An inquiry: its score and parts, its follow-ups; POST records a follow-up."""
    inquiry = selectors.inquiry_get(actor=request.user, id=pk)
    if request.method != "POST":
        return render(request, "students/admissions/detail.html", _detail_context(request, inquiry))
    form = FollowUpForm(request.POST)
    status = 400
    if form.is_valid():
        outcome = attempt(
            services.follow_up_create, actor=request.user, inquiry=inquiry, form=form, **form.cleaned_data
        )
        if outcome.ok:
            messages.success(request, "Follow-up recorded.")
            return redirect("admissions:inquiry", pk=inquiry.pk)
        status = outcome.status
    inquiry = selectors.inquiry_get(actor=request.user, id=pk)
    context = _detail_context(request, inquiry, follow_up_form=form)
    return render(request, "students/admissions/detail.html", context, status=status)


@require_POST
@role_required(*PROGRAM_RUNNERS)
def inquiry_enrol_page(request, pk):
    inquiry = selectors.inquiry_get(actor=request.user, id=pk)
    form = EnrolForm(request.POST, school_id=inquiry.school_id)
    status = 400
    if form.is_valid():
        data = dict(form.cleaned_data)
        outcome = attempt(services.inquiry_enrol, actor=request.user, inquiry=inquiry, form=form, **data)
        if outcome.ok:
            messages.success(request, f"{outcome.value.full_name} enrolled in {outcome.value.class_group.name}.")
            return redirect("admissions:inquiry", pk=inquiry.pk)
        status = outcome.status
    inquiry = selectors.inquiry_get(actor=request.user, id=pk)
    return render(
        request, "students/admissions/detail.html", _detail_context(request, inquiry, enrol_form=form), status=status
    )


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


EXPORT_COLUMNS = [
    "student_name",
    "phone",
    "email",
    "source",
    "status",
    "priority",
    "lead_score",
    "lead_score_parts",
    "next_follow_up_date",
    "counselor",
    "received_on",
    "tags",
    "student_id",
]


@role_required(*PROGRAM_RUNNERS)
def admissions_export(request):
    """The school's inquiries (matching the search) as CSV; the export is audited."""
    search = search_text(request.GET.get("q"))
    inquiries = selectors.inquiry_list(actor=request.user, today=timezone.localdate(), search=search)
    audit.record(
        actor=request.user,
        action="export.inquiries",
        entity_type="students.inquiry",
        after={"q": search} if search else None,
    )
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="inquiries-{timezone.localdate()}.csv"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_COLUMNS)
    # The columns name no subject: no read of them for each chunk.
    for inquiry in inquiries.select_related("student").prefetch_related(None).iterator(chunk_size=2000):
        writer.writerow(
            [
                _cell(v)
                for v in (
                    inquiry.student_name,
                    inquiry.phone,
                    inquiry.email,
                    inquiry.source,
                    inquiry.status,
                    inquiry.priority,
                    inquiry.lead_score,
                    scoring.explain(inquiry.lead_score_parts),
                    inquiry.next_follow_up_date or "",
                    inquiry.counselor.display_name if inquiry.counselor else "",
                    inquiry.received_on,
                    inquiry.tags,
                    inquiry.student.student_id if inquiry.student else "",
                )
            ]
        )
    return response
