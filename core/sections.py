"""Sections that apps contribute to shared pages (the home page, the student profile), and figures they
contribute to a shared object (a student's detail in the API: its attendance rate, its open alerts; the
school's figures on the home page: its registers taken today).

Each app's `sections.py` registers its sections with `@page_section(page=..., order=..., template=...)`.
A section function takes the acting user (and the page's objects as keyword arguments, e.g. `student`)
and returns a context dict for its template, or None to show nothing (e.g. a role it does not concern).
A figures function (`@object_figures(of=STUDENT_FIGURES)`) takes the object as a keyword argument and
returns {name: value}; an app below never imports the apps that count things about its rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

DASHBOARD = "dashboard"
STUDENT_PROFILE = "student_profile"
STUDENT_FIGURES = "student_figures"
SCHOOL_FIGURES = "school_figures"  # the school in figures on the home page (objects: actor, today)
MEETING_DETAIL = "meeting_detail"  # a meeting's progress tracker page (objects: meeting, student)
PROGRAM_DETAIL = "program_detail"  # a program's page (objects: program)


@dataclass(frozen=True)
class Section:
    page: str
    order: int
    template: str
    build: Callable


_sections: list[Section] = []


def page_section(*, page: str, order: int, template: str):
    def register(build):
        _sections.append(Section(page=page, order=order, template=template, build=build))
        return build

    return register


def sections_for(page: str, actor, **objects) -> list[tuple[str, dict]]:
    """[(template, context), …] of the sections of `page` that concern `actor`, in order."""
    autodiscover_modules("sections")
    rendered = []
    for section in sorted((s for s in _sections if s.page == page), key=lambda s: s.order):
        context = section.build(actor, **objects)
        if context is not None:
            rendered.append((section.template, context))
    return rendered


_figures: list[tuple[str, Callable]] = []


def object_figures(*, of: str):
    def register(build):
        _figures.append((of, build))
        return build

    return register


def figures_for(of: str, **objects) -> dict:
    """{name: value} of every figure registered for `of`, computed for `objects`."""
    autodiscover_modules("sections")
    figures = {}
    for kind, build in _figures:
        if kind == of:
            figures.update(build(**objects))
    return figures
