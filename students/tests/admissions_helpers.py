"""Shared set-up of the admissions tests."""

from __future__ import annotations

import datetime

from students.admissions import services
from students.admissions.models import Inquiry

# A fixed day: every date in these tests is built from it (time-machine pins the clock to it).
TODAY = datetime.date(2026, 10, 14)


def new_inquiry(actor, *, today=TODAY, **data) -> Inquiry:
    fields = {"student_name": "Ada Lovelace", "phone": "+44 7700 900111", "email": "ada.family@example.org"}
    fields.update(data)
    return services.inquiry_create(actor=actor, today=today, **fields)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)
