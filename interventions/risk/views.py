"""Risk pages: `/risk/` (the school or one form, sortable by level, with the reasons, filterable to "no
action yet") and the profile's ABC panel, which refreshes itself after a behaviour record is saved."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from core.pages import page_filters, query_without
from core.permissions import STAFF, role_required
from interventions.risk import selectors
from interventions.risk.api import INDICATORS
from students import selectors as student_selectors

PAGE_SIZE = 50
LEVEL_WORDS = {0: "On track", 1: "Watch", 2: "At risk", 3: "High risk", 4: "Very high risk"}


def decorate(risk) -> None:
    """Attach what the row template needs: the reasons of the indicators above 0, and strengths."""
    figures = risk.figures or {}
    risk.level_words = LEVEL_WORDS.get(risk.level, "")
    risk.reasons = [
        (name.capitalize(), figures[name]["words"])
        for name in INDICATORS
        if figures.get(name, {}).get("level", 0) > 0 and figures[name].get("words")
    ]
    risk.strengths = figures.get("strengths", [])


@role_required(*STAFF)
def risk_levels(request):
    # A hand-edited bad filter: the defaults, the problem beside the filters, a 400 (core.pages).
    filters, parsed = page_filters(selectors.parse_risk_page_filters, request)
    risks = selectors.risk_levels(actor=request.user, **filters)
    page = Paginator(risks, PAGE_SIZE).get_page(request.GET.get("page"))
    for risk in page:
        decorate(risk)
    context = {
        "page": page,
        "filters": filters,
        "class_groups": student_selectors.class_group_list(actor=request.user),
        "levels": [(n, f"{n}+ ({LEVEL_WORDS[n]})") for n in range(1, 5)],
        "query": query_without(request, "page"),
        "sort_query": query_without(request, "page", "sort"),
        "next_level_sort": "level" if filters["ordering"] == "-level" else "-level",
    }
    template = "interventions/risk/_risk_table.html" if request.htmx else "interventions/risk/list.html"
    response = render(request, template, {**context, "filter_errors": parsed.field_errors}, status=parsed.status)
    response["Vary"] = "HX-Request"
    return response


def abc_panel_context(actor, student) -> dict:
    risk = selectors.student_risk(student=student)
    indicators = []
    if risk is not None:
        decorate(risk)
        for name in INDICATORS:
            figures = risk.figures.get(name, {})
            indicators.append(
                {
                    "name": name.capitalize(),
                    "level": figures.get("level", 0),
                    "words": figures.get("words", ""),
                    "trend": figures.get("trend"),
                }
            )
    return {
        "student": student,
        "risk": risk,
        "indicators": indicators,
        "forecast": selectors.student_forecast(student=student),
        "level_words": LEVEL_WORDS,
    }


@role_required(*STAFF)
def abc_panel(request, student_id: int):
    student = student_selectors.student_get(actor=request.user, id=student_id)
    return render(request, "interventions/risk/_abc_panel.html", {"section": abc_panel_context(request.user, student)})
