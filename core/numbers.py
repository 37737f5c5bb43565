"""How the pages and their messages write a decimal number."""

from __future__ import annotations

from decimal import Decimal


def plain_number(value: Decimal | None) -> str:
    """A decimal as a person writes it, without trailing zeros or an exponent: 92.50 → "92.5", 90.00 → "90",
    None → ""."""
    return "" if value is None else f"{value.normalize():f}"
