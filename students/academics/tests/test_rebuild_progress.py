"""`rebuild_topic_progress`: every student's topic progress worked out again from the evidence, writing only
what changed, one school or all, the same queries for a few students or many."""

import io

import pytest
from django.core.management import CommandError, call_command

from core.models import AuditLog
from core.testing.queries import assert_query_count
from students.academics.models import TopicProgress
from students.academics.progress import rebuild_school_progress
from students.academics.tests.factories import AssessmentFactory, TopicFactory, TopicProgressFactory
from students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def rebuild(*args) -> str:
    out = io.StringIO()
    call_command("rebuild_topic_progress", *args, stdout=out)
    return out.getvalue()


def test_missing_and_stale_rows_are_put_right_once_and_only_in_the_school_asked(school, other_school, form, maths):
    topic = TopicFactory(school=school, subject=maths)
    ada, ben = StudentFactory(school=school, class_group=form), StudentFactory(school=school, class_group=form)
    # Written around the services: a graded quiz with no progress row, and a row no evidence supports.
    AssessmentFactory(school=school, student=ada, subject=maths, topic=topic, marks_obtained=19)
    TopicProgressFactory(school=school, student=ben, topic=topic, competency_level=4, status="mastered")
    elsewhere = TopicProgressFactory(school=other_school, competency_level=4, status="mastered")

    assert rebuild("--school", school.code) == f"{school.code}: 2 topic progress row(s) written\n"
    rows = {row.student_id: row for row in TopicProgress.objects.filter(topic=topic)}
    assert (rows[ada.pk].competency_level, rows[ada.pk].status, rows[ada.pk].evidence_count) == (5, "mastered", 1)
    assert (rows[ben.pk].competency_level, rows[ben.pk].status, rows[ben.pk].evidence_count) == (0, "not_started", 0)
    logged = AuditLog.objects.filter(entity_type="students.topicprogress", actor=None)
    assert sorted(logged.values_list("action", flat=True)) == ["create", "update"]
    elsewhere.refresh_from_db()
    assert (elsewhere.competency_level, elsewhere.status) == (4, "mastered")  # another school: not asked

    assert rebuild("--school", school.code) == f"{school.code}: 0 topic progress row(s) written\n"
    assert logged.count() == 2


def test_every_school_without_the_option_and_an_unknown_code_refused(school, other_school):
    assert (
        rebuild()
        == f"{school.code}: 0 topic progress row(s) written\n{other_school.code}: 0 topic progress row(s) written\n"
    )
    with pytest.raises(CommandError, match="No school with code 'nowhere'"):
        rebuild("--school", "nowhere")


@pytest.mark.parametrize("size", [3, 30])
def test_the_rebuild_takes_the_same_queries_for_a_few_students_or_many(school, form, maths, size):
    topics = [TopicFactory(school=school, subject=maths) for _ in range(3)]
    for student in StudentFactory.create_batch(size, school=school, class_group=form):
        AssessmentFactory(school=school, student=student, subject=maths, topic=topics[0])
    # topics, students; the refresh: lesson evidence, assessment evidence, savepoint, stored rows, the new
    # rows, the audit rows, release
    with assert_query_count(9):
        assert rebuild_school_progress(school=school) == size
    with assert_query_count(7):  # nothing to write: no insert, no audit rows
        assert rebuild_school_progress(school=school) == 0
