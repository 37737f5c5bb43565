"""The one mapping from the application's errors to page responses (the API's is core.api.errors).

- A `NotFoundError` or `PermissionDeniedError` that leaves a view becomes the 404 or 403 page; the
  middleware (`core.middleware.RequestContextMiddleware.process_exception`) does this for every view.
  An `ApplicationError` or `ConflictError` that leaves a view (one no view turned into form errors)
  becomes the 400 or 409 page saying what was wrong, or, for htmx, that message as a flash: never a 500.
- A write that a person retries from a form goes through `attempt(...)`: the service's refusal becomes
  inline form errors (ApplicationError, 400), a conflict message (ConflictError, 409) or a refusal
  message (PermissionDeniedError, 403), with the status code to answer with. htmx is configured to swap
  400/409 responses (static/js), so the fragment re-rendered with the errors is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html

from core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError


@dataclass
class Outcome:
    """What a service call from a page came to: its value, or the error to show and the status."""

    value: Any = None
    status: int = 200
    message: str | None = None  # the one line to show (first field error, conflict, refusal)
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    conflict: bool = False
    # The application error itself, for a page that shows more of it (e.g. errors by student).
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.status < 400


def query_without(request, *names: str) -> str:
    """The request's query string without `names` (e.g. "page"), for links that add their own (the
    pager of templates/core/_pager.html)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def page_filters(parse: Callable[[Any], dict], request) -> tuple[dict, Outcome]:
    """A list page's filters from its address, read by `parse` (its selectors' parser, built on the
    API's FilterSet). A hand-edited bad value: the parser's defaults (`parse({})`: the whole list or the
    default view) and an Outcome with the 400 and the field errors to show beside the filters
    (templates/core/_filter_errors.html)."""
    parsed = attempt(parse, request.GET)
    return (parsed.value if parsed.ok else parse({})), parsed


def first_error(errors) -> str | None:
    """ "Field: message" (or the bare message for non-field errors) of the first error in `errors`."""
    for name, messages in errors.items():
        if messages:
            prefix = "" if name in ("__all__", "detail", None) else f"{str(name).replace('_', ' ').capitalize()}: "
            return f"{prefix}{messages[0]}"
    return None


def add_errors(form, exc: ApplicationError) -> None:
    """Put a service's field errors on the form's fields (unknown names become non-field errors)."""
    for name, messages in exc.field_errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
    if exc.message and not exc.field_errors:
        form.add_error(None, exc.message)


def attempt(
    call: Callable[..., Any],
    /,
    *args,
    form=None,
    conflict_message: str | None = None,
    refusal_field: str | None = None,
    **kwargs,
) -> Outcome:
    """Run a service for a page. NotFoundError propagates (a 404 page); the others become an Outcome,
    and, when `form` is given, errors on that form (a refusal on `refusal_field`, default the form)."""
    try:
        return Outcome(value=call(*args, **kwargs))
    except ConflictError as exc:
        message = conflict_message or exc.message
        if form is not None:
            form.add_error(None, message)
        return Outcome(status=409, message=message, conflict=True, error=exc)
    except ApplicationError as exc:
        if form is not None:
            add_errors(form, exc)
        return Outcome(
            status=400,
            message=first_error(exc.field_errors) or exc.message,
            field_errors=dict(exc.field_errors),
            error=exc,
        )
    except PermissionDeniedError as exc:
        if form is not None:
            form.add_error(refusal_field, exc.message)
        return Outcome(status=403, message=exc.message, error=exc)


def as_http(exception: Exception) -> Exception | None:
    """The Django exception a page raises for an application error that left a view, or None."""
    if isinstance(exception, NotFoundError):
        return Http404()
    if isinstance(exception, PermissionDeniedError):
        return PermissionDenied(exception.message)
    return None


def error_page(request, exception: Exception) -> HttpResponse | None:
    """The 400 / 409 answer for an ApplicationError or ConflictError that left a page view, or None.
    Nothing was changed: the service's transaction rolled back when it raised."""
    if isinstance(exception, ConflictError):
        status, message = 409, exception.message
    elif isinstance(exception, ApplicationError):
        status, message = 400, first_error(exception.field_errors) or exception.message
    else:
        return None
    if getattr(request, "htmx", False):
        # htmx swaps 400 and 409 into the element the request targets: the message, not a whole page.
        return HttpResponse(format_html('<p class="flash flash-error" role="alert">{}</p>', message), status=status)
    return render(request, "400.html", {"message": message, "conflict": status == 409}, status=status)
