"""Saving a lesson: topics and attendance in one request, idempotent, scoped, audited, in few queries."""

import datetime

import pytest

from attendance.lessons import services
from attendance.lessons.models import Lesson, LessonAttendance, LessonTopic
from core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from core.models import AuditLog
from core.testing.queries import assert_query_count
from students.academics.models import TopicProgress
from students.tests.fixtures import previous_weekday

pytestmark = pytest.mark.django_db
PERIOD = datetime.time(9, 0)


def save(actor, form, subject, day, **kwargs):
    kwargs.setdefault("start_time", PERIOD)
    return services.lesson_save(actor=actor, class_group_id=form.pk, subject_id=subject.pk, date=day, **kwargs)


def test_everyone_is_present_unless_marked_and_topics_are_kept(teacher, form, maths, maths_topics, taught, school_day):
    absent, late = taught[0], taught[1]
    result = save(
        teacher,
        form,
        maths,
        school_day,
        topic_ids=[maths_topics[0].pk, maths_topics[1].pk],
        records=[
            {"student": absent.pk, "status": "absent", "understanding": 4},
            {"student": late.pk, "status": "late", "understanding": 2, "notes": "Bus"},
        ],
    )
    lesson = result.lesson
    assert result.created and result.records_created == len(taught)
    assert sorted(lesson.topics_covered.values_list("pk", flat=True)) == [maths_topics[0].pk, maths_topics[1].pk]
    marks = {a.student_id: a for a in LessonAttendance.objects.filter(lesson=lesson)}
    assert marks[absent.pk].status == "absent" and marks[absent.pk].understanding is None  # absent: no rating
    assert (marks[late.pk].status, marks[late.pk].understanding, marks[late.pk].notes) == ("late", 2, "Bus")
    assert {m.status for pk, m in marks.items() if pk not in (absent.pk, late.pk)} == {"present"}
    assert all(m.date == school_day and m.school_id == form.school_id for m in marks.values())
    assert AuditLog.objects.filter(entity_type="attendance.lessonattendance", action="create").count() == len(taught)
    entry = AuditLog.objects.get(entity_type="attendance.lesson", entity_id=str(lesson.pk))
    assert entry.actor == teacher and entry.after["topics"] == [maths_topics[0].pk, maths_topics[1].pk]


def test_saving_the_same_lesson_again_updates_it(teacher, form, maths, maths_topics, taught, school_day):
    first = save(teacher, form, maths, school_day, topic_ids=[maths_topics[0].pk])
    again = save(teacher, form, maths, school_day, topic_ids=[maths_topics[0].pk])
    assert again.lesson.pk == first.lesson.pk and not again.created
    assert (again.records_created, again.records_updated, again.records_unchanged) == (0, 0, len(taught))
    assert again.lesson.version == 2

    changed = save(
        teacher,
        form,
        maths,
        school_day,
        topic_ids=[maths_topics[1].pk],
        records=[{"student": taught[0].pk, "status": "absent"}],
    )
    assert (changed.records_updated, changed.topics_added, changed.topics_removed) == (
        1,
        [maths_topics[1].pk],
        [maths_topics[0].pk],
    )
    assert Lesson.objects.count() == 1 and LessonAttendance.objects.count() == len(taught)
    assert list(LessonTopic.objects.values_list("topic_id", flat=True)) == [maths_topics[1].pk]
    update = AuditLog.objects.filter(entity_type="attendance.lessonattendance", action="update").get()
    assert update.before["status"] == "present" and update.after["status"] == "absent"

    # Another period of the same day is another lesson.
    save(teacher, form, maths, school_day, start_time=datetime.time(11, 0))
    assert Lesson.objects.count() == 2


def test_a_stale_version_is_a_conflict(teacher, form, maths, taught, school_day):
    save(teacher, form, maths, school_day, expected_version=0)
    with pytest.raises(ConflictError) as excinfo:
        save(teacher, form, maths, school_day, expected_version=0)
    assert excinfo.value.current_version == 1
    save(teacher, form, maths, school_day, expected_version=1)


@pytest.mark.parametrize("size", [3, 30])
def test_the_save_takes_six_statements_whatever_the_form_size(
    teacher, form, maths, maths_topics, school_day, make_students, enroll, size
):
    students = make_students(form, size)
    enroll(students, maths, teacher)
    save(teacher, form, maths, school_day, topic_ids=[maths_topics[0].pk, maths_topics[1].pk])
    records = [{"student": s.pk, "status": "absent"} for s in students[: size // 2]]
    # savepoint, students with the lesson, lesson update, topic removed, topic added, attendance upsert,
    # audit rows, release
    with assert_query_count(8) as captured:
        save(
            teacher,
            form,
            maths,
            school_day,
            topic_ids=[maths_topics[1].pk, maths_topics[2].pk],  # one removed, one added: the worst case
            records=records,
        )
    statements = [
        q["sql"] for q in captured.captured_queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert len(statements) == 6, "\n".join(statements)


def test_who_may_record(
    form_master,
    other_form_master,
    teacher,
    admin_user,
    counselor,
    make_user,
    school,
    form,
    maths,
    pupils,
    enroll,
    school_day,
):
    # The form's form master, an admin and the subject's teacher of the form's students; nobody else.
    enroll(pupils, maths, teacher)
    save(form_master, form, maths, school_day)
    save(admin_user, form, maths, school_day)
    save(teacher, form, maths, school_day)
    stranger = make_user("teacher", school, username="north-art")
    for actor in (stranger, other_form_master):
        with pytest.raises(PermissionDeniedError):
            save(actor, form, maths, school_day)
    with pytest.raises(PermissionDeniedError):
        save(counselor, form, maths, school_day)


def test_another_schools_rows_are_not_found(
    other_admin, form, maths, other_subject, other_form, admin_user, school_day, pupils
):
    with pytest.raises(NotFoundError):
        save(other_admin, form, other_subject, school_day)
    with pytest.raises(ApplicationError) as excinfo:
        save(admin_user, form, other_subject, school_day)
    assert "subject" in excinfo.value.field_errors
    with pytest.raises(NotFoundError):
        save(admin_user, other_form, maths, school_day)


def test_bad_input_is_refused_with_every_problem(admin_user, form, maths, pupils, school_day):
    with pytest.raises(ApplicationError) as excinfo:
        save(
            admin_user,
            form,
            maths,
            school_day,
            records=[
                {"student": pupils[0].pk, "status": "asleep"},
                {"student": pupils[1].pk, "understanding": 9},
                {"student": "x"},
            ],
        )
    assert len(excinfo.value.field_errors["records"]) == 3
    with pytest.raises(ApplicationError) as excinfo:
        save(admin_user, form, maths, school_day, topic_ids=[999999])
    assert "topics" in excinfo.value.field_errors
    future = school_day + datetime.timedelta(days=7)
    with pytest.raises(ApplicationError) as excinfo:
        save(admin_user, form, maths, future)
    assert "date" in excinfo.value.field_errors
    assert not Lesson.objects.exists()


def test_topic_progress_follows_lesson_understanding(
    teacher, form, maths, maths_topics, taught, school_day, django_capture_on_commit_callbacks
):
    topic = maths_topics[0]
    student = taught[0]
    earlier = previous_weekday(school_day)
    with django_capture_on_commit_callbacks(execute=True):
        save(teacher, form, maths, earlier, topic_ids=[topic.pk], records=[{"student": student.pk, "understanding": 2}])
    progress = TopicProgress.objects.get(student=student, topic=topic)
    assert (progress.competency_level, progress.status) == (2, "needs_review")
    # Classmates attended without a rating: in progress at level 0.
    other = TopicProgress.objects.get(student=taught[1], topic=topic)
    assert (other.competency_level, other.status) == (0, "in_progress")
    with django_capture_on_commit_callbacks(execute=True):
        save(
            teacher,
            form,
            maths,
            school_day,
            topic_ids=[topic.pk],
            records=[{"student": student.pk, "understanding": 5}],
        )
    progress.refresh_from_db()
    assert (progress.competency_level, progress.status, progress.evidence_count) == (4, "completed", 2)  # (2+5)/2 → 4
