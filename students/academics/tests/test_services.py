"""Assessments (one, or a whole form's marks at once), subjects and topics, the subjects CSV import."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from core.models import AuditLog
from core.testing.queries import assert_query_count
from students.academics import services
from students.academics.models import Assessment, GradeBands, Subject, SubjectEnrollment, Topic, TopicProgress

pytestmark = pytest.mark.django_db


def bulk(actor, form, subject, marks, **kwargs):
    header = {
        "title": "Fractions quiz",
        "assessment_type": "quiz",
        "total_marks": "20",
        "assessment_date": kwargs.pop("day"),
    }
    header.update(kwargs)
    return services.assessment_bulk_save(
        actor=actor, class_group_id=form.pk, subject_id=subject.pk, marks=marks, **header
    )


def test_a_whole_forms_marks_with_derived_percentage_and_grade(teacher, form, maths, taught, school_day):
    marks = [
        {"student": s.pk, "marks_obtained": m} for s, m in zip(taught, ["20", "15", "13.5", "11", "9"], strict=False)
    ]
    result = bulk(teacher, form, maths, marks, day=school_day)
    assert (result.created, result.updated) == (len(taught), 0)
    rows = {a.student_id: a for a in Assessment.objects.all()}
    assert [(rows[s.pk].percentage, rows[s.pk].grade, rows[s.pk].status) for s in taught] == [
        (Decimal("100.00"), "A", "graded"),
        (Decimal("75.00"), "B", "graded"),
        (Decimal("67.50"), "C", "graded"),
        (Decimal("55.00"), "D", "graded"),
        (Decimal("45.00"), "F", "graded"),
        (None, "", "pending"),  # left out: pending
    ]
    assert all(a.teacher == teacher and a.class_group == form for a in rows.values())
    assert AuditLog.objects.filter(entity_type="students.assessment", action="create").count() == len(taught)


def test_one_bad_mark_refuses_the_whole_form(teacher, form, maths, taught, school_day, other_form, make_students):
    stranger = make_students(other_form, 1)[0]
    marks = [
        {"student": taught[0].pk, "marks_obtained": "18"},
        {"student": taught[1].pk, "marks_obtained": "21"},  # above the total
        {"student": taught[2].pk, "marks_obtained": "-1"},
        {"student": taught[3].pk, "marks_obtained": "abc"},
        {"student": stranger.pk, "marks_obtained": "3"},
    ]
    with pytest.raises(services.MarksError) as excinfo:
        bulk(teacher, form, maths, marks, day=school_day)
    errors = excinfo.value.student_errors
    assert set(errors) == {taught[1].pk, taught[2].pk, taught[3].pk, stranger.pk}
    assert "At most 20" in errors[taught[1].pk][0]
    assert excinfo.value.as_dict()["marks"][str(taught[2].pk)] == ["Marks cannot be negative."]
    assert not Assessment.objects.exists() and not AuditLog.objects.filter(entity_type="students.assessment").exists()


def test_saving_again_updates_and_left_out_students_keep_their_marks(teacher, form, maths, taught, school_day):
    bulk(teacher, form, maths, [{"student": s.pk, "marks_obtained": "10"} for s in taught], day=school_day)
    again = bulk(teacher, form, maths, [{"student": taught[0].pk, "marks_obtained": "19"}], day=school_day)
    assert (again.created, again.updated, again.unchanged) == (0, 1, len(taught) - 1)
    row = Assessment.objects.get(student=taught[0])
    assert (row.marks_obtained, row.grade, row.version) == (Decimal("19.00"), "A", 2)
    assert Assessment.objects.filter(marks_obtained=Decimal("10")).count() == len(taught) - 1
    with pytest.raises(ConflictError):
        bulk(teacher, form, maths, [{"student": taught[0].pk, "marks_obtained": "5", "version": 1}], day=school_day)
    bulk(teacher, form, maths, [{"student": taught[0].pk, "marks_obtained": None, "version": 2}], day=school_day)
    row.refresh_from_db()
    assert (row.marks_obtained, row.percentage, row.grade, row.status) == (None, None, "", "pending")


def test_a_marks_version_is_a_whole_number_and_a_stale_one_names_the_student(teacher, form, maths, taught, school_day):
    bulk(teacher, form, maths, [{"student": taught[0].pk, "marks_obtained": "10"}], day=school_day)
    for bad in ("1", 1.0, -1, True):
        with pytest.raises(services.MarksError) as refused:
            bulk(
                teacher, form, maths, [{"student": taught[0].pk, "marks_obtained": "4", "version": bad}], day=school_day
            )
        assert refused.value.student_errors == {taught[0].pk: ["Version must be a whole number."]}
    with pytest.raises(ConflictError) as stale:
        bulk(teacher, form, maths, [{"student": taught[0].pk, "marks_obtained": "4", "version": 0}], day=school_day)
    student = taught[0]
    assert stale.value.current_version == 1
    assert str(stale.value) == (
        f"The marks of {student.last_name}, {student.first_name} were saved by someone else since you opened them."
    )
    row = Assessment.objects.get(student=student)
    assert (row.marks_obtained, row.version) == (Decimal("10.00"), 1)


def test_the_schools_grade_bands_are_used(teacher, form, maths, taught, school_day, school):
    GradeBands.objects.create(school=school, a_min=90, b_min=80, c_min=70, d_min=60)
    bulk(teacher, form, maths, [{"student": taught[0].pk, "marks_obtained": "17"}], day=school_day)
    assert Assessment.objects.get(student=taught[0]).grade == "B"


@pytest.mark.parametrize("size", [3, 30])
def test_the_marks_save_takes_a_constant_few_queries(teacher, form, maths, school_day, make_students, enroll, size):
    students = make_students(form, size)
    enroll(students, maths, teacher)
    bulk(teacher, form, maths, [{"student": s.pk, "marks_obtained": "5"} for s in students[:2]], day=school_day)
    marks = [{"student": s.pk, "marks_obtained": "12"} for s in students]
    # savepoint, the students with their rows and the form-level figures, the upsert, the audit rows, release
    with assert_query_count(5) as captured:
        result = bulk(teacher, form, maths, marks, day=school_day)
    assert (result.created, result.updated) == (0, size)  # the first save made every row, pending
    statements = [
        q["sql"] for q in captured.captured_queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert len(statements) == 3


def test_who_may_enter_marks(
    teacher,
    form_master,
    other_form_master,
    counselor,
    admin_user,
    make_user,
    school,
    form,
    maths,
    pupils,
    enroll,
    school_day,
):
    enroll(pupils, maths, teacher)
    for actor in (teacher, form_master, admin_user):
        bulk(actor, form, maths, [], day=school_day)
    for actor in (other_form_master, make_user("teacher", school, username="north-art"), counselor):
        with pytest.raises(PermissionDeniedError):
            bulk(actor, form, maths, [], day=school_day)


def test_another_schools_form_or_subject(other_admin, admin_user, form, maths, other_subject, pupils, school_day):
    with pytest.raises(NotFoundError):
        bulk(other_admin, form, other_subject, [], day=school_day)
    with pytest.raises(ApplicationError) as excinfo:
        bulk(admin_user, form, other_subject, [], day=school_day)
    assert "subject" in excinfo.value.field_errors


def test_marks_are_not_entered_for_a_day_to_come(teacher, form, maths, taught, school_day):
    future = timezone.localdate() + datetime.timedelta(days=3)
    with pytest.raises(ApplicationError) as excinfo:
        bulk(teacher, form, maths, [{"student": taught[0].pk, "marks_obtained": "3"}], day=future)
    assert "assessment_date" in excinfo.value.field_errors
    bulk(teacher, form, maths, [], day=future)  # set for later: every row pending
    assert set(Assessment.objects.values_list("status", flat=True)) == {"pending"}


def test_topic_tagged_assessments_feed_topic_progress(
    teacher, form, maths, maths_topics, taught, school_day, django_capture_on_commit_callbacks
):
    topic = maths_topics[2]
    with django_capture_on_commit_callbacks(execute=True):
        bulk(
            teacher,
            form,
            maths,
            [{"student": taught[0].pk, "marks_obtained": "19"}, {"student": taught[1].pk, "marks_obtained": "4"}],
            day=school_day,
            topic_id=topic.pk,
        )
    progress = {p.student_id: p for p in TopicProgress.objects.filter(topic=topic)}
    assert (progress[taught[0].pk].competency_level, progress[taught[0].pk].status) == (5, "mastered")
    assert (progress[taught[1].pk].competency_level, progress[taught[1].pk].status) == (0, "needs_review")
    assert taught[2].pk not in progress  # pending: no evidence


def test_refreshing_topic_progress_takes_fixed_queries(school, form, maths, make_students, school_day):
    """Creating the rows, then changing them, for 2 students in 2 topics and for 30 in 3: the same
    statements (a batch each, on SQLite too: 90 rows stay under its 999 parameters a statement)."""
    from students.academics.progress import refresh_topic_progress
    from students.academics.tests.factories import AssessmentFactory, TopicFactory

    def refresh_twice(students, topics):
        for student in students:
            for topic in topics:
                AssessmentFactory(
                    school=school, student=student, subject=maths, topic=topic, marks_obtained=Decimal("19")
                )
        ids = {"school_id": school.pk, "student_ids": [s.pk for s in students], "topic_ids": [t.pk for t in topics]}
        # the lessons attended, the graded assessments, savepoint, the stored rows, the inserts, their
        # audit rows, release
        with assert_query_count(7):
            assert refresh_topic_progress(**ids) == len(students) * len(topics)
        Assessment.objects.filter(topic__in=topics).update(marks_obtained=Decimal("4"), percentage=Decimal("20"))
        # the same, with one UPDATE for the changed rows in place of the inserts
        with assert_query_count(7):
            assert refresh_topic_progress(**ids) == len(students) * len(topics)
        with assert_query_count(5):  # nothing changed: nothing written
            assert refresh_topic_progress(**ids) == 0

    refresh_twice(make_students(form, 2), [TopicFactory(school=school, subject=maths) for _ in range(2)])
    refresh_twice(make_students(form, 30), [TopicFactory(school=school, subject=maths) for _ in range(3)])
    assert TopicProgress.objects.filter(status="needs_review").count() == 2 * 2 + 30 * 3


def test_single_assessment(teacher, taught, maths, school_day):
    assessment = services.assessment_create(
        actor=teacher,
        student_id=taught[0].pk,
        subject_id=maths.pk,
        assessment_type="exam",
        title="Mock",
        total_marks="80",
        marks_obtained="52",
        assessment_date=school_day,
    )
    assert (assessment.percentage, assessment.grade) == (Decimal("65.00"), "C")
    with pytest.raises(ApplicationError):
        services.assessment_create(
            actor=teacher,
            student_id=taught[0].pk,
            subject_id=maths.pk,
            assessment_type="exam",
            title="Mock",
            total_marks="80",
            assessment_date=school_day,
        )
    with pytest.raises(ApplicationError) as excinfo:
        services.assessment_create(
            actor=teacher,
            student_id=taught[1].pk,
            subject_id=maths.pk,
            assessment_type="exam",
            title="Mock",
            total_marks="0",
            assessment_date=school_day,
        )
    assert "total_marks" in excinfo.value.field_errors


def test_subjects_and_topics_are_managed_by_admins(admin_user, teacher):
    subject = services.subject_create(actor=admin_user, name="Biology", code="bio")
    assert subject.code == "BIO"
    with pytest.raises(ApplicationError):
        services.subject_create(actor=admin_user, name="Biology again", code="BIO")
    first = services.topic_create(actor=admin_user, subject=subject, name="Cells")
    second = services.topic_create(actor=admin_user, subject=subject, name="Genetics")
    assert (first.order_index, second.order_index) == (1, 2)
    with pytest.raises(PermissionDeniedError):
        services.subject_create(actor=teacher, name="Art", code="ART")
    services.subject_update(actor=admin_user, subject=subject, status="inactive")
    assert Subject.objects.get(pk=subject.pk).status == "inactive"
    assert AuditLog.objects.filter(entity_type="students.topic", action="create").count() == 2


CSV = """student_id,subject_code,subject_name,teacher,enrollment_date,status
{a},MATH,,north-teacher,2026-09-02,
{b},math,,north-teacher,,
{a},ART,Art and design,,,
"""


def test_subjects_import_all_or_nothing(school, admin_user, teacher, maths, pupils):
    a, b = pupils[0].student_id, pupils[1].student_id
    result = services.subjects_import(actor=admin_user, school=school, text=CSV.format(a=a, b=b))
    assert (result.enrollments_created, result.subjects_created) == (3, ["ART"])
    assert SubjectEnrollment.objects.filter(subject=maths, teacher=teacher).count() == 2
    bad = CSV.format(a=a, b="NOPE") + f"{a},SCI,,nobody,2026-13-01,sleeping\n"
    with pytest.raises(services.SubjectsImportError) as excinfo:
        services.subjects_import(actor=admin_user, school=school, text=bad)
    lines = dict(excinfo.value.lines)
    assert set(lines) == {3, 5} and "no student" in lines[3] and "unknown subject" in lines[5]
    assert SubjectEnrollment.objects.count() == 3 and not Topic.objects.exists()


def _subjects_import_queries(*, lines: int, new_subjects: int) -> int:
    # the school's students, subjects and staff, savepoint, each new subject and its audit row, the stored
    # enrollments, the upsert of every line (which returns their ids), their audit rows, release: not one more
    # for a longer file.
    return 8 + 2 * new_subjects


@pytest.mark.parametrize("size", [2, 20])
def test_the_subjects_import_takes_the_same_queries_for_a_short_file_or_a_long_one(
    school, admin_user, teacher, form, maths, make_students, size
):
    students = make_students(form, size)
    text = "student_id,subject_code,subject_name,teacher,enrollment_date,status\n" + "".join(
        f"{s.student_id},{'MATH' if i % 2 else 'ART'},Art and design,north-teacher,2026-09-02,\n"
        for i, s in enumerate(students)
    )
    with assert_query_count(_subjects_import_queries(lines=size, new_subjects=1)):
        result = services.subjects_import(actor=admin_user, school=school, text=text)
    assert (result.enrollments_created, result.subjects_created) == (size, ["ART"])
    changed = text.replace(",2026-09-02,", ",2026-09-03,")
    with assert_query_count(_subjects_import_queries(lines=size, new_subjects=0)):
        result = services.subjects_import(actor=admin_user, school=school, text=changed)
    assert result.enrollments_updated == size
    assert SubjectEnrollment.objects.filter(teacher=teacher).count() == size
    # Each enrollment's creation and change is in the audit log, as one row each, with its actor.
    logged = AuditLog.objects.filter(entity_type="students.subjectenrollment", actor=admin_user)
    created = {row.entity_id: row for row in logged.filter(action="create")}
    assert set(created) == {str(pk) for pk in SubjectEnrollment.objects.values_list("pk", flat=True)}
    assert {row.after["enrollment_date"] for row in created.values()} == {"2026-09-02"}
    updated = list(logged.filter(action="update"))
    assert len(updated) == size and {row.entity_id for row in updated} == set(created)
    assert {(row.before["enrollment_date"], row.after["enrollment_date"]) for row in updated} == {
        ("2026-09-02", "2026-09-03")
    }
    with assert_query_count(6):  # students, subjects, staff, savepoint, the stored enrollments, release
        result = services.subjects_import(actor=admin_user, school=school, text=changed)
    assert (result.unchanged, result.enrollments_created, result.enrollments_updated) == (size, 0, 0)
    assert logged.count() == 2 * size
