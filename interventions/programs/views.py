"""Program pages (SPEC §7): the list, a program's page, a session's attendance, its calendar file and
the referral from a meeting. Thin: parse a form, call a service through `attempt`, render or redirect."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from icalendar import Calendar, Event

from core.errors import PermissionDeniedError
from core.models import allowed_next_statuses
from core.pages import Outcome, attempt, first_error, page_filters
from core.permissions import PROGRAM_RUNNERS, STAFF, Role, role_required
from core.sections import PROGRAM_DETAIL, sections_for
from core.tenancy import get_scoped
from interventions.meetings.selectors import meetings_visible_to
from interventions.models import Enrollment, InterventionMeeting, InterventionSession, SessionAttendance
from interventions.programs import access, selectors, services
from interventions.programs.forms import GenerateForm, ProgramForm, ReferForm, SessionForm, WithdrawForm
from students.models import Student

Session = InterventionSession
CONFLICT_MESSAGE = "Someone else changed this in the meantime. The page has been reloaded: check it and try again."


def _aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def programs_page(request):
    actor = request.user
    form = None
    status = 200
    if access.runs_programs(actor):
        templates = selectors.template_list(actor=actor)
        if request.method == "POST":
            form = ProgramForm(request.POST, templates=templates)
            if form.is_valid():
                data = form.cleaned_data
                outcome = attempt(
                    services.program_create,
                    actor=actor,
                    form=form,
                    name=data["name"],
                    objective=data["objective"],
                    template=data["template"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                )
                if outcome.ok:
                    messages.success(request, f"Program “{outcome.value.name}” created as a draft.")
                    return redirect("program-detail", pk=outcome.value.pk)
                status = outcome.status
            else:
                status = 400
        else:
            form = ProgramForm(templates=templates, initial={"start_date": timezone.localdate()})
    elif request.method == "POST":
        raise PermissionDeniedError("Only counsellors and admins make programs.")
    # A hand-edited bad filter: the defaults, the problem beside the filters, a 400 (core.pages).
    filters, parsed = page_filters(selectors.parse_program_filters, request)
    programs = list(selectors.program_list(actor=actor, filters=filters)[:200])
    rows = [(program, selectors.fidelity_of(program), selectors.is_low_fidelity(program)) for program in programs]
    context = {
        "rows": rows,
        "form": form,
        "statuses": selectors.Program.Status.choices,
        "filters": filters,
        "filter_errors": parsed.field_errors,
    }
    return render(request, "interventions/programs/list.html", context, status=max(status, parsed.status))


def detail_context(request, program, *, section_objects: dict | None = None, **extra) -> dict:
    """The program page's context; `section_objects` go to its sections (a form they show bound again)."""
    actor = request.user
    can_manage = access.can_manage_program(actor, program)
    facilitators = selectors.facilitators_of_school(actor=actor)
    sessions = list(selectors.session_list(program=program))
    enrollments = list(selectors.enrollment_list(actor=actor, program=program))
    pct = selectors.session_attendance_pct(program=program)
    enrolled_rows = [(e, pct.get(e.student_id)) for e in enrollments]
    risk = selectors.risk_list(actor=actor, limit=25) if can_manage and program.status in program.OPEN_STATUSES else []
    fidelity = selectors.fidelity_of(program)
    today = timezone.localdate()
    context = {
        "program": program,
        "fidelity": fidelity,
        "low_fidelity": selectors.is_low_fidelity(program),
        "can_manage": can_manage,
        "sessions": sessions,
        "enrolled_rows": enrolled_rows,
        "risk": risk,
        "today": today,
        "next_statuses": allowed_next_statuses(program) if can_manage else [],
        "session_form": SessionForm(
            facilitators=facilitators, initial={"facilitator": actor.pk, "date": max(today, program.start_date)}
        ),
        "generate_form": GenerateForm(
            facilitators=facilitators,
            initial={
                "facilitator": actor.pk,
                "date_from": max(today, program.start_date),
                "date_to": program.end_date,
                "start": datetime.time(10, 0),
            },
        ),
        # What other parts show on the program's page (its exit criteria and recommendations).
        "sections": sections_for(PROGRAM_DETAIL, actor, program=program, **(section_objects or {})),
    }
    context.update(extra)
    return context


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def program_detail(request, pk):
    actor = request.user
    program = selectors.program_get(actor=actor, program_id=pk)
    if request.method == "GET":
        return render(request, "interventions/programs/detail.html", detail_context(request, program))
    if not access.can_manage_program(actor, program):
        raise PermissionDeniedError("Only the program's owner or an admin may change this program.")
    action = request.POST.get("action", "")
    handler = DETAIL_ACTIONS.get(action)
    if handler is None:
        messages.error(request, "Unknown action.")
        return redirect("program-detail", pk=pk)
    outcome, extra = handler(request, program)
    if outcome is not None and outcome.ok:
        return redirect("program-detail", pk=pk)
    if outcome is not None and outcome.conflict:
        messages.warning(request, CONFLICT_MESSAGE)
        return redirect("program-detail", pk=pk)
    program = selectors.program_get(actor=actor, program_id=pk)
    context = detail_context(request, program, **extra)
    if outcome is not None and outcome.message:
        context["error_list"] = [message for messages_ in outcome.field_errors.values() for message in messages_] or [
            outcome.message
        ]
    return render(request, "interventions/programs/detail.html", context, status=outcome.status if outcome else 400)


def _move(request, program):
    outcome = attempt(
        services.program_update,
        actor=request.user,
        program=program,
        version=_int(request.POST.get("version")),
        status=request.POST.get("status", ""),
    )
    if outcome.ok:
        messages.success(request, f"The program is now {outcome.value.status}.")
    return outcome, {}


def _schedule(request, program):
    form = SessionForm(request.POST, facilitators=selectors.facilitators_of_school(actor=request.user))
    if not form.is_valid():
        return _invalid(form), {"session_form": form}
    data = form.cleaned_data
    outcome = attempt(
        services.session_create,
        form=form,
        actor=request.user,
        program=program,
        start_time=_aware(data["date"], data["start"]),
        end_time=_aware(data["date"], data["end"]),
        location=data["location"],
        facilitator=data["facilitator"],
    )
    if outcome.ok:
        messages.success(request, f"Session scheduled on {data['date']:%a %d %b %Y}.")
    return outcome, {"session_form": form}


def _generate(request, program):
    form = GenerateForm(request.POST, facilitators=selectors.facilitators_of_school(actor=request.user))
    if not form.is_valid():
        return _invalid(form), {"generate_form": form}
    data = form.cleaned_data
    outcome = attempt(
        services.sessions_generate,
        form=form,
        actor=request.user,
        program=program,
        request=services.SeriesRequest(
            date_from=data["date_from"],
            date_to=data["date_to"],
            weekdays=sorted(set(data["weekdays"])),
            start=data["start"],
            location=data["location"],
            facilitator=data["facilitator"],
        ),
    )
    if outcome.ok:
        messages.success(request, f"{len(outcome.value)} sessions scheduled.")
    return outcome, {"generate_form": form}


def _cancel(request, program):
    session = get_scoped(
        Session.objects.select_related("intervention__owner"), request.user, pk=request.POST.get("session")
    )
    if session.intervention_id != program.pk:
        raise PermissionDeniedError()
    outcome = attempt(
        services.session_update,
        actor=request.user,
        session=session,
        version=_int(request.POST.get("version")),
        status=Session.Status.CANCELLED,
        cancel_reason=request.POST.get("cancel_reason", ""),
    )
    if outcome.ok:
        messages.success(request, "Session cancelled.")
    return outcome, {}


def _enroll(request, program):
    student = get_scoped(Student.objects.select_related("class_group"), request.user, pk=request.POST.get("student"))
    source = request.POST.get("source") or Enrollment.Source.MANUAL
    outcome = attempt(services.enrollment_create, actor=request.user, program=program, student=student, source=source)
    if outcome.ok:
        messages.success(request, f"{student.full_name} enrolled.")
    return outcome, {}


def _withdraw(request, program):
    enrollment = get_scoped(
        Enrollment.objects.select_related("intervention__owner", "student"),
        request.user,
        pk=request.POST.get("enrollment"),
    )
    if enrollment.intervention_id != program.pk:
        raise PermissionDeniedError()
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _invalid(form), {}
    outcome = attempt(
        services.enrollment_update,
        actor=request.user,
        enrollment=enrollment,
        version=form.cleaned_data["version"],
        status=form.cleaned_data["status"],
        exit_reason=form.cleaned_data["exit_reason"],
    )
    if outcome.ok:
        messages.success(request, f"{enrollment.student.full_name} is {outcome.value.status}.")
    return outcome, {}


DETAIL_ACTIONS = {
    "status": _move,
    "schedule": _schedule,
    "generate": _generate,
    "cancel": _cancel,
    "enroll": _enroll,
    "withdraw": _withdraw,
}


def _invalid(form):
    errors = {name: list(errors) for name, errors in form.errors.items()}
    return Outcome(status=400, message=first_error(errors), field_errors=errors)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def session_page(request, pk):
    """Take a session's attendance on a phone: everyone present by default, one tap per student."""
    actor = request.user
    session = selectors.session_get(actor=actor, session_id=pk)
    can_take = access.can_take_attendance(actor, session)
    context = {"session": session, "program": session.intervention, "can_take": can_take}
    status = 200
    if request.method == "POST":
        if not can_take:
            raise PermissionDeniedError("Only the session's facilitator, the program's owner or an admin take it.")
        rows = selectors.session_attendance_rows(session=session)
        records = [
            {
                "student": row.student.pk,
                "status": request.POST.get(f"status-{row.student.pk}", SessionAttendance.Status.PRESENT),
                "notes": request.POST.get(f"notes-{row.student.pk}", ""),
            }
            for row in rows
        ]
        outcome = attempt(
            services.session_attendance_save,
            actor=actor,
            session_id=session.pk,
            records=records,
            expected_version=_int(request.POST.get("version")) or None,
        )
        status = outcome.status
        session = selectors.session_get(actor=actor, session_id=pk)
        context.update(session=session, saved=outcome.ok, error=None if outcome.ok else outcome.message)
        if outcome.conflict:
            context["error"] = (
                "Someone else saved this session's attendance since you opened it. It is shown as saved now."
            )
    context["rows"] = selectors.session_attendance_rows(session=session)
    context["statuses"] = SessionAttendance.Status.choices
    context["not_yet"] = timezone.localtime(session.start_time).date() > timezone.localdate()
    template = "interventions/programs/_attendance_form.html" if request.htmx else "interventions/programs/session.html"
    response = render(request, template, context, status=status)
    response["Vary"] = "HX-Request"
    return response


@role_required(*STAFF)
def program_calendar(request, pk):
    """The program's sessions that are not cancelled, as an .ics file for a calendar app."""
    program = selectors.program_get(actor=request.user, program_id=pk)
    calendar = Calendar()
    calendar.add("prodid", "-//School Support//Programs//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", program.name)
    host = request.get_host()
    for session in selectors.session_list(program=program).exclude(status=Session.Status.CANCELLED):
        event = Event()
        event.add("uid", f"session-{session.pk}@{host}")
        event.add("summary", program.name)
        event.add("dtstart", session.start_time)
        event.add("dtend", session.end_time)
        event.add("dtstamp", session.updated_at)
        if session.location:
            event.add("location", session.location)
        event.add("description", f"Facilitator: {session.facilitator.display_name}")
        event.add("url", request.build_absolute_uri(reverse("program-session", args=[session.pk])))
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="program-{program.pk}.ics"'
    return response


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def refer_page(request, meeting_id):
    """ "Refer to a program" from a meeting's progress tracker: enroll its student, linked to the meeting."""
    actor = request.user
    meeting = get_scoped(InterventionMeeting.objects.select_related("student__class_group"), actor, pk=meeting_id)
    if (
        actor.role not in (*PROGRAM_RUNNERS, Role.FORM_MASTER)
        or not meetings_visible_to(actor).filter(pk=meeting.pk).exists()
    ):
        raise PermissionDeniedError("You may refer only from meetings you work on.")
    programs = selectors.open_programs_for_referral(actor=actor)
    form = ReferForm(request.POST or None, programs=programs)
    status = 200
    if request.method == "POST" and form.is_valid():
        outcome = attempt(
            services.enrollment_create,
            form=form,
            actor=actor,
            program=form.cleaned_data["program"],
            student=meeting.student,
            source=Enrollment.Source.MANUAL,
            referred_by_meeting=meeting,
        )
        if outcome.ok:
            messages.success(
                request, f"{meeting.student.full_name} was referred to “{form.cleaned_data['program'].name}”."
            )
            return redirect("meetings-page")
        status = outcome.status
    elif request.method == "POST":
        status = 400
    return render(request, "interventions/programs/refer.html", {"meeting": meeting, "form": form}, status=status)
