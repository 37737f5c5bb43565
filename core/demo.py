"""Demo data. `seed_demo` creates the schools and their staff here, then runs the steps that each app's
`demo.py` registers (forms and students, attendance, alerts, meetings), in order, once per school.

A step takes a `DemoSchool` and must be safe to run twice (it does nothing when its data is there).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from core import audit
from core.models import School, User

DEMO_SCHOOLS = [("north", "North High School"), ("south", "South Academy")]
# (username suffix, role, first name, last name)
DEMO_STAFF = [
    ("admin", User.Role.ADMIN, "Ada", "Admin"),
    ("fm1", User.Role.FORM_MASTER, "Femi", "Okafor"),
    ("fm2", User.Role.FORM_MASTER, "Grace", "Lindqvist"),
    ("teacher", User.Role.TEACHER, "Tom", "Teacher"),
    ("counselor", User.Role.COUNSELOR, "Cora", "Counsellor"),
]
DEFAULT_PASSWORD = "demo-pass-2026"


@dataclass
class DemoSchool:
    school: School
    users: dict[str, User]
    today: datetime.date
    log: Callable[[str], None]
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DemoStep:
    order: int
    name: str
    run: Callable[[DemoSchool], None]


_steps: list[DemoStep] = []


def demo_step(*, order: int, name: str):
    def register(run):
        _steps.append(DemoStep(order=order, name=name, run=run))
        return run

    return register


def seed(*, password: str = DEFAULT_PASSWORD, today: datetime.date | None = None, log=print) -> list[DemoSchool]:
    autodiscover_modules("demo")
    today = today or timezone.localdate()
    seeded = []
    for code, name in DEMO_SCHOOLS:
        with transaction.atomic():
            school, school_created = School.objects.get_or_create(code=code, defaults={"name": name})
            if school_created:
                audit.record_create(actor=None, instance=school)
            users = {}
            for suffix, role, first, last in DEMO_STAFF:
                username = f"{code}-{suffix}"
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "role": role,
                        "school": school,
                        "first_name": first,
                        "last_name": last,
                        "email": f"{username}@{code}.example.org",
                    },
                )
                # The printed password always works, also on a second run with another --password.
                user.set_password(password)
                user.save(update_fields=["password"])
                if created:
                    audit.record_create(actor=None, instance=user)
                users[suffix] = user
            demo = DemoSchool(school=school, users=users, today=today, log=log)
            for step in sorted(_steps, key=lambda s: s.order):
                step.run(demo)
        seeded.append(demo)
    return seeded
