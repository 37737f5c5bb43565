"""Two people saving the same register at the same moment (needs a real MariaDB/MySQL server)."""

import threading

import pytest
from django.db import connection

from attendance import services
from attendance.models import AttendanceRecord, Register
from core.errors import ConflictError
from students.tests.factories import StudentFactory


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_saves_one_wins_the_other_conflicts(teacher, form_master, form, school_day):
    students = StudentFactory.create_batch(30, school=form.school, class_group=form)
    barrier = threading.Barrier(2)
    outcomes = {}

    def take(user, status):
        try:
            barrier.wait()
            services.register_save(
                actor=user,
                class_group_id=form.pk,
                date=school_day,
                records=[{"student": s.pk, "status": status, "reason": "x"} for s in students],
                expected_version=0,
            )
            outcomes[user.username] = "saved"
        except ConflictError:
            outcomes[user.username] = "conflict"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=take, args=(teacher, "absent")),
        threading.Thread(target=take, args=(form_master, "late")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["conflict", "saved"], outcomes
    winner = teacher if outcomes[teacher.username] == "saved" else form_master
    register = Register.objects.get(class_group=form, date=school_day)
    assert (register.taken_by_id, register.version) == (winner.pk, 1)
    statuses = set(AttendanceRecord.objects.filter(date=school_day).values_list("status", flat=True))
    assert statuses == {"absent" if winner == teacher else "late"}
    assert AttendanceRecord.objects.filter(date=school_day).count() == 30
