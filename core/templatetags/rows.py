"""For tables that write these once per row.

`{% row_url "name" id %}`: the address of a URL that takes one integer id. It gives exactly what
`{% url "name" id %}` gives, but reverses the name once (per script prefix) and then only puts the id in
place, where `{% url %}` walks the resolver for every row.

`{{ day|row_day }}`: "7 Dec 2026", what `|date:"j M Y"` gives, without its locale lookups.

`{{ number|plain_number }}`: a decimal without trailing zeros, "92.5" for 92.50 (core.numbers)."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse

from core.dates import day_words
from core.numbers import plain_number

register = template.Library()

SENTINEL = 987654321


@lru_cache(maxsize=256)
def _halves(viewname: str, script_prefix: str) -> tuple[str, str]:
    address = reverse(viewname, args=[SENTINEL])
    head, found, tail = address.partition(str(SENTINEL))
    if not found:  # pragma: no cover - a URL whose id is not written as its digits
        raise template.TemplateSyntaxError(f"row_url: {viewname!r} does not write its id as digits")
    return head, tail


def row_url(viewname: str, pk) -> str:
    head, tail = _halves(viewname, get_script_prefix())
    return f"{head}{int(pk)}{tail}"


register.simple_tag(row_url, name="row_url")

register.filter("row_day", day_words)
register.filter("plain_number", plain_number)
