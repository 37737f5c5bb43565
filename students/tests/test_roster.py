"""Roster import: all lines or none, line-numbered errors, re-import updates, forms created on demand."""

import pytest
from django.core.management import CommandError, call_command

from core.models import AuditLog
from students import services
from students.models import ClassGroup, Student
from students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db
HEADER = "student_id,first_name,last_name,date_of_birth,gender,class_group,grade_level,guardian_name,guardian_phone,guardian_email\n"


def roster(*lines):
    return HEADER + "".join(line + "\n" for line in lines)


def test_import_creates_students_and_forms_and_audits(admin_user, school, form):
    text = roster(
        "A001,Ada,Lovelace,2012-12-10,F,Form 2A,,Lord Byron,+44 1,byron@example.org",
        "A002,Alan,Turing,2012-06-23,male,Form 3C,3,Ethel Turing,,",
    )
    result = services.roster_import(actor=admin_user, school=school, text=text)
    assert (result.created, result.updated, result.unchanged, result.forms_created) == (2, 0, 0, ["Form 3C"])
    ada = Student.objects.get(student_id="A001")
    assert (ada.class_group, ada.gender, str(ada.date_of_birth), ada.guardian_email) == (form, "female", "2012-12-10", "byron@example.org")
    new_form = ClassGroup.objects.get(name="Form 3C")
    assert (new_form.school, new_form.academic_year, new_form.grade_level) == (school, form.academic_year, 3)
    assert Student.objects.get(student_id="A002").class_group == new_form
    assert AuditLog.objects.filter(entity_type="students.student", action="create", actor=admin_user).count() == 2
    assert AuditLog.objects.filter(entity_type="students.classgroup", entity_id=str(new_form.pk)).exists()


def test_reimport_updates_instead_of_duplicating(admin_user, school, form):
    services.roster_import(actor=admin_user, school=school, text=roster("A001,Ada,Lovelace,2012-12-10,F,Form 2A,,,,"))
    ada = Student.objects.get(student_id="A001")
    result = services.roster_import(
        actor=admin_user,
        school=school,
        text=roster("A001,Ada,King,2012-12-10,F,Form 2A,,,,", "A003,Grace,Hopper,,,Form 2A,,,,"),
    )
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    ada.refresh_from_db()
    assert (ada.last_name, ada.version) == ("King", 2)
    assert Student.objects.filter(school=school).count() == 2
    update = AuditLog.objects.get(entity_type="students.student", action="update")
    assert (update.before["last_name"], update.after["last_name"]) == ("Lovelace", "King")
    again = services.roster_import(actor=admin_user, school=school, text=roster("A001,Ada,King,2012-12-10,F,Form 2A,,,,"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_every_bad_line_is_reported_and_nothing_written(admin_user, school, form):
    text = roster(
        "A001,Ada,Lovelace,2012-12-10,F,Form 2A,,,,",
        "A002,Alan,Turing,23/06/2012,M,Form 2A,,,,",
        "A001,Grace,Hopper,,F,Form 2A,,,,",
        "A004,Edsger,Dijkstra,,M,Form 9Z,,,,",
        "A005,,Knuth,,X,Form 2A,,,,not-an-email",
        "A006,Barbara,Liskov,,F,Form 4D,many,,,",
    )
    with pytest.raises(services.RosterError) as excinfo:
        services.roster_import(actor=admin_user, school=school, text=text)
    lines = dict(excinfo.value.lines)
    assert set(lines) == {3, 4, 5, 6, 7}
    assert "bad date_of_birth" in lines[3]
    assert "duplicate student_id A001 (also on line 2)" in lines[4]
    assert "unknown form 'Form 9Z'" in lines[5]
    assert "first_name is empty" in lines[6] and "unknown gender" in lines[6] and "bad guardian_email" in lines[6]
    assert "bad grade_level" in lines[7]
    assert not Student.objects.exists()
    assert not ClassGroup.objects.exclude(pk=form.pk).exists()
    assert not AuditLog.objects.exists()


def test_missing_column_is_reported_on_line_one(admin_user, school, form):
    with pytest.raises(services.RosterError) as excinfo:
        services.roster_import(actor=admin_user, school=school, text="student_id,first_name,last_name\nA1,a,b\n")
    assert excinfo.value.lines[0][0] == 1
    assert "missing column(s): date_of_birth" in excinfo.value.lines[0][1]


def test_import_does_not_touch_another_schools_students(admin_user, school, form, other_form):
    foreign = StudentFactory(school=other_form.school, class_group=other_form, student_id="A001", last_name="Other")
    services.roster_import(actor=admin_user, school=school, text=roster("A001,Ada,Lovelace,,F,Form 2A,,,,"))
    foreign.refresh_from_db()
    assert foreign.last_name == "Other" and foreign.version == 1
    assert Student.objects.get(school=school, student_id="A001").last_name == "Lovelace"


def test_import_roster_command(tmp_path, school, form, capsys):
    good = tmp_path / "roster.csv"
    good.write_text(roster("A001,Ada,Lovelace,,F,Form 2A,,,,", "A002,Alan,Turing,,M,Form 1A,1,,,"))
    call_command("import_roster", str(good), school="north")
    assert "north: 2 created, 0 updated, 0 unchanged; new forms: Form 1A" in capsys.readouterr().out
    entry = AuditLog.objects.filter(entity_type="students.student").first()
    assert entry.actor is None and entry.school == school

    bad = tmp_path / "bad.csv"
    bad.write_text(roster("A009,Bad,Date,2012-02-30,F,Form 2A,,,,"))
    with pytest.raises(CommandError, match="1 bad line"):
        call_command("import_roster", str(bad), school="north")
    assert "line 2: bad date_of_birth" in capsys.readouterr().err
    with pytest.raises(CommandError, match="No school"):
        call_command("import_roster", str(good), school="nowhere")


@pytest.mark.parametrize("size", [30, 300])
def test_import_reads_a_fixed_number_of_times(admin_user, school, form, size):
    """Three reads whatever the size; writes are batched inserts/updates (SQLite caps a statement at 999
    parameters, so there a batch holds ~70 students; MariaDB takes 500 rows a statement)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lines = [f"B{i:04d},First{i},Last{i},2012-01-01,F,Form 2A,,,," for i in range(size)]
    with CaptureQueriesContext(connection) as ctx:
        result = services.roster_import(actor=admin_user, school=school, text=roster(*lines))
    assert result.created == size
    selects = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) <= 4  # backends without RETURNING on bulk inserts read the new ids back
    assert len(ctx.captured_queries) <= 6 + 2 * (size // 60 + 1)

    changed = [f"B{i:04d},First{i},Changed{i},2012-01-01,F,Form 2A,,,," for i in range(size)]
    with CaptureQueriesContext(connection) as ctx:
        result = services.roster_import(actor=admin_user, school=school, text=roster(*changed))
    assert result.updated == size
    assert len([q for q in ctx.captured_queries if q["sql"].startswith("SELECT")]) == 3
    assert len(ctx.captured_queries) <= 6 + 2 * (size // 60 + 1)
