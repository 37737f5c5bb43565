"""The `missed_lessons` alert: present at the morning register, absent from lessons that day; raised
after the lesson is saved (through the listener registry), resolved when the lessons are corrected."""

import datetime

import pytest

from attendance import services as register_services
from attendance.lessons import services
from interventions.alerts.services import scan_school
from interventions.models import Alert, AlertSettings
from students.tests.fixtures import previous_weekday

pytestmark = pytest.mark.django_db


def register(actor, form, day, absent=()):
    register_services.register_save(
        actor=actor,
        class_group_id=form.pk,
        date=day,
        records=[{"student": s.pk, "status": "absent", "reason": "Ill"} for s in absent],
    )


def lesson(actor, form, subject, day, absent=(), start=datetime.time(10, 30)):
    return services.lesson_save(
        actor=actor,
        class_group_id=form.pk,
        subject_id=subject.pk,
        date=day,
        start_time=start,
        records=[{"student": s.pk, "status": "absent"} for s in absent],
    )


def missed(student):
    return Alert.objects.filter(student=student, kind=Alert.Kind.MISSED_LESSONS)


def test_raised_after_the_second_missed_lesson_and_resolved_when_corrected(
    teacher, form_master, form, maths, taught, school_day, django_capture_on_commit_callbacks
):
    skipper, ill = taught[0], taught[1]
    earlier = previous_weekday(school_day)
    with django_capture_on_commit_callbacks(execute=True):
        for day in (earlier, school_day):
            register(form_master, form, day, absent=[ill])  # the skipper is registered present
        lesson(teacher, form, maths, earlier, absent=[skipper, ill])
    assert not missed(skipper).exists()  # one lesson: below the threshold of 2

    with django_capture_on_commit_callbacks(execute=True):
        lesson(teacher, form, maths, school_day, absent=[skipper, ill])
    alert = missed(skipper).get()
    assert alert.status == "open" and alert.assigned_to == form_master
    assert alert.details["lessons"] == 2 and alert.details["threshold_lessons"] == 2
    assert not missed(ill).exists()  # absent at the register too: not missing after registration

    # The teacher corrects the second lesson: the skipper was there after all.
    with django_capture_on_commit_callbacks(execute=True):
        lesson(teacher, form, maths, school_day, absent=[ill])
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.details.get("resolved_by_scan")


def test_the_threshold_is_the_schools(admin_user, form, maths, taught, school, school_day):
    AlertSettings.objects.create(school=school, missed_lessons_threshold=3)
    skipper = taught[0]
    earlier = previous_weekday(school_day)
    for day in (earlier, school_day):
        register(admin_user, form, day)
    lesson(admin_user, form, maths, earlier, absent=[skipper])
    lesson(admin_user, form, maths, school_day, absent=[skipper])
    scan_school(school=school, as_of=school_day)
    assert not missed(skipper).exists()
    lesson(admin_user, form, maths, school_day, absent=[skipper], start=datetime.time(13, 0))
    scan_school(school=school, as_of=school_day)
    assert missed(skipper).get().details["lessons"] == 3
