"""OptimisticLockMixin: one conditional UPDATE per save; a stale save raises ConflictError."""

import threading

import pytest
from django.db import connection, connections, transaction

from core import audit
from core.errors import ConflictError
from core.models import AuditLog
from core.services import audited_update
from students.models import Student
from students.tests.factories import StudentFactory


@pytest.mark.django_db
class TestOnEveryDatabase:
    def test_new_rows_start_at_version_one_and_each_save_adds_one(self, school):
        student = StudentFactory(school=school)
        assert student.version == 1
        student.first_name = "Kofi"
        student.save()
        student.save()
        assert student.version == 3
        assert Student.objects.values_list("version", "first_name").get(pk=student.pk) == (3, "Kofi")

    def test_a_save_is_one_conditional_update(self, school, django_assert_num_queries):
        student = StudentFactory(school=school)
        student.first_name = "Kofi"
        with django_assert_num_queries(1) as captured:
            student.save()
        sql = captured.captured_queries[0]["sql"]
        assert sql.startswith("UPDATE") and '"version" = 1' in sql.replace("`", '"')

    def test_a_stale_copy_raises_conflict_with_the_current_version(self, school):
        student = StudentFactory(school=school, first_name="Ama")
        mine = Student.objects.get(pk=student.pk)
        theirs = Student.objects.get(pk=student.pk)

        theirs.first_name = "Abena"
        theirs.save()
        mine.first_name = "Akua"
        with pytest.raises(ConflictError) as caught:
            mine.save()

        assert caught.value.current_version == 2
        assert Student.objects.values_list("first_name", "version").get(pk=student.pk) == ("Abena", 2)

    def test_a_client_version_is_checked(self, school):
        student = StudentFactory(school=school)
        student.save()
        student.version = 1  # the version the client last saw
        with pytest.raises(ConflictError):
            student.save()

    def test_update_fields_only_write_those_fields(self, school):
        student = StudentFactory(school=school, first_name="Ama", last_name="Mensah")
        Student.objects.filter(pk=student.pk).update(last_name="Changed")
        student.first_name = "Akua"
        student.save(update_fields=["first_name"])
        assert Student.objects.values_list("first_name", "last_name", "version").get(pk=student.pk) == (
            "Akua",
            "Changed",
            2,
        )

    def test_a_stale_audited_update_leaves_no_audit_row(self, school, admin_user):
        student = StudentFactory(school=school)
        Student.objects.get(pk=student.pk).save()
        before = audit.snapshot(student)
        student.first_name = "Late"
        with pytest.raises(ConflictError):
            audited_update(actor=admin_user, instance=student, before=before)
        assert AuditLog.objects.count() == 0
        assert Student.objects.get(pk=student.pk).first_name != "Late"


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_two_connections_race_one_wins_the_other_conflicts(school):
    """Two sessions both read version 1 and save at once: one UPDATE matches, the other gets 0 rows."""
    student = StudentFactory(school=school, first_name="Original")
    both_read = threading.Barrier(2, timeout=10)
    outcomes = {}

    def edit(name):
        try:
            with transaction.atomic():
                copy = Student.objects.get(pk=student.pk)
                assert copy.version == 1
                both_read.wait()
                copy.first_name = name
                copy.save()
            outcomes[name] = "saved"
        except ConflictError as exc:
            outcomes[name] = ("conflict", exc.current_version)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(name,)) for name in ("Alice", "Bongani")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(str(v) for v in outcomes.values()) == ["('conflict', 2)", "saved"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    stored = Student.objects.values_list("first_name", "version").get(pk=student.pk)
    assert stored == (winner, 2)
    assert connection.vendor == "mysql"


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_a_save_committed_by_another_connection_makes_a_held_copy_stale(school):
    """A session holding version 1 while another session commits version 2 gets the conflict on save."""
    student = StudentFactory(school=school, first_name="Original")
    has_read, other_committed = threading.Event(), threading.Event()
    outcome = {}

    def slow_editor():
        try:
            copy = Student.objects.get(pk=student.pk)
            outcome["read_version"] = copy.version
            has_read.set()
            other_committed.wait(timeout=10)
            copy.first_name = "Slow"
            copy.save()
            outcome["result"] = "saved"
        except ConflictError as exc:
            outcome["result"] = ("conflict", exc.current_version)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_editor)
    thread.start()
    assert has_read.wait(timeout=10)
    with transaction.atomic():
        fast = Student.objects.get(pk=student.pk)
        fast.first_name = "Fast"
        fast.save()
    other_committed.set()
    thread.join(timeout=30)

    assert outcome == {"read_version": 1, "result": ("conflict", 2)}
    assert Student.objects.values_list("first_name", "version").get(pk=student.pk) == ("Fast", 2)
