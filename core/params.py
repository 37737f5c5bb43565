"""The filters of a list from its query parameters, for the pages and the API alike: a bad value is an
ApplicationError naming every bad parameter (400), not a list quietly unfiltered."""

from __future__ import annotations

from core.errors import ApplicationError
from core.ids import parse_id

ROW_ID = "row id"
INVALID_CHOICE = "“{value}” is not a valid {name}. Allowed: {allowed}."


def parse_filters(params, fields: dict, *, invalid_choice: str = INVALID_CHOICE) -> dict:
    """{name: value} of the `fields` given in `params`. `fields` maps each name to ROW_ID (a row's id)
    or to its allowed values; errors are listed in the order of `fields`. An empty parameter is absent."""
    filters: dict = {}
    errors: dict[str, list[str]] = {}
    for name, allowed in fields.items():
        raw = (params.get(name) or "").strip()
        if not raw:
            continue
        if allowed == ROW_ID:
            value = parse_id(raw)
            if value is None:
                errors[name] = [f"A {name} id is a whole number."]
            else:
                filters[name] = value
        elif raw in allowed:
            filters[name] = raw
        else:
            errors[name] = [invalid_choice.format(value=raw, name=name, allowed=", ".join(allowed))]
    if errors:
        raise ApplicationError(field_errors=errors)
    return filters
