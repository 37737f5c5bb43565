"""The form master's interventions workspace (SPEC §5). Each view serves its full page and its htmx fragment."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from core.ids import parse_id
from core.pages import attempt, page_filters, query_without
from core.permissions import role_required
from core.sections import MEETING_DETAIL, sections_for
from interventions.meetings import access, selectors, services
from interventions.meetings.forms import MeetingForm, ProgressForm
from interventions.models import InterventionMeeting

Meeting = InterventionMeeting
PAGE_SIZE = 25
RECURRING_SHOWN = 8
CONFLICT_MESSAGE = "This meeting was changed by someone else. It has been reloaded: check it and try again."


def _workspace_context(request, filters: dict) -> dict:
    """What the table fragment shows: stats cards, recurring banner and one page of meetings."""
    actor = request.user
    today = timezone.localdate()
    paginator = Paginator(selectors.meeting_list(actor=actor, filters=filters, today=today), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    recurring = list(selectors.recurring_students(actor=actor)[: RECURRING_SHOWN + 1])
    stats = selectors.meeting_stats(actor=actor, today=today)
    return {
        "today": today,
        "stats": stats,
        "status_counts": [(value, label, stats["by_status"][value]) for value, label in Meeting.Status.choices],
        "status_choices": Meeting.Status.choices,
        "urgency_choices": Meeting.Urgency.choices,
        "recurring": recurring[:RECURRING_SHOWN],
        "recurring_more": len(recurring) > RECURRING_SHOWN,
        "page_obj": page,
        "meetings": page.object_list,
        "filters": filters,
        "filter_query": query_without(request, "page", "record_for", "alert"),
    }


def _prefilled_form(request) -> tuple[MeetingForm, bool]:
    """The Record-meeting form; `?record_for=<student>&alert=<alert>` opens it filled in from an alert."""
    actor = request.user
    students = selectors.students_for_recording(actor=actor)
    initial = {"meeting_date": timezone.localdate(), "urgency_level": Meeting.Urgency.MEDIUM}
    record_for = request.GET.get("record_for", "")
    if not record_for:
        return MeetingForm(students=students, initial=initial), False
    student_id = parse_id(record_for)
    student = students.filter(pk=student_id).first() if student_id else None
    if student is None:
        messages.warning(request, "You cannot record a meeting for that student.")
        return MeetingForm(students=students, initial=initial), False
    initial["student"] = student.pk
    alert = selectors.alert_for_recording(actor=actor, alert_id=request.GET.get("alert"), student=student)
    if alert is not None:
        initial["alert"] = alert.pk
        initial["urgency_level"] = alert.severity  # the same levels (interventions.models.Level)
        initial["absence_reason"] = f"Alert: {alert.get_kind_display()}."
    form = MeetingForm(students=students, initial=initial)
    form.from_alert = alert
    return form, True


@role_required(*access.MEETING_ROLES)
def interventions_page(request):
    """GET: the workspace (or, for htmx, its table fragment). POST: record a meeting from the dialog."""
    if request.method == "POST":
        return _record_meeting(request)
    # A hand-edited bad filter: the defaults, the problem beside the filters, a 400 (core.pages).
    filters, parsed = page_filters(selectors.parse_meeting_filters, request)
    context = {**_workspace_context(request, filters), "filter_errors": parsed.field_errors}
    if request.htmx:
        return render(request, "interventions/meetings/_table.html", {**context, "oob": True}, status=parsed.status)
    form, open_dialog = (None, False)
    if request.user.role in access.RECORDING_ROLES:
        form, open_dialog = _prefilled_form(request)
    return render(
        request,
        "interventions/meetings/page.html",
        {**context, "form": form, "open_dialog": open_dialog},
        status=parsed.status,
    )


def _record_meeting(request):
    actor = request.user
    if actor.role not in access.RECORDING_ROLES:
        raise PermissionDenied("Only form masters and admins record meetings.")
    form = MeetingForm(request.POST, students=selectors.students_for_recording(actor=actor))
    valid = form.is_valid()
    # The alert the dialog answers stays named above the form when it comes back with errors.
    if form.cleaned_data.get("student") and form.cleaned_data.get("alert"):
        form.from_alert = selectors.alert_for_recording(
            actor=actor, alert_id=form.cleaned_data["alert"], student=form.cleaned_data["student"]
        )
    if valid:
        data = form.cleaned_data
        alert = None
        if data.get("alert"):
            alert = form.from_alert
            if alert is None:
                # Opened from an alert, then another student was picked: unlink the alert so that the
                # next save goes through, and say so.
                form.add_error(
                    None,
                    "The alert this form was opened from is not about this student, so it has been unlinked. "
                    "Save again to record the meeting without it.",
                )
                form.data = form.data.copy()
                form.data["alert"] = ""
        if not form.errors:
            outcome = attempt(
                services.meeting_create,
                form=form,
                refusal_field="student",
                actor=actor,
                student=data["student"],
                alert=alert,
                **services.meeting_create_fields(data),
            )
            if outcome.ok:
                meeting = outcome.value
                note = " The alert was acknowledged." if alert is not None else ""
                messages.success(request, f"Meeting recorded for {meeting.student.full_name}.{note}")
                if request.htmx:
                    return HttpResponseClientRedirect(request.path)
                return redirect("meetings-page")
    if request.htmx:
        return render(request, "interventions/meetings/_meeting_form.html", {"form": form}, status=400)
    context = _workspace_context(request, {})
    return render(
        request,
        "interventions/meetings/page.html",
        {**context, "form": form, "open_dialog": True, "filter_errors": {}},
        status=400,
    )


def _tracker_context(actor, meeting, *, form=None, notice=None, conflict=None) -> dict:
    # A closed case takes no more updates and moves nowhere: the tracker says so instead of offering a form.
    can_add = access.can_add_progress(actor, meeting) and meeting.status != Meeting.Status.CLOSED
    if form is None and can_add:
        form = ProgressForm(meeting=meeting, initial={"version": meeting.version})
    return {
        "meeting": meeting,
        "form": form if can_add else None,
        "today": timezone.localdate(),
        "notice": notice,
        "conflict": conflict,
    }


def _page_sections(request, meeting) -> dict:
    """What other parts show on the meeting's full page (the contact log); nothing for the htmx panel."""
    if request.htmx:
        return {}
    return {"sections": sections_for(MEETING_DETAIL, request.user, meeting=meeting, student=meeting.student)}


@role_required(*access.MEETING_ROLES)
def meeting_tracker(request, pk):
    """The progress tracker of one meeting: history newest first, add an update, move the status."""
    actor = request.user
    meeting = selectors.meeting_get(actor=actor, meeting_id=pk)
    template = "interventions/meetings/_tracker.html" if request.htmx else "interventions/meetings/meeting_detail.html"
    if request.method != "POST":
        return render(request, template, {**_tracker_context(actor, meeting), **_page_sections(request, meeting)})
    if not access.can_add_progress(actor, meeting):
        raise PermissionDenied("You may not add progress to this meeting.")
    form = ProgressForm(request.POST, meeting=meeting)
    status_code = 400
    notice = conflict = None
    if form.is_valid():
        data = form.cleaned_data
        outcome = attempt(
            services.progress_add,
            form=form,
            conflict_message=CONFLICT_MESSAGE,
            actor=actor,
            meeting=meeting,
            update_text=data["update_text"],
            status=data["status"] or None,
            version=data["version"],
        )
        if outcome.status == 403:
            raise PermissionDenied(outcome.message)
        if outcome.conflict:
            status_code, conflict = 409, outcome.message
            meeting = selectors.meeting_get(actor=actor, meeting_id=pk)
            # Keep what was typed; the version and the offered moves are the meeting's current ones.
            form = ProgressForm(
                meeting=meeting, initial={"version": meeting.version, "update_text": data["update_text"]}
            )
        elif outcome.ok:
            status_code, notice = 200, "Update added."
            if not request.htmx:
                messages.success(request, "Update added.")
                return redirect("meeting-tracker", pk=pk)
            # A counsellor who moved an escalated case on still sees the result of the move.
            meeting = selectors.meeting_get(actor=actor, meeting_id=pk, just_written=True)
            form = None
    response = render(
        request,
        template,
        {
            **_tracker_context(actor, meeting, form=form, notice=notice, conflict=conflict),
            **_page_sections(request, meeting),
        },
        status=status_code,
    )
    if request.htmx and status_code in (200, 409):
        # The table (and its stats) reload, so the row shows the meeting as it now is.
        response["HX-Trigger"] = "meetings-changed"
    return response
