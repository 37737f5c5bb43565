"""`notify_guardians_of_absence`: off by default, one message per student and day, never twice."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import override_settings

from attendance.tests.factories import AttendanceRecordFactory
from interventions.communications import services
from interventions.communications.models import AbsenceNoticeSettings, CommunicationLog
from interventions.tests.communication_factories import CommunicationTemplateFactory
from interventions.tests.communications_helpers import FAILING_EMAIL
from students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 10, 6)  # a Tuesday


@pytest.fixture
def absentees(school):
    """Three absent with no reason (one without a guardian email), one with a reason, one excused, one present."""
    rows = {}
    for key, status, reason, email in [
        ("ann", "absent", "", "ann@example.org"),
        ("bob", "absent", "", "bob@example.org"),
        ("cat", "absent", "", ""),
        ("dan", "absent", "Dentist", "dan@example.org"),
        ("eve", "excused", "", "eve@example.org"),
        ("fay", "present", "", "fay@example.org"),
    ]:
        student = StudentFactory(school=school, first_name=key.title(), guardian_email=email)
        AttendanceRecordFactory(school=school, student=student, date=DAY, status=status, reason=reason)
        rows[key] = student
    return rows


def switch_on(school, **fields):
    return AbsenceNoticeSettings.objects.update_or_create(school=school, defaults={"enabled": True, **fields})[0]


def run(*args) -> str:
    out = io.StringIO()
    call_command("notify_guardians_of_absence", *args, stdout=out)
    return out.getvalue()


def test_off_by_default_sends_nothing(school, absentees):
    output = run("--date", DAY.isoformat())
    assert "school north: absence notices are switched off" in output
    assert len(mail.outbox) == 0 and CommunicationLog.objects.count() == 0
    assert services.absence_settings_for(school).enabled is False


def test_one_message_per_absent_student_without_a_reason_and_never_twice(school, absentees):
    template = CommunicationTemplateFactory(school=school, channel="email", subject="{student_first_name} absent")
    switch_on(school, channel="email", template=template)

    output = run("--date", DAY.isoformat())
    assert sorted(message.to[0] for message in mail.outbox) == ["ann@example.org", "bob@example.org"]
    assert "2 sent, 0 failed, 1 skipped" in output
    assert "Cat" in output and "no guardian email address on record" in output
    logs = CommunicationLog.objects.order_by("student__first_name")
    assert [(log.student.first_name, log.status, log.absence_date, log.actor) for log in logs] == [
        ("Ann", "sent", DAY, None),
        ("Bob", "sent", DAY, None),
    ]
    assert logs[0].subject == "Ann absent" and logs[0].template == template

    output = run("--date", DAY.isoformat())
    assert len(mail.outbox) == 2 and CommunicationLog.objects.count() == 2
    assert "0 sent, 0 failed, 3 skipped" in output and "already notified for 2026-10-06" in output


def test_the_database_holds_one_notice_per_student_and_day(school, absentees):
    switch_on(school)
    run("--date", DAY.isoformat())
    log = CommunicationLog.objects.first()
    duplicate = CommunicationLog(
        school=school, student=log.student, channel="email", recipient="x", status="sent", absence_date=DAY
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_sms_notices_with_the_standard_message(school, absentees, tmp_path):
    switch_on(school, channel="sms")
    with override_settings(SMS_FILE_PATH=str(tmp_path)):
        output = run("--date", DAY.isoformat(), "--school", "north")
    assert "3 sent" in output  # Cat has a phone number
    texts = sorted(path.read_text() for path in tmp_path.iterdir())
    assert len(texts) == 3 and "was marked absent on 6 October 2026" in texts[0]


def test_a_failed_notice_is_logged_failed_and_not_sent_again(school, absentees):
    switch_on(school)
    with override_settings(EMAIL_BACKEND=FAILING_EMAIL), pytest.raises(CommandError):
        run("--date", DAY.isoformat())
    assert set(CommunicationLog.objects.values_list("status", flat=True)) == {"failed"}
    assert CommunicationLog.objects.count() == 2
    output = run("--date", DAY.isoformat())
    assert "0 sent" in output and len(mail.outbox) == 0
    log = CommunicationLog.objects.first()
    assert "mailbox unavailable" in log.error


def test_another_days_absence_gets_its_own_notice(school, absentees):
    switch_on(school)
    run("--date", DAY.isoformat())
    next_day = DAY + datetime.timedelta(days=1)
    AttendanceRecordFactory(school=school, student=absentees["ann"], date=next_day, status="absent", reason="")
    output = run("--date", next_day.isoformat())
    assert "1 sent" in output
    assert CommunicationLog.objects.filter(student=absentees["ann"]).count() == 2


def test_other_school_switch_is_its_own(school, other_school, absentees):
    switch_on(other_school)
    output = run("--date", DAY.isoformat())
    assert "school north: absence notices are switched off" in output
    assert CommunicationLog.objects.count() == 0


def test_bad_arguments(school):
    with pytest.raises(CommandError):
        run("--date", "tuesday")
    with pytest.raises(CommandError):
        run("--school", "nowhere")
