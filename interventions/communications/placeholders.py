"""The `{placeholders}` a communication template may use, checked when it is saved, filled in when sent."""

from __future__ import annotations

import datetime
import string

from django.utils import dateformat

PLACEHOLDERS = (
    "student_first_name",
    "student_last_name",
    "guardian_name",
    "school_name",
    "program_name",
    "date",
)
_formatter = string.Formatter()


def placeholder_errors(text: str) -> list[str]:
    """What is wrong with the placeholders of `text` (empty when nothing is). `{{` and `}}` are literal
    braces; anything else between braces must be one of PLACEHOLDERS, with no format or conversion."""
    try:
        parts = list(_formatter.parse(text or ""))
    except ValueError:
        return ["Unbalanced braces: write a placeholder as {name}, and a literal brace as {{ or }}."]
    errors = []
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            errors.append(
                f"Unknown placeholder {shown}. Allowed: " + ", ".join("{" + p + "}" for p in PLACEHOLDERS) + "."
            )
    return errors


def placeholder_values(*, student, school, program=None, on: datetime.date) -> dict[str, str]:
    return {
        "student_first_name": student.first_name,
        "student_last_name": student.last_name,
        "guardian_name": student.guardian_name or "Parent or guardian",
        "school_name": school.name,
        "program_name": getattr(program, "name", "") or "",
        "date": dateformat.format(on, "j F Y"),
    }


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with its placeholders replaced (text whose placeholders were checked when it was saved)."""
    return (text or "").format_map(values)
