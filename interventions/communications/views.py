"""The "Contact guardian" page: send an email or a text message from a template, log a call or a visit,
print a letter; the student's contact log beneath. One view serves the page and its htmx panel."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from core.errors import NotFoundError
from core.ids import parse_id
from core.pages import attempt
from core.permissions import role_required
from interventions.communications import access, selectors, services
from interventions.communications.forms import ACTIONS, ContactForm
from interventions.communications.models import Channel, CommunicationLog

LOG_SHOWN = 50
PANEL = "interventions/communications/_contact_panel.html"


def _of_channel(templates: list, channel: str) -> list:
    return [template for template in templates if template.channel == channel]


def _forms(templates: list, *, bound=None) -> list[tuple[str, str, ContactForm]]:
    """One form per action, each offered its channel's `templates`; `bound` is the form that was submitted
    (shown again with its errors)."""
    rows = []
    for channel, label in ACTIONS:
        if bound is not None and bound.channel == channel:
            form = bound
        else:
            form = ContactForm(channel=channel, templates=_of_channel(templates, channel))
        rows.append((channel, label, form))
    return rows


def _context(request, student, *, templates: list | None = None, bound=None, notice=None, error=None) -> dict:
    """`templates`: the school's, when the request has read them already (one read for all the forms)."""
    actor = request.user
    back = _back_link(request, student)
    if templates is None:
        templates = list(selectors.template_list(actor=actor))
    return {
        "student": student,
        "actions": _forms(templates, bound=bound),
        "open_channel": bound.channel if bound is not None else request.GET.get("channel", ""),
        "log": selectors.student_communications(actor=actor, student=student, limit=LOG_SHOWN),
        "notice": notice,
        "notice_failed": bool(notice) and "could not be sent" in notice,
        "error": error,
        "back": back,
        "query": request.GET.urlencode(),
        "retryable": services.RETRYABLE,
        "program": _program(request, student),
    }


def _back_link(request, student) -> tuple[str, str]:
    """Where "back" goes: the meeting or program the page was opened from, else the student's profile."""
    meeting = parse_id(request.GET.get("meeting"))
    if meeting:
        return reverse("meeting-tracker", args=[meeting]), "Back to the meeting"
    enrollment = parse_id(request.GET.get("enrollment"))
    if enrollment:
        return reverse("enrollment-progress", args=[enrollment]), "Back to the program"
    return reverse("students:profile", args=[student.pk]), f"Back to {student.full_name}"


def _program(request, student):
    """The program a contact opened from a student's program page is about (`?enrollment=`), or None."""
    enrollment = selectors.enrollment_of(
        actor=request.user, student=student, enrollment_id=request.GET.get("enrollment")
    )
    return enrollment.intervention if enrollment is not None else None


@role_required(*access.CONTACT_ROLES)
def contact_guardian(request, student_id: int):
    actor = request.user
    student = selectors.contact_student_get(actor=actor, student_id=student_id)
    if request.method != "POST":
        return render(
            request, PANEL if request.htmx else "interventions/communications/contact.html", _context(request, student)
        )
    channel = request.POST.get("action", "")
    if channel not in Channel.values:
        channel = Channel.EMAIL
    templates = list(selectors.template_list(actor=actor))
    form = ContactForm(request.POST, channel=channel, templates=_of_channel(templates, channel))
    status = 400
    notice = error = None
    if form.is_valid():
        subject, body = form.message()
        outcome = attempt(
            services.communication_send,
            form=form,
            actor=actor,
            student=student,
            channel=channel,
            template=form.cleaned_data.get("template"),
            subject=subject,
            body=body,
            intervention=_program(request, student),
        )
        if outcome.ok:
            log = outcome.value
            if log.channel == Channel.LETTER:
                return _letter_response(log)
            status, notice = 200, _notice(log)
            if not request.htmx:
                (messages.success if log.status != CommunicationLog.Status.FAILED else messages.error)(request, notice)
                return redirect(f"{request.path}?{request.GET.urlencode()}" if request.GET else request.path)
            form = None
        else:
            status, error = outcome.status, outcome.message
    template = PANEL if request.htmx else "interventions/communications/contact.html"
    context = _context(request, student, templates=templates, bound=form, notice=notice, error=error)
    return render(request, template, context, status=status)


def _notice(log: CommunicationLog) -> str:
    if log.status == CommunicationLog.Status.FAILED:
        return f"The {log.get_channel_display().lower()} could not be sent: {log.error}. It is in the log; retry it."
    if log.status == CommunicationLog.Status.LOGGED:
        return f"{log.get_channel_display()} logged."
    return f"{log.get_channel_display()} sent to {log.recipient}."


def _letter_response(log: CommunicationLog) -> HttpResponse:
    response = HttpResponse(services.letter_pdf(log), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="letter-{log.student.student_id}-{log.pk}.pdf"'
    return response


@role_required(*access.CONTACT_ROLES)
def letter_pdf(request, student_id: int, pk: int):
    log = selectors.communication_get(actor=request.user, communication_id=pk)
    if log.student_id != student_id or log.channel != Channel.LETTER:
        raise NotFoundError()
    return _letter_response(log)


@role_required(*access.CONTACT_ROLES)
def retry(request, student_id: int, pk: int):
    """POST: send a failed message again; the panel (or the page) comes back with the outcome."""
    actor = request.user
    student = selectors.contact_student_get(actor=actor, student_id=student_id)
    if request.method != "POST":
        return redirect("contact-guardian", student_id=student.pk)
    log = selectors.communication_get(actor=actor, communication_id=pk)
    outcome = attempt(services.communication_retry, actor=actor, log_id=log.pk)
    if outcome.ok:
        notice, error = _notice(outcome.value), None
    else:
        notice, error = None, outcome.message
    if request.htmx:
        return render(request, PANEL, _context(request, student, notice=notice, error=error), status=outcome.status)
    (messages.success if notice else messages.error)(request, notice or error)
    return redirect("contact-guardian", student_id=student.pk)
