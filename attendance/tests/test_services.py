"""The register save: validation, idempotent upsert, audit rows, optimistic locking, query budget."""

import datetime

import pytest
from django.utils import timezone

from attendance import selectors, services
from attendance.models import AttendanceRecord, Register
from attendance.tests.factories import AttendanceRecordFactory, HolidayFactory, RegisterFactory
from core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from core.models import AuditLog
from core.testing.queries import assert_query_count
from students.models import Student
from students.tests.fixtures import previous_weekday

pytestmark = pytest.mark.django_db


def _work_queries(captured):
    """Statements other than the savepoints of nested atomic blocks (the test runs inside a transaction)."""
    return [
        q["sql"] for q in captured if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO"))
    ]


def test_first_save_writes_every_student_present_by_default(teacher, form, make_students, school_day):
    """Students not listed are present; listed ones get their status and reason; the register records the taker."""
    students = make_students(form, 5)
    result = services.register_save(
        actor=teacher,
        class_group_id=form.pk,
        date=school_day,
        records=[
            {"student": students[0].pk, "status": "absent", "reason": "Flu"},
            {"student": students[1].pk, "status": "late", "reason": "Bus"},
            {"student": students[2].pk, "status": "present", "reason": "ignored for present"},
        ],
        expected_version=0,
    )
    assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
    rows = {r.student_id: r for r in AttendanceRecord.objects.filter(date=school_day)}
    assert len(rows) == 5
    assert (rows[students[0].pk].status, rows[students[0].pk].reason) == ("absent", "Flu")
    assert (rows[students[1].pk].status, rows[students[1].pk].reason) == ("late", "Bus")
    assert rows[students[2].pk].reason == ""
    assert {r.status for pk, r in rows.items() if pk not in (students[0].pk, students[1].pk)} == {"present"}
    assert all(r.marked_by == teacher and r.school_id == form.school_id for r in rows.values())
    register = Register.objects.get(class_group=form, date=school_day)
    assert (register.taken_by, register.version) == (teacher, 1)
    audit = AuditLog.objects.filter(school=form.school)
    assert audit.filter(entity_type="attendance.attendancerecord", action="create").count() == 5
    register_entry = audit.get(entity_type="attendance.register")
    assert register_entry.action == "create" and register_entry.actor == teacher
    assert register_entry.after["records_created"] == 5


def test_resave_is_idempotent_and_only_changes_are_rewritten(teacher, form_master, form, make_students, school_day):
    students = make_students(form, 4)
    records = [{"student": students[0].pk, "status": "absent", "reason": "Flu"}]
    services.register_save(actor=teacher, class_group_id=form.pk, date=school_day, records=records)
    first_marked = AttendanceRecord.objects.get(student=students[1], date=school_day).marked_at

    again = services.register_save(actor=form_master, class_group_id=form.pk, date=school_day, records=records)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert AttendanceRecord.objects.filter(date=school_day).count() == 4
    # Unchanged records keep who marked them.
    assert AttendanceRecord.objects.get(student=students[0], date=school_day).marked_by == teacher

    changed = services.register_save(
        actor=form_master,
        class_group_id=form.pk,
        date=school_day,
        records=[{"student": students[1].pk, "status": "excused", "reason": "Music exam"}],
        expected_version=2,
    )
    assert (changed.created, changed.updated, changed.unchanged) == (0, 2, 2)
    first = AttendanceRecord.objects.get(student=students[0], date=school_day)
    second = AttendanceRecord.objects.get(student=students[1], date=school_day)
    assert (first.status, first.marked_by) == ("present", form_master)
    assert (second.status, second.reason, second.marked_by) == ("excused", "Music exam", form_master)
    assert AttendanceRecord.objects.get(student=students[2], date=school_day).marked_at == first_marked
    update = AuditLog.objects.get(entity_type="attendance.attendancerecord", action="update", entity_id=str(second.pk))
    assert update.before["status"] == "present" and update.after["status"] == "excused"
    assert Register.objects.get(class_group=form, date=school_day).version == 3


@pytest.mark.parametrize("existing", [0, 40], ids=["empty-day", "day-already-taken"])
def test_saving_forty_students_takes_five_statements(teacher, form, make_students, school_day, existing):
    """Five statements whatever was there before, plus the savepoint pair of the test's own transaction."""
    students = make_students(form, 40)
    if existing:
        services.register_save(actor=teacher, class_group_id=form.pk, date=school_day, records=[])
    records = [
        {"student": s.pk, "status": "absent" if i % 3 == 0 else "late", "reason": "x"} for i, s in enumerate(students)
    ]
    # savepoint, form, students with their day, register insert/update, records upsert, audit rows, release
    with assert_query_count(7) as captured:
        result = services.register_save(actor=teacher, class_group_id=form.pk, date=school_day, records=records)
    work = _work_queries(captured.captured_queries)
    assert len(work) == 5, "\n".join(work)
    assert result.created + result.updated == 40
    assert AttendanceRecord.objects.filter(date=school_day, status="present").count() == 0


def test_stale_version_conflicts_and_writes_nothing(teacher, form_master, form, make_students, school_day):
    students = make_students(form, 3)
    services.register_save(actor=teacher, class_group_id=form.pk, date=school_day, records=[], expected_version=0)
    audit_before = AuditLog.objects.count()
    with pytest.raises(ConflictError) as excinfo:
        services.register_save(
            actor=form_master,
            class_group_id=form.pk,
            date=school_day,
            records=[{"student": students[0].pk, "status": "absent", "reason": ""}],
            expected_version=0,
        )
    assert excinfo.value.current_version == 1
    assert AttendanceRecord.objects.get(student=students[0], date=school_day).status == "present"
    assert AuditLog.objects.count() == audit_before
    assert Register.objects.get(class_group=form, date=school_day).taken_by == teacher


def test_save_landing_between_read_and_write_is_a_conflict(
    teacher, form_master, form, make_students, school_day, monkeypatch
):
    """Another save after this one read the register but before it wrote: the conditional UPDATE refuses."""
    from django.db.models import F

    students = make_students(form, 2)
    services.register_save(actor=teacher, class_group_id=form.pk, date=school_day, records=[])
    original = services.register_students

    def read_then_someone_saves(**kwargs):
        rows = original(**kwargs)
        Register.objects.filter(class_group=form, date=school_day).update(version=F("version") + 1)
        return rows

    monkeypatch.setattr(services, "register_students", read_then_someone_saves)
    with pytest.raises(ConflictError) as excinfo:
        services.register_save(
            actor=form_master,
            class_group_id=form.pk,
            date=school_day,
            records=[{"student": students[0].pk, "status": "absent", "reason": ""}],
            expected_version=1,
        )
    assert excinfo.value.current_version == 2
    assert AttendanceRecord.objects.get(student=students[0], date=school_day).status == "present"
    assert Register.objects.get(class_group=form, date=school_day).taken_by == teacher


@pytest.mark.parametrize(
    "records, field, message",
    [
        ([{"student": "STUDENT", "status": "sick", "reason": ""}], "records", "unknown status"),
        (
            [{"student": "STUDENT", "status": "absent"}, {"student": "STUDENT", "status": "late"}],
            "records",
            "more than once",
        ),
        ([{"student": None, "status": "absent"}], "records", "student must be a student id"),
        (["nonsense"], "records", "must be an object"),
    ],
)
def test_bad_records_are_refused(teacher, form, make_students, school_day, records, field, message):
    student = make_students(form, 1)[0]
    records = [
        {**r, "student": student.pk if r.get("student") == "STUDENT" else r.get("student")}
        if isinstance(r, dict)
        else r
        for r in records
    ]
    with pytest.raises(ApplicationError) as excinfo:
        services.register_save(actor=teacher, class_group_id=form.pk, date=school_day, records=records)
    assert message in " ".join(excinfo.value.field_errors[field])
    assert not AttendanceRecord.objects.exists() and not Register.objects.exists()


def test_student_of_another_form_or_school_is_refused(teacher, form, form_b, other_form, make_students, school_day):
    make_students(form, 2)
    stranger = make_students(form_b, 1)[0]
    foreigner = make_students(other_form, 1)[0]
    for outsider in (stranger, foreigner):
        with pytest.raises(ApplicationError) as excinfo:
            services.register_save(
                actor=teacher,
                class_group_id=form.pk,
                date=school_day,
                records=[{"student": outsider.pk, "status": "absent", "reason": ""}],
            )
        assert excinfo.value.field_errors["records"] == [f"Student {outsider.pk} is not in Form 2A."]
    assert not AttendanceRecord.objects.exists()


def test_inactive_students_are_not_on_the_register(teacher, form, make_students, school_day):
    active, gone = make_students(form, 2)
    Student.objects.filter(pk=gone.pk).update(status=Student.Status.TRANSFERRED)
    with pytest.raises(ApplicationError):
        services.register_save(
            actor=teacher, class_group_id=form.pk, date=school_day, records=[{"student": gone.pk, "status": "absent"}]
        )
    services.register_save(actor=teacher, class_group_id=form.pk, date=school_day, records=[])
    assert list(AttendanceRecord.objects.values_list("student_id", flat=True)) == [active.pk]


def test_dates_that_are_not_school_days_are_refused(teacher, form, make_students, school_day):
    make_students(form, 1)
    today = timezone.localdate()
    saturday = today - datetime.timedelta(days=(today.weekday() - 5) % 7)
    holiday = previous_weekday(school_day)
    HolidayFactory(school=form.school, date=holiday, name="Founders' Day")
    cases = {
        today + datetime.timedelta(days=1): "future date",
        saturday: "weekend",
        holiday: "holiday (Founders' Day)",
        previous_weekday(form.academic_year.start_date): "outside the form's academic year",
    }
    for day, message in cases.items():
        with pytest.raises(ApplicationError) as excinfo:
            services.register_save(actor=teacher, class_group_id=form.pk, date=day, records=[])
        assert message in excinfo.value.field_errors["date"][0], day
    assert not Register.objects.exists() and not AttendanceRecord.objects.exists()


def test_roles_and_schools(
    teacher, form_master, admin_user, counselor, other_admin, form, form_b, make_students, school_day
):
    make_students(form, 1)
    make_students(form_b, 1)
    with pytest.raises(PermissionDeniedError):
        services.register_save(actor=counselor, class_group_id=form.pk, date=school_day, records=[])
    with pytest.raises(NotFoundError):
        services.register_save(actor=other_admin, class_group_id=form.pk, date=school_day, records=[])
    # Teachers, admins and form masters (also a colleague's form) take registers.
    services.register_save(actor=admin_user, class_group_id=form.pk, date=school_day, records=[])
    services.register_save(actor=form_master, class_group_id=form_b.pk, date=school_day, records=[])
    assert Register.objects.filter(date=school_day).count() == 2


def test_alerts_are_refreshed_after_commit(
    teacher, form, make_students, school_day, django_capture_on_commit_callbacks
):
    """The save registers the alerts refresh for after the commit (the alerts area runs it)."""
    make_students(form, 2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.register_save(actor=teacher, class_group_id=form.pk, date=school_day, records=[])
    assert len(callbacks) == 1


# Reads -------------------------------------------------------------------------------------------


def test_school_days_skip_weekends_holidays_and_days_outside_the_year(school, year):
    monday = year.start_date + datetime.timedelta(days=(7 - year.start_date.weekday()) % 7)
    HolidayFactory(school=school, date=monday + datetime.timedelta(days=2), name="Holiday")
    days = selectors.school_days(school_id=school.pk, start=monday, end=monday + datetime.timedelta(days=13), year=year)
    assert len(days) == 9
    assert all(d.weekday() < 5 for d in days)
    assert monday + datetime.timedelta(days=2) not in days
    assert (
        selectors.school_days(
            school_id=school.pk,
            start=year.end_date + datetime.timedelta(days=1),
            end=year.end_date + datetime.timedelta(days=30),
            year=year,
        )
        == []
    )


def test_attendance_rates_for_many_students_in_one_query(school, form, make_students, school_day):
    """Rate = (present + late) / days marked."""
    students = make_students(form, 30)
    day = school_day
    for offset in range(4):
        for index, student in enumerate(students):
            status = ["present", "late", "absent", "excused"][(index + offset) % 4] if index < 4 else "present"
            AttendanceRecordFactory(school=school, student=student, date=day, status=status)
        day = previous_weekday(day)
    with assert_query_count(1):
        rates = selectors.attendance_rates(student_ids=[s.pk for s in students])
    assert rates[students[0].pk] == {"marked": 4, "attended": 2, "absent": 1, "late": 1, "excused": 1, "rate": 50.0}
    assert rates[students[10].pk]["rate"] == 100.0
    assert selectors.attendance_rates(student_ids=[students[0].pk], start=school_day)[students[0].pk]["marked"] == 1


def test_forms_of_day_lists_own_forms_first_and_who_took_them(
    form_master, other_form_master, teacher, form, form_b, school_day
):
    RegisterFactory(school=form_b.school, class_group=form_b, date=school_day, taken_by=teacher)
    days = selectors.forms_of_day(actor=other_form_master, date=school_day)
    assert [(d.class_group.name, d.is_mine, d.taken) for d in days] == [
        ("Form 2B", True, True),
        ("Form 2A", False, False),
    ]
    assert days[0].register.taken_by == teacher
    assert [d.class_group.name for d in selectors.forms_of_day(actor=form_master, date=school_day)] == [
        "Form 2A",
        "Form 2B",
    ]


def test_missing_registers_of_past_school_days(teacher, form, form_b, other_form, school_day):
    last = previous_weekday(timezone.localdate())
    before = previous_weekday(last)
    RegisterFactory(school=form.school, class_group=form, date=before, taken_by=teacher)
    missing = dict(selectors.missing_registers(actor=teacher, end=timezone.localdate(), days=2))
    assert list(missing) == [last, before]  # today's registers are still to take, not missing
    assert [f.name for f in missing[before]] == ["Form 2B"]
    assert [f.name for f in missing[last]] == ["Form 2A", "Form 2B"]
