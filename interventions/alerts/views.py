"""The /alerts/ page: one view for the page and its htmx table, one for a row's status change."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.dates import day_words
from core.pages import attempt, first_error, page_filters, query_without
from core.permissions import REGISTER_TAKERS, STAFF, role_required
from interventions.alerts import selectors, services
from interventions.alerts.forms import AlertStatusForm
from interventions.models import Alert

PAGE_SIZE = 50
CONFLICT_MESSAGE = "This alert was changed by someone else; it now shows the current state."


KIND_LABELS = dict(Alert.Kind.choices)
SEVERITY_LABELS = dict(Alert.Severity.choices)
STATUS_LABELS = dict(Alert.Status.choices)


def decorate(alerts, actor):
    """Attach what the row template needs: its labels and day in words (written here once a row, where the
    template's `get_…_display` and `|date` cost it a lookup chain and a locale-aware formatter each), the
    reason in words and what the user may do."""
    for alert in alerts:
        alert.kind_label = KIND_LABELS[alert.kind]
        alert.severity_label = SEVERITY_LABELS[alert.severity]
        alert.status_label = STATUS_LABELS[alert.status]
        alert.raised = day_words(alert.created_at)
        alert.reason = selectors.alert_reason(alert)
        alert.user_can_act = alert.is_active and services.can_act_on_alert(actor, alert)
        alert.user_can_record_meeting = alert.is_active and services.can_record_meeting_for(actor, alert)
    return alerts


@role_required(*STAFF)
def alert_list_page(request):
    # A hand-edited bad filter: the defaults, the problem beside the filters, a 400 (core.pages).
    filters, parsed = page_filters(selectors.parse_alert_page_filters, request)
    status = None if filters["status"] == selectors.ALL else filters["status"]
    alerts = selectors.alert_list(actor=request.user, status=status, kind=filters["kind"] or None)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = decorate(list(page.object_list), request.user)
    context = {
        "filters": filters,
        "filter_errors": parsed.field_errors,
        "status_choices": selectors.PAGE_STATUS_CHOICES,
        "kind_choices": Alert.Kind.choices,
        "page": page,
        "alerts": page.object_list,
        "query": query_without(request, "page"),
    }
    template = "interventions/alerts/_alert_table.html" if request.htmx else "interventions/alerts/list.html"
    return render(request, template, context, status=parsed.status)


@require_POST
@role_required(*REGISTER_TAKERS)
def alert_change_status_page(request, pk):
    alert = selectors.alert_get(actor=request.user, alert_id=pk)
    form = AlertStatusForm(request.POST)
    status_code, error = 200, None
    if not form.is_valid():
        status_code, error = 400, first_error(form.errors)
    else:
        outcome = attempt(
            services.alert_change_status,
            actor=request.user,
            alert=alert,
            conflict_message=CONFLICT_MESSAGE,
            **form.cleaned_data,
        )
        status_code, error = outcome.status, outcome.message
        alert = outcome.value if outcome.ok else alert
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
