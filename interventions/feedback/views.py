"""Feedback pages. The public one, /feedback/<token>/, needs no login: the signed single-use token is
the only key, and the page shows nothing about the student beyond the program's name."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from core.pages import attempt, first_error, page_filters, query_without
from core.permissions import PROGRAM_RUNNERS, has_role
from interventions.feedback import selectors, services, throttle
from interventions.feedback.forms import ResolveForm, SendLinksForm
from interventions.feedback.models import Feedback
from interventions.models import Intervention

# Per client address: page views and answers in a 10-minute window.
VIEW_LIMIT, SUBMIT_LIMIT, WINDOW_SECONDS = 60, 10, 600


def _subject(link) -> str:
    """What the family is asked about: the program's name, or the kind of feedback."""
    intervention = getattr(link, "intervention", None)
    if intervention is not None:
        return intervention.name
    return {"school": "the school", "facility": "the school's facilities"}.get(link.feedback_type, "the program")


def _public(response):
    # The token is in the address: keep it out of other sites' logs and of search engines.
    response["Referrer-Policy"] = "same-origin"  # never to another site; "no-referrer" makes the form's Origin null
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@csrf_protect
def feedback_form_page(request, token: str):
    scope = "feedback-submit" if request.method == "POST" else "feedback-view"
    limit = SUBMIT_LIMIT if request.method == "POST" else VIEW_LIMIT
    if not throttle.allow(request, scope=scope, limit=limit, window=WINDOW_SECONDS):
        return _public(render(request, "interventions/feedback/too_many.html", status=429))
    # An unknown, used or expired link is a NotFoundError: the 404 page (core.pages).
    link = services.open_link(token)
    context = {"subject": _subject(link), "errors": {}, "rating": "", "comments": ""}
    if request.method == "POST":
        rating, comments = request.POST.get("rating", ""), request.POST.get("comments", "")
        outcome = attempt(services.feedback_submit, token=token, rating=rating, comments=comments)
        if not outcome.ok:
            context.update(errors=outcome.field_errors, rating=rating, comments=comments)
            return _public(render(request, "interventions/feedback/form.html", context, status=outcome.status))
        return _public(render(request, "interventions/feedback/thanks.html", context))
    return _public(render(request, "interventions/feedback/form.html", context))


# Staff pages: the review list and the analytics -------------------------------------------------------

REVIEW_PAGE_SIZE = 50
RESOLVE_CONFLICT = "This feedback was changed by someone else; it now shows its current state."


def _require_reviewer(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not selectors.may_review(request.user):
        raise PermissionDenied("Only program owners, counsellors and admins review feedback.")
    return None


def _decorate(rows, actor):
    for row in rows:
        row.user_can_review = services.can_review_feedback(actor, row)
    return rows


def _programs_for(actor):
    programs = Intervention.objects.for_actor(actor).order_by("-end_date", "name")
    if not has_role(actor, *PROGRAM_RUNNERS):
        programs = programs.filter(owner=actor)
    return programs


def feedback_review_page(request):
    """GET: the review list (negative, unresolved first by default), filters through htmx.
    POST: send feedback links for a finished session or program."""
    refused = _require_reviewer(request)
    if refused:
        return refused
    actor = request.user
    programs = _programs_for(actor)
    send_form = SendLinksForm(request.POST or None, programs=programs)
    status = 200
    if request.method == "POST":
        if send_form.is_valid():
            data = send_form.cleaned_data
            outcome = attempt(
                services.feedback_links_send,
                actor=actor,
                intervention=data["intervention"],
                session=data.get("session"),
                channel=data["channel"],
                link_for=lambda token: request.build_absolute_uri(f"/feedback/{token}/"),
                form=send_form,
            )
            if outcome.ok:
                summary = outcome.value
                text = f"Feedback links: {summary.sent} sent, {summary.failed} failed."
                if summary.skipped:
                    text += " Not sent: " + "; ".join(summary.skipped)
                messages.success(request, text)
                return redirect("feedback-review")
            status = outcome.status
        else:
            status = 400
    # A hand-edited bad filter: the defaults, the problem beside the filters, a 400 (core.pages).
    filters, parsed = page_filters(selectors.parse_feedback_page_filters, request)
    status = max(status, parsed.status)
    page = Paginator(selectors.feedback_list(actor=actor, **filters), REVIEW_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = _decorate(list(page.object_list), actor)
    context = {
        "page": page,
        "query": query_without(request, "page"),
        "rows": page.object_list,
        "filters": filters,
        "programs": programs,
        "status_choices": selectors.STATUS_CHOICES,
        "filter_errors": parsed.field_errors,
        "sentiment_choices": Feedback.Sentiment.choices,
        "send_form": send_form,
        "open_send": request.method == "POST",
    }
    if request.htmx and request.method == "GET":
        return render(request, "interventions/feedback/_review_table.html", context, status=status)
    return render(request, "interventions/feedback/review.html", context, status=status)


@require_POST
def feedback_resolve_page(request, pk):
    """A row's resolve (or mark-reviewed) form: answers with the row as it is now."""
    refused = _require_reviewer(request)
    if refused:
        return refused
    feedback = selectors.feedback_get(actor=request.user, id=pk)
    form = ResolveForm(request.POST)
    error, status = None, 200
    if not form.is_valid():
        error, status = first_error(form.errors), 400
    else:
        data = form.cleaned_data
        if data["action"] == "review":
            call, kwargs = services.feedback_mark_reviewed, {}
        else:
            call, kwargs = services.feedback_resolve, {"resolution": data["resolution"]}
        outcome = attempt(
            call,
            actor=request.user,
            feedback=feedback,
            version=data["version"],
            conflict_message=RESOLVE_CONFLICT,
            **kwargs,
        )
        if not outcome.ok:
            error, status = outcome.message, outcome.status
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, "Feedback updated.")
        return redirect("feedback-review")
    row = _decorate([selectors.feedback_get(actor=request.user, id=pk)], request.user)[0]
    context = {"row": row, "row_error": error, "row_done": None if error else row.get_status_display()}
    return render(request, "interventions/feedback/_review_row.html", context, status=status)


def feedback_analytics_page(request):
    refused = _require_reviewer(request)
    if refused:
        return refused
    analytics = selectors.feedback_analytics(actor=request.user)
    chart = {
        "programs": [row["name"] for row in analytics["per_program"]],
        "program_rating": [row["mean_rating"] for row in analytics["per_program"]],
        "program_split": {
            label: [row[label] for row in analytics["per_program"]] for label in ("positive", "neutral", "negative")
        },
        "months": [row["month"] for row in analytics["per_month"]],
        "month_rating": [row["mean_rating"] for row in analytics["per_month"]],
        "month_negative": [row["negative"] for row in analytics["per_month"]],
    }
    return render(request, "interventions/feedback/analytics.html", {"analytics": analytics, "chart": chart})
