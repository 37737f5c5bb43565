"""Run the whole suite as if today were another day: `TEST_TODAY=2027-02-13 python -m pytest`.

The clock travels to 10:00 (local time, `TIME_ZONE`) of that day and keeps ticking, so waits and
timeouts behave. It starts in `pytest_configure`, which runs in the main process and in every xdist
worker alike, before any test module is imported. Without `TEST_TODAY` nothing changes.
"""

from __future__ import annotations

import datetime
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine

_travel: time_machine.travel | None = None


def pinned_now() -> datetime.datetime | None:
    value = os.environ.get("TEST_TODAY", "").strip()
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"TEST_TODAY must be a date as YYYY-MM-DD, not {value!r}.") from None
    zone = ZoneInfo(os.environ.get("TIME_ZONE") or "UTC")
    return datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=zone)


def pytest_configure(config):
    global _travel
    now = pinned_now()
    if now is None or _travel is not None:
        return
    _travel = time_machine.travel(now, tick=True)
    _travel.start()


def pytest_unconfigure(config):
    global _travel
    if _travel is not None:
        _travel.stop()
        _travel = None


def pytest_report_header(config):
    now = pinned_now()
    return f"today pinned to {now:%Y-%m-%d %H:%M %Z} (TEST_TODAY)" if now else None
