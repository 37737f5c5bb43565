"""Commands: cleanup_old_data (audit retention) and seed_demo (two schools, staff of every role)."""

import datetime
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from attendance.models import AttendanceRecord, Register
from core.demo import DEMO_SCHOOLS, DEMO_STAFF
from core.models import AuditLog, School, User
from core.testing.queries import assert_query_count
from students.models import ClassGroup, Student

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("cleanup_old_data", *args, stdout=out)
    return out.getvalue()


class TestCleanupOldData:
    @pytest.fixture
    def entries(self, admin_user, other_admin):
        now = timezone.now()

        def at(actor, days):
            return AuditLog.objects.create(
                school=actor.school,
                actor=actor,
                action="create",
                entity_type="x",
                entity_id=str(days),
                created_at=now - datetime.timedelta(days=days),
            )

        return {
            "ancient": at(admin_user, 3000),
            "ancient_south": at(other_admin, 2600),
            "recent": at(admin_user, 2000),
            "today": at(other_admin, 0),
        }

    def test_dry_run_counts_and_deletes_nothing(self, entries):
        output = run("--dry-run")
        assert "Would delete 2 audit log rows" in output
        assert "2 kept" in output
        assert AuditLog.objects.count() == 4

    def test_deletes_rows_older_than_the_retention_and_keeps_newer(self, entries):
        output = run()
        assert "Deleted 2 audit log rows" in output
        assert "(2555 days); 2 kept." in output
        assert set(AuditLog.objects.values_list("entity_id", flat=True)) == {"2000", "0"}

    def test_days_option(self, entries):
        output = run("--days", "1000")
        assert "Deleted 3 audit log rows" in output
        assert list(AuditLog.objects.values_list("entity_id", flat=True)) == ["0"]

    def test_retention_setting(self, entries, settings):
        settings.AUDIT_RETENTION_DAYS = 1500
        assert "Deleted 3 audit log rows" in run()

    def test_days_must_be_positive(self, entries):
        with pytest.raises(CommandError):
            run("--days", "0")
        assert AuditLog.objects.count() == 4

    def test_nothing_to_delete(self, admin_user):
        assert run().startswith("Deleted 0 audit log rows")

    @pytest.mark.parametrize("count", [3, 500])
    def test_bulk_delete_is_one_query_for_few_or_many(self, admin_user, count):
        now = timezone.now()
        AuditLog.objects.bulk_create(
            AuditLog(
                school=admin_user.school,
                action="create",
                entity_type="x",
                created_at=now - datetime.timedelta(days=3000),
            )
            for _ in range(count)
        )
        with assert_query_count(4):  # savepoint, one DELETE, the rows kept, release
            assert f"Deleted {count} audit log rows" in run()
        assert AuditLog.objects.count() == 0


def demo_row_counts() -> dict[str, int]:
    """Rows of every model the demo seeds (the audit log and sign-in bookkeeping aside)."""
    labels = {"core", "students", "attendance", "interventions"}
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in labels and model is not AuditLog
    }


class TestSeedDemo:
    def test_seeds_two_schools_forms_students_a_term_and_an_audit_row_for_each_safe_to_rerun(self):
        """One seeding (each takes seconds) checked for all it promises, then seeded again."""
        out = StringIO()
        call_command("seed_demo", "--password", "Seed-Pass-9", stdout=out)
        first = demo_row_counts()
        assert (first["core.School"], first["core.User"]) == (2, 10)

        # An audit row for every row it creates.
        created = dict(
            AuditLog.objects.filter(action="create")
            .values("entity_type")
            .annotate(n=Count("id"))
            .values_list("entity_type", "n")
        )
        for label in (
            "core.School",
            "core.User",
            "students.AcademicYear",
            "students.ClassGroup",
            "students.Student",
            "attendance.Holiday",
            "attendance.Register",
            "attendance.AttendanceRecord",
            "interventions.Alert",
            "interventions.InterventionMeeting",
            "interventions.ProgressUpdate",
        ):
            assert first[label] > 0, label
            assert created.get(label.lower()) == first[label], label

        # Forms with their form masters, students and a term of attendance up to yesterday.
        today = timezone.localdate()
        for code in ("north", "south"):
            forms = ClassGroup.objects.filter(school__code=code)
            assert forms.count() == 8
            assert forms.filter(form_master__username=f"{code}-fm1").count() == 4
            assert not forms.filter(form_master=None).exists()
            assert 8 * 28 <= Student.objects.filter(school__code=code).count() <= 8 * 32
        year = forms.first().academic_year
        assert year.start_date <= today <= year.end_date and year.is_current
        assert first["attendance.AttendanceRecord"] > 1000 and not Register.objects.filter(date__gte=today).exists()
        assert AttendanceRecord.objects.filter(status="absent").exists()

        assert sorted(School.objects.values_list("code", flat=True)) == sorted(code for code, _ in DEMO_SCHOOLS)
        for code, _ in DEMO_SCHOOLS:
            staff = User.objects.filter(school__code=code)
            assert sorted(staff.values_list("role", flat=True)) == sorted(role for _, role, *_ in DEMO_STAFF)
        printed = out.getvalue()
        assert "north-fm1" in printed and "south-counselor" in printed
        assert "password: Seed-Pass-9" in printed

        # Safe to rerun: nothing is added twice.
        call_command("seed_demo", "--password", "Other-Pass-7", stdout=StringIO())
        assert demo_row_counts() == first

        # The password of the latest run is the one that works.
        assert Client().login(username="north-fm1", password="Other-Pass-7")
        assert not Client().login(username="north-fm1", password="Seed-Pass-9")
        assert Client().login(username="south-admin", password="Other-Pass-7")
        assert User.objects.get(username="south-admin").school.code == "south"


# A Saturday in term, the first school day of a year (1 Sep), a weekday of the summer after a year ends.
DEMO_DAYS = ["2027-02-13", "2026-09-01", "2027-07-21"]


@pytest.mark.own_day
@pytest.mark.parametrize("today", DEMO_DAYS)
def test_seed_demo_gives_a_living_home_page_whatever_the_day(today, time_machine, monkeypatch):
    """Registers, alerts and meetings are on the form master's home page on any day the demo is seeded."""
    monkeypatch.setattr("core.demo.DEMO_SCHOOLS", DEMO_SCHOOLS[:1])  # north only: half the time
    time_machine.move_to(datetime.datetime.fromisoformat(f"{today}T10:00:00+00:00"))
    call_command("seed_demo", stdout=StringIO())
    client = Client()
    assert client.login(username="north-fm1", password="demo-pass-2026")
    html = client.get("/").content.decode()

    day = datetime.date.fromisoformat(today)
    if day.weekday() < 5:
        assert "Your forms:" in html and 'badge-yellow">to take' in html
        # Yesterday's registers were taken: the register of the day before today opens with its marks.
        assert "No registers today" not in html
    else:
        assert "Weekend. No registers today." in html
        assert re.search(r"Last school day, <a [^>]+>Fri \d+ \w+</a>:\s+8 of 8 registers taken\.", html)
    open_alerts = int(re.search(r'<span class="value">(\d+)</span><span class="label">open', html).group(1))
    assert open_alerts > 0 and "Record meeting</a>" in html
    active = int(re.search(r'<span class="value">(\d+)</span><span class="label">Active', html).group(1))
    assert active > 0 and "follow-up was due" in html
    assert "missing" in client.get("/attendance/").content.decode()


@pytest.mark.own_day
def test_seed_demo_again_in_the_next_school_year_moves_the_students_up(time_machine, monkeypatch):
    """A demo database kept into the next year (scripts/start.sh run again in September): the students
    move up a form, the last forms graduate, a new intake fills the first forms, and the year is current."""
    monkeypatch.setattr("core.demo.DEMO_SCHOOLS", DEMO_SCHOOLS[:1])
    time_machine.move_to(datetime.datetime.fromisoformat("2026-12-02T10:00:00+00:00"))
    call_command("seed_demo", stdout=StringIO())
    first_year = {s.pk: (s.class_group.grade_level, s.class_group.name[-1]) for s in Student.objects.all()}

    time_machine.move_to(datetime.datetime.fromisoformat("2027-09-06T10:00:00+00:00"))  # a Monday
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "moved up" in out.getvalue()
    students = {s.pk: s for s in Student.objects.select_related("class_group__academic_year")}
    for pk, (grade, letter) in first_year.items():
        student = students[pk]
        if grade == 4:
            assert student.status == Student.Status.GRADUATED and student.class_group.academic_year.name == "2026/27"
        else:
            assert student.status == Student.Status.ACTIVE
            assert (student.class_group.academic_year.name, student.class_group.name) == (
                "2027/28",
                f"Form {grade + 1}{letter}",
            )
            assert AuditLog.objects.filter(action="update", entity_id=str(pk)).exists()
    intake = [s for pk, s in students.items() if pk not in first_year]
    assert intake and {s.class_group.grade_level for s in intake} == {1}
    assert all(s.student_id.startswith("N27") for s in intake)
    year = ClassGroup.objects.get(name="Form 1A", academic_year__is_current=True).academic_year
    # Its history starts after the last year ended, not inside it.
    assert (year.name, year.start_date) == ("2027/28", datetime.date(2027, 7, 17))

    client = Client()
    assert client.login(username="north-fm1", password="demo-pass-2026")
    html = client.get("/").content.decode()
    # The new year's forms on the form master's home page, with registers behind them and open alerts.
    assert re.search(r"8 of 8 registers taken|Your forms:", html)
    assert int(re.search(r'<span class="value">(\d+)</span><span class="label">open', html).group(1)) > 0
    # And again that day: nothing new.
    counts = demo_row_counts()
    call_command("seed_demo", stdout=StringIO())
    assert demo_row_counts() == counts
