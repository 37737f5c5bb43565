"""A lesson added in Django admin is recorded as the lesson sheet records it; what it covered and who
attended are recorded on the sheet and only shown in admin."""

import datetime

import pytest

from attendance.lessons.models import Lesson, LessonAttendance, LessonTopic
from core.models import AuditLog
from core.tests.admin_forms import admin_form_data

pytestmark = pytest.mark.django_db
ADD = "/admin/attendance/lesson/add/"


def recorded(actor, form, subject, day, **kwargs):
    """A 9:00 lesson recorded on the sheet by `actor`."""
    from attendance.lessons import services

    return services.lesson_save(
        actor=actor, class_group_id=form.pk, subject_id=subject.pk, date=day, start_time=datetime.time(9, 0), **kwargs
    ).lesson


def lesson_data(form, subject, day):
    return {"class_group": str(form.pk), "subject": str(subject.pk), "date": day.isoformat(), "start_time": "09:00"}


def test_a_lesson_added_in_admin_marks_the_form_present_and_is_audited(
    school_admin_client, admin_user, form, maths, taught, school_day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert school_admin_client.post(ADD, lesson_data(form, maths, school_day)).status_code == 302
    lesson = Lesson.objects.get(class_group=form, subject=maths, date=school_day)
    assert (lesson.teacher, lesson.start_time, lesson.version) == (admin_user, datetime.time(9, 0), 1)
    marks = dict(LessonAttendance.objects.filter(lesson=lesson).values_list("student_id", "status"))
    assert marks == {pupil.pk: "present" for pupil in taught}
    assert AuditLog.objects.filter(actor=admin_user, entity_type="attendance.lesson", action="create").count() == 1
    assert AuditLog.objects.filter(actor=admin_user, entity_type="attendance.lessonattendance").count() == len(taught)


def test_a_lesson_on_a_weekend_is_refused_on_the_form(school_admin_client, admin_user, form, maths, taught, school_day):
    saturday = school_day - datetime.timedelta(days=school_day.weekday() + 2)
    response = school_admin_client.post(ADD, lesson_data(form, maths, saturday))
    assert response.status_code == 200
    assert "That day is a weekend" in response.content.decode()
    assert not Lesson.objects.exists()
    assert not AuditLog.objects.filter(actor=admin_user).exists()


def test_a_recorded_lesson_keeps_its_period_and_its_rows_are_shown_not_changed(
    school_admin_client, admin_user, form, maths, maths_topics, taught, school_day
):
    from attendance.lessons import services

    lesson = recorded(admin_user, form, maths, school_day, topic_ids=[maths_topics[0].pk])
    data = admin_form_data(school_admin_client.get(f"/admin/attendance/lesson/{lesson.pk}/change/").content.decode())
    assert not {"class_group", "subject", "date", "start_time"} & set(data)
    mark = LessonAttendance.objects.filter(lesson=lesson).first()
    covered = LessonTopic.objects.get(lesson=lesson)
    assert school_admin_client.get("/admin/attendance/lessonattendance/add/").status_code == 403
    assert school_admin_client.get("/admin/attendance/lessontopic/add/").status_code == 403
    url = f"/admin/attendance/lessonattendance/{mark.pk}/change/"
    assert school_admin_client.post(url, {"status": "absent"}).status_code == 403
    assert school_admin_client.get(url).status_code == 200  # shown
    assert (
        school_admin_client.post(f"/admin/attendance/lessontopic/{covered.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    mark.refresh_from_db()
    assert mark.status == "present"
    assert LessonTopic.objects.filter(pk=covered.pk).exists()


def test_a_lesson_removed_in_admin_takes_its_rows_along_audited_and_its_students_are_judged_again(
    school_admin_client, admin_user, form, maths, maths_topics, taught, school_day, monkeypatch
):
    from attendance.lessons import events, services

    lesson = recorded(admin_user, form, maths, school_day, topic_ids=[maths_topics[0].pk])
    emitted = []
    monkeypatch.setattr(services, "emit_on_commit", lambda event, **payload: emitted.append((event, payload)))
    url = f"/admin/attendance/lesson/{lesson.pk}/delete/"
    assert school_admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Lesson.objects.filter(pk=lesson.pk).exists()
    assert not LessonAttendance.objects.filter(lesson_id=lesson.pk).exists()
    deleted = AuditLog.objects.filter(action="delete")
    assert deleted.filter(entity_type="attendance.lesson", entity_id=str(lesson.pk), actor=admin_user).exists()
    assert deleted.filter(entity_type="attendance.lessonattendance").count() == len(taught)
    [(event, payload)] = emitted
    assert event == events.LESSON_SAVED
    assert payload["student_ids"] == sorted(pupil.pk for pupil in taught)
    assert payload["topic_ids"] == [maths_topics[0].pk]


def test_only_an_admin_removes_a_lesson(teacher, admin_user, form, maths, taught, school_day):
    from attendance.lessons import services
    from core.errors import PermissionDeniedError

    lesson = recorded(teacher, form, maths, school_day)
    with pytest.raises(PermissionDeniedError):
        services.lesson_delete(actor=teacher, lesson=lesson)
    assert Lesson.objects.filter(pk=lesson.pk).exists()


def test_a_student_with_lesson_attendance_can_still_be_removed_in_admin(
    school_admin_client, admin_user, form, maths, taught, school_day
):
    from attendance.lessons import services

    recorded(admin_user, form, maths, school_day)
    pupil = taught[0]
    url = f"/admin/students/student/{pupil.pk}/delete/"
    assert school_admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not LessonAttendance.objects.filter(student_id=pupil.pk).exists()
    assert AuditLog.objects.filter(
        action="delete", entity_type="attendance.lessonattendance", actor=admin_user
    ).exists()
