"""core.locking: one conditional UPDATE per save; a stale save raises ConflictError; a plain save() of a
stored versioned row is refused."""

import threading

import pytest
from django.db import connection, connections, transaction

from core import audit
from core.errors import ConflictError
from core.locking import UnversionedSaveError, conflict, expect_version, versioned_save, versioned_update
from core.models import AuditLog
from core.services import audited_update
from core.testing.queries import assert_query_count
from students.models import Student
from students.tests.factories import StudentFactory


@pytest.mark.django_db
class TestOnEveryDatabase:
    def test_new_rows_start_at_version_one_and_each_save_adds_one(self, school):
        student = StudentFactory(school=school)
        assert student.version == 1
        student.first_name = "Kofi"
        versioned_save(student)
        versioned_save(student)
        assert student.version == 3
        assert Student.objects.values_list("version", "first_name").get(pk=student.pk) == (3, "Kofi")

    def test_a_save_is_one_conditional_update(self, school):
        student = StudentFactory(school=school)
        student.first_name = "Kofi"
        with assert_query_count(1) as captured:
            versioned_save(student)
        sql = captured.captured_queries[0]["sql"]
        assert sql.startswith("UPDATE") and '"version" = 1' in sql.replace("`", '"')

    def test_a_stale_copy_raises_conflict_with_the_current_version(self, school):
        student = StudentFactory(school=school, first_name="Ama")
        mine = Student.objects.get(pk=student.pk)
        theirs = Student.objects.get(pk=student.pk)

        theirs.first_name = "Abena"
        versioned_save(theirs)
        mine.first_name = "Akua"
        with pytest.raises(ConflictError) as caught:
            versioned_save(mine)

        assert caught.value.current_version == 2
        assert Student.objects.values_list("first_name", "version").get(pk=student.pk) == ("Abena", 2)

    def test_a_client_version_is_checked(self, school):
        student = StudentFactory(school=school)
        versioned_save(student)
        student.version = 1  # the version the client last saw
        with pytest.raises(ConflictError):
            versioned_save(student)

    def test_update_fields_only_write_those_fields(self, school):
        student = StudentFactory(school=school, first_name="Ama", last_name="Mensah")
        Student.objects.filter(pk=student.pk).update(last_name="Changed")
        student.first_name = "Akua"
        versioned_save(student, update_fields=["first_name"])
        assert Student.objects.values_list("first_name", "last_name", "version").get(pk=student.pk) == (
            "Akua",
            "Changed",
            2,
        )

    def test_a_plain_save_of_a_stored_row_is_refused_and_writes_nothing(self, school):
        """Only core.locking writes a stored versioned row: save() would skip the version check."""
        student = StudentFactory(school=school, first_name="Ama")
        student.first_name = "Akua"
        with assert_query_count(0), pytest.raises(UnversionedSaveError, match="versioned_save"):
            student.save()
        assert Student.objects.values_list("first_name", "version").get(pk=student.pk) == ("Ama", 1)

    def test_save_only_inserts_even_with_the_pk_of_a_stored_row(self, school):
        """A new instance given a stored row's pk is an INSERT (an IntegrityError), never an unchecked UPDATE."""
        from django.db import IntegrityError

        student = StudentFactory(school=school, first_name="Ama")
        copy = Student(pk=student.pk, school=school, student_id="X1", first_name="Akua", last_name="B")
        with pytest.raises(IntegrityError), transaction.atomic():
            copy.save()
        assert Student.objects.values_list("first_name", "version").get(pk=student.pk) == ("Ama", 1)

    def test_versioned_update_of_a_model_by_pk_and_the_conflict_it_raises(self, school):
        student = StudentFactory(school=school, first_name="Ama")
        assert versioned_update(Student, pk=student.pk, version=1, first_name="Akua") == 2
        with pytest.raises(ConflictError) as caught:
            versioned_update(Student, pk=student.pk, version=1, first_name="Late")
        assert caught.value.current_version == 2
        assert conflict(Student, student_id=student.student_id, school=school).current_version == 2
        assert conflict(Student, pk=student.pk + 999).current_version is None

    def test_expect_version_refuses_another_version_than_the_one_read(self, school):
        student = StudentFactory(school=school)
        expect_version(student, None)
        expect_version(student, 1)
        with pytest.raises(ConflictError) as caught:
            expect_version(student, 3)
        assert caught.value.current_version == 1

    def test_expect_version_of_a_stored_version_counts_never_saved_as_zero(self):
        """A form's register or a lesson: the version stored for them, None before the first save."""
        expect_version(None, 0)
        expect_version(4, 4)
        expect_version(4, None)
        with pytest.raises(ConflictError) as caught:
            expect_version(None, 2, message="Changed since you opened it.")
        assert (caught.value.current_version, str(caught.value)) == (None, "Changed since you opened it.")
        with pytest.raises(ConflictError) as caught:
            expect_version(5, 4)
        assert caught.value.current_version == 5

    def test_a_stale_audited_update_leaves_no_audit_row(self, school, admin_user):
        student = StudentFactory(school=school)
        versioned_save(Student.objects.get(pk=student.pk))
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
                versioned_save(copy)
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
            versioned_save(copy)
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
        versioned_save(fast)
    other_committed.set()
    thread.join(timeout=30)

    assert outcome == {"read_version": 1, "result": ("conflict", 2)}
    assert Student.objects.values_list("first_name", "version").get(pk=student.pk) == ("Fast", 2)
