"""compute_risk_levels: set-based, idempotent, only changed rows written with their audit rows; the
touched students refreshed on commit after a register or a behaviour record is saved."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from attendance.services import register_save
from core.models import AuditLog
from core.testing.queries import assert_query_count
from interventions.models import StudentRisk
from interventions.risk import services
from interventions.risk.tests.helpers import attendance, penalties
from students.behaviour.services import behaviour_record_create
from students.models import Student
from students.tests.factories import StudentFactory
from students.tests.fixtures import last_school_weekday


def _audits(action):
    return AuditLog.objects.filter(entity_type="interventions.studentrisk", action=action).count()


@pytest.mark.django_db
def test_idempotent_and_only_changed_rows_are_written_and_audited(school, form, make_students, admin_user):
    students = make_students(form, 4)
    attendance(students[0], attended=30, marked=45)
    first = services.compute_for_school(school=school)
    assert (first.created, first.changed, first.unchanged) == (4, 0, 0)
    assert _audits("create") == 4

    again = services.compute_for_school(school=school)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 4)
    assert _audits("update") == 0

    penalties(students[1], 3, by=admin_user)
    third = services.compute_for_school(school=school)
    assert (third.created, third.changed, third.unchanged) == (0, 1, 3)
    entry = AuditLog.objects.get(entity_type="interventions.studentrisk", action="update")
    assert entry.entity_id == str(StudentRisk.objects.get(student=students[1]).pk)
    assert (entry.before["behaviour_level"], entry.after["behaviour_level"]) == (0, 2)
    assert entry.school_id == school.pk


@pytest.mark.django_db
def test_queries_do_not_grow_with_students(school, form, make_students, admin_user):
    """A GROUP BY per indicator, not a loop per student."""
    make_students(form, 3)
    services.compute_for_school(school=school)
    # settings, year, holidays, students, the four aggregates, the stored digests: nothing to write
    with assert_query_count(9):
        small = services.compute_for_school(school=school)
    assert (small.students, small.unchanged) == (3, 3)
    for student in make_students(form, 30):
        attendance(student, attended=40, marked=45)
    services.compute_for_school(school=school)
    with assert_query_count(9):
        large = services.compute_for_school(school=school)
    assert (large.students, large.unchanged) == (33, 33)


@pytest.mark.django_db
def test_new_and_changed_rows_are_written_in_the_same_queries_whatever_their_number(
    school, form, make_students, admin_user
):
    """The rows of new students and the changed rows are written with their audit rows in bulk: the same
    statements for 3 students as for 30."""
    few = make_students(form, 3)
    # the 9 reads of the computation, savepoint, the rows, their audit rows, release
    with assert_query_count(13):
        first = services.compute_for_school(school=school)
    assert first.created == 3
    many = make_students(form, 30)
    for student in many:
        attendance(student, attended=30, marked=45)
    with assert_query_count(13):
        second = services.compute_for_school(school=school)
    assert (second.created, second.unchanged) == (30, 3)
    assert _audits("create") == 33

    for student in few:
        penalties(student, 3, by=admin_user)
    # the 9 reads, savepoint, the changed rows locked, one UPDATE, their audit rows, release
    with assert_query_count(14):
        third = services.compute_for_school(school=school)
    assert (third.changed, third.unchanged) == (3, 30)
    for student in many:
        penalties(student, 3, by=admin_user)
    with assert_query_count(14):
        fourth = services.compute_for_school(school=school)
    assert (fourth.changed, fourth.unchanged) == (30, 3)
    assert _audits("update") == 33
    assert StudentRisk.objects.filter(school=school, behaviour_level=2).count() == 33


@pytest.mark.django_db
def test_command_for_one_school_leaves_the_other(school, other_school, form, other_form, make_students, capsys):
    make_students(form, 2)
    make_students(other_form, 3)
    call_command("compute_risk_levels", "--school", school.code)
    assert StudentRisk.objects.filter(school=school).count() == 2
    assert not StudentRisk.objects.filter(school=other_school).exists()
    assert "2 new" in capsys.readouterr().out
    call_command("compute_risk_levels")
    assert StudentRisk.objects.filter(school=other_school).count() == 3
    assert "0 new, 0 changed, 2 unchanged" in capsys.readouterr().out


@pytest.mark.django_db
def test_inactive_students_are_left_out(school, form, make_students):
    active, gone = make_students(form, 2)
    Student.objects.filter(pk=gone.pk).update(status=Student.Status.WITHDRAWN)
    services.compute_for_school(school=school)
    assert list(StudentRisk.objects.values_list("student_id", flat=True)) == [active.pk]


@pytest.mark.django_db(transaction=True)
def test_a_behaviour_record_refreshes_the_student_on_commit(school, form, make_students, admin_user):
    student, other = make_students(form, 2)
    services.compute_for_school(school=school)
    for _ in range(3):
        behaviour_record_create(actor=admin_user, student=student, type="penalty", reason="Late to lessons")
    risk = StudentRisk.objects.get(student=student)
    assert (risk.behaviour_level, risk.figures["behaviour"]["penalties"]) == (2, 3)
    assert StudentRisk.objects.get(student=other).behaviour_level == 0


@pytest.mark.django_db(transaction=True)
def test_a_register_save_refreshes_the_form(school, form, admin_user):
    student = StudentFactory(school=school, class_group=form)
    today = last_school_weekday()
    attendance(student, attended=40, marked=40, end=today - datetime.timedelta(days=7))
    services.compute_for_school(school=school)
    assert StudentRisk.objects.get(student=student).attendance_level == 0
    day = today
    for _ in range(5):
        register_save(
            actor=admin_user, class_group_id=form.pk, date=day, records=[{"student": student.pk, "status": "absent"}]
        )
        day -= datetime.timedelta(days=1)
        while day.weekday() >= 5:
            day -= datetime.timedelta(days=1)
    risk = StudentRisk.objects.get(student=student)
    assert risk.figures["attendance"]["attended"] == 40 and risk.figures["attendance"]["marked"] == 45
    assert risk.attendance_level == 2
    assert risk.computed_at <= timezone.now()


@pytest.mark.django_db(transaction=True)
def test_a_forms_marks_refresh_the_course_indicator_on_commit(school, form, admin_user):
    from students.academics.services import assessment_bulk_save
    from students.academics.tests.factories import SubjectFactory

    student = StudentFactory(school=school, class_group=form)
    maths = SubjectFactory(school=school, name="Mathematics", code="MATH")
    services.compute_for_school(school=school)
    assert StudentRisk.objects.get(student=student).course_level == 0
    assessment_bulk_save(
        actor=admin_user,
        class_group_id=form.pk,
        subject_id=maths.pk,
        title="Fractions test",
        assessment_type="exam",
        total_marks=50,
        assessment_date=last_school_weekday(),
        marks=[{"student": student.pk, "marks_obtained": 20}],
    )
    risk = StudentRisk.objects.get(student=student)
    assert (risk.course_level, risk.level) == (2, 2)
    assert risk.figures["course"]["words"] == "Below the 50 % pass mark in Mathematics (40 %)."
