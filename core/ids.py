"""Bounds on the whole numbers that clients send as row ids and versions.

A number past what the database stores (SQLite raises OverflowError beyond 2**63 - 1) is bad input:
it is refused as a 400 / "not found" before it reaches a query.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1  # the largest BIGINT key on SQLite and MySQL
MAX_VERSION = 2**31 - 1  # `version` is a positive INT column


def parse_id(value) -> int | None:
    """A row id from a query parameter or form value; None when it is not a usable id."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
