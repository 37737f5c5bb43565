"""The /alerts/ page: one view for the page and its htmx table, one for a row's status change."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from core.permissions import REGISTER_TAKERS, STAFF, role_required
from interventions.alerts import selectors, services
from interventions.alerts.forms import AlertFilterForm, AlertStatusForm

PAGE_SIZE = 50
CONFLICT_MESSAGE = "This alert was changed by someone else; it now shows the current state."


def decorate(alerts, actor):
    """Attach what the row template needs: the reason in words and what the user may do."""
    for alert in alerts:
        alert.reason = selectors.alert_reason(alert)
        alert.user_can_act = alert.is_active and services.can_act_on_alert(actor, alert)
        alert.user_can_record_meeting = alert.is_active and services.can_record_meeting_for(actor, alert)
    return alerts


@role_required(*STAFF)
def alert_list_page(request):
    form = AlertFilterForm(request.GET or None)
    alerts = selectors.alert_list(actor=request.user, **form.filters())
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = decorate(list(page.object_list), request.user)
    context = {"form": form, "page": page, "alerts": page.object_list, "query": _query_without_page(request)}
    template = "interventions/alerts/_alert_table.html" if request.htmx else "interventions/alerts/list.html"
    return render(request, template, context)


@require_POST
@role_required(*REGISTER_TAKERS)
def alert_change_status_page(request, pk):
    try:
        alert = selectors.alert_get(actor=request.user, alert_id=pk)
    except NotFoundError:
        raise Http404 from None
    form = AlertStatusForm(request.POST)
    status_code, error = 200, None
    if not form.is_valid():
        status_code, error = 400, _first_error(form.errors)
    else:
        try:
            alert = services.alert_change_status(actor=request.user, alert=alert, **form.cleaned_data)
        except ConflictError:
            status_code, error = 409, CONFLICT_MESSAGE
        except ApplicationError as exc:
            status_code, error = 400, _first_error(exc.field_errors) or exc.message
        except PermissionDeniedError as exc:
            status_code, error = 403, exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"Alert {alert.get_status_display().lower()}.")
        return redirect("alerts")
    # The row as it is now (re-read when someone else changed it), with the message when there is one.
    alert = selectors.alert_get(actor=request.user, alert_id=pk)
    decorate([alert], request.user)
    context = {"alert": alert, "row_error": error, "row_done": None if error else alert.get_status_display()}
    return render(request, "interventions/alerts/_alert_row.html", context, status=status_code)


def _first_error(errors) -> str | None:
    for field, messages_ in errors.items():
        if messages_:
            return f"{'' if field in ('__all__', 'detail') else field.capitalize() + ': '}{messages_[0]}"
    return None


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
