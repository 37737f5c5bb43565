"""Feedback pages. The public one, /feedback/<token>/, needs no login: the signed single-use token is
the only key, and the page shows nothing about the student beyond the program's name."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from core.errors import ApplicationError, NotFoundError
from interventions.feedback import services, throttle

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
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@csrf_protect
def feedback_form_page(request, token: str):
    scope = "feedback-submit" if request.method == "POST" else "feedback-view"
    limit = SUBMIT_LIMIT if request.method == "POST" else VIEW_LIMIT
    if not throttle.allow(request, scope=scope, limit=limit, window=WINDOW_SECONDS):
        return _public(render(request, "interventions/feedback/too_many.html", status=429))
    try:
        link = services.open_link(token)
    except NotFoundError:
        raise Http404() from None
    context = {"subject": _subject(link), "errors": {}, "rating": "", "comments": ""}
    if request.method == "POST":
        rating, comments = request.POST.get("rating", ""), request.POST.get("comments", "")
        try:
            services.feedback_submit(token=token, rating=rating, comments=comments)
        except NotFoundError:
            raise Http404() from None
        except ApplicationError as exc:
            context.update(errors=exc.field_errors, rating=rating, comments=comments)
            return _public(render(request, "interventions/feedback/form.html", context, status=400))
        return _public(render(request, "interventions/feedback/thanks.html", context))
    return _public(render(request, "interventions/feedback/form.html", context))
