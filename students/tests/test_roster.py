"""Roster import: all lines or none, line-numbered errors, re-import updates, forms created on demand."""

import pytest
from django.core.management import CommandError, call_command

from core.models import AuditLog
from core.testing.queries import assert_query_count
from students import roster as importer
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
    result = importer.roster_import(actor=admin_user, school=school, text=text)
    assert (result.created, result.updated, result.unchanged, result.forms_created) == (2, 0, 0, ["Form 3C"])
    ada = Student.objects.get(student_id="A001")
    assert (ada.class_group, ada.gender, str(ada.date_of_birth), ada.guardian_email) == (
        form,
        "female",
        "2012-12-10",
        "byron@example.org",
    )
    new_form = ClassGroup.objects.get(name="Form 3C")
    assert (new_form.school, new_form.academic_year, new_form.grade_level) == (school, form.academic_year, 3)
    assert Student.objects.get(student_id="A002").class_group == new_form
    assert AuditLog.objects.filter(entity_type="students.student", action="create", actor=admin_user).count() == 2
    assert AuditLog.objects.filter(entity_type="students.classgroup", entity_id=str(new_form.pk)).exists()


def test_reimport_updates_instead_of_duplicating(admin_user, school, form):
    importer.roster_import(actor=admin_user, school=school, text=roster("A001,Ada,Lovelace,2012-12-10,F,Form 2A,,,,"))
    ada = Student.objects.get(student_id="A001")
    result = importer.roster_import(
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
    again = importer.roster_import(
        actor=admin_user, school=school, text=roster("A001,Ada,King,2012-12-10,F,Form 2A,,,,")
    )
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
    with pytest.raises(importer.RosterError) as excinfo:
        importer.roster_import(actor=admin_user, school=school, text=text)
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
    with pytest.raises(importer.RosterError) as excinfo:
        importer.roster_import(actor=admin_user, school=school, text="student_id,first_name,last_name\nA1,a,b\n")
    assert excinfo.value.lines[0][0] == 1
    assert "missing column(s): date_of_birth" in excinfo.value.lines[0][1]


def test_import_does_not_touch_another_schools_students(admin_user, school, form, other_form):
    foreign = StudentFactory(school=other_form.school, class_group=other_form, student_id="A001", last_name="Other")
    importer.roster_import(actor=admin_user, school=school, text=roster("A001,Ada,Lovelace,,F,Form 2A,,,,"))
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


def _batches(rows: int, per_statement: int) -> int:
    return -(-rows // per_statement)


@pytest.mark.parametrize("size", [30, 300])
def test_import_reads_a_fixed_number_of_times(admin_user, school, form, size, is_mysql):
    """Three reads whatever the size; writes are batched inserts/updates. The import asks for 500 rows a
    statement, which MariaDB takes; SQLite caps a statement at 999 parameters, so there a batch holds 66
    new students (15 columns), 62 updated ones (16, with the id) and 111 audit rows (9 columns). Both
    return the new ids from the insert, so nothing is read back."""
    per_insert, per_upsert, per_audit = (500, 500, 500) if is_mysql else (66, 62, 111)
    lines = [f"B{i:04d},First{i},Last{i},2012-01-01,F,Form 2A,,,," for i in range(size)]
    # savepoint, year, forms, students, the inserts, the audit rows, release
    with assert_query_count(5 + _batches(size, per_insert) + _batches(size, per_audit)) as captured:
        result = importer.roster_import(actor=admin_user, school=school, text=roster(*lines))
    assert result.created == size
    assert len([q for q in captured.captured_queries if q["sql"].startswith("SELECT")]) == 3

    changed = [f"B{i:04d},First{i},Changed{i},2012-01-01,F,Form 2A,,,," for i in range(size)]
    # savepoint, year, forms, students, the upserts, the audit rows, release
    with assert_query_count(5 + _batches(size, per_upsert) + _batches(size, per_audit)) as captured:
        result = importer.roster_import(actor=admin_user, school=school, text=roster(*changed))
    assert result.updated == size
    assert len([q for q in captured.captured_queries if q["sql"].startswith("SELECT")]) == 3


# Matching forms and students whatever the case --------------------------------------------------------


def test_a_form_named_in_another_case_or_spacing_is_the_existing_form(admin_user, school, form):
    result = importer.roster_import(
        actor=admin_user,
        school=school,
        text=roster("A001,Ada,Lovelace,,F,form 2a,2,,,", "A002,Alan,Turing,,M,  FORM   2A ,,,,"),
    )
    assert (result.created, result.forms_created) == (2, [])
    assert set(Student.objects.values_list("class_group", flat=True)) == {form.pk}
    assert list(ClassGroup.objects.filter(school=school).values_list("name", flat=True)) == ["Form 2A"]


def test_a_student_moves_into_an_existing_form_named_in_another_case(admin_user, school, form, form_b):
    StudentFactory(school=school, class_group=form, student_id="A001", first_name="Ada", last_name="Lovelace")
    result = importer.roster_import(actor=admin_user, school=school, text=roster("A001,Ada,Lovelace,,F,form 2b,2,,,"))
    assert (result.created, result.updated, result.forms_created) == (0, 1, [])
    assert Student.objects.get(student_id="A001").class_group == form_b
    assert ClassGroup.objects.filter(school=school).count() == 2


def test_a_new_form_named_in_two_cases_is_created_once(admin_user, school, form):
    result = importer.roster_import(
        actor=admin_user,
        school=school,
        text=roster(
            "A001,Ada,Lovelace,,F,Form 3C,3,,,", "A002,Alan,Turing,,M,form 3c,3,,,", "A003,Grace,Hopper,,F,FORM 3C,,,,"
        ),
    )
    assert (result.created, result.forms_created) == (3, ["Form 3C"])
    new_form = ClassGroup.objects.get(school=school, grade_level=3)
    assert new_form.name == "Form 3C"
    assert Student.objects.filter(class_group=new_form).count() == 3


def test_a_line_before_the_one_that_creates_its_form_needs_no_grade_level(admin_user, school, form):
    result = importer.roster_import(
        actor=admin_user,
        school=school,
        text=roster("A001,Ada,Lovelace,,F,Form 3C,,,,", "A002,Alan,Turing,,M,Form 3C,3,,,"),
    )
    assert (result.created, result.forms_created) == (2, ["Form 3C"])


def test_a_new_form_given_two_grade_levels_is_refused(admin_user, school, form):
    with pytest.raises(importer.RosterError) as excinfo:
        importer.roster_import(
            actor=admin_user,
            school=school,
            text=roster("A001,Ada,Lovelace,,F,Form 3C,3,,,", "A002,Alan,Turing,,M,form 3c,4,,,"),
        )
    assert excinfo.value.lines == [(3, "form 'form 3c' is given grade_level 4 here but 3 on line 2")]
    assert not ClassGroup.objects.exclude(pk=form.pk).exists() and not Student.objects.exists()


def test_a_student_id_in_another_case_updates_the_existing_student(admin_user, school, form):
    ada = StudentFactory(school=school, class_group=form, student_id="AB-001", first_name="Ada", last_name="Lovelace")
    result = importer.roster_import(actor=admin_user, school=school, text=roster("ab-001,Ada,King,,F,Form 2A,,,,"))
    assert (result.created, result.updated) == (0, 1)
    ada.refresh_from_db()
    assert (ada.student_id, ada.last_name, ada.version) == ("AB-001", "King", 2)
    assert Student.objects.filter(school=school).count() == 1


def test_two_lines_whose_student_ids_differ_only_in_case_are_duplicates(admin_user, school, form):
    with pytest.raises(importer.RosterError) as excinfo:
        importer.roster_import(
            actor=admin_user,
            school=school,
            text=roster("AB-001,Ada,Lovelace,,F,Form 2A,,,,", "ab-001,Alan,Turing,,M,Form 2A,,,,"),
        )
    assert excinfo.value.lines == [(3, "duplicate student_id ab-001 (also on line 2, as AB-001)")]
    assert not Student.objects.exists()


def test_forms_differing_only_in_case_are_an_ambiguous_name(admin_user, school, form, is_mysql):
    if is_mysql:
        pytest.skip("MariaDB's case-insensitive unique index does not let two such forms exist")
    ClassGroup.objects.create(school=school, academic_year=form.academic_year, name="form 2a", grade_level=2)
    with pytest.raises(importer.RosterError) as excinfo:
        importer.roster_import(actor=admin_user, school=school, text=roster("A001,Ada,Lovelace,,F,FORM 2A,,,,"))
    assert excinfo.value.lines == [(2, "form 'FORM 2A' matches more than one form: 'Form 2A', 'form 2a'")]
    # The exact name is no ambiguity.
    importer.roster_import(actor=admin_user, school=school, text=roster("A001,Ada,Lovelace,,F,form 2a,,,,"))
    assert Student.objects.get(student_id="A001").class_group.name == "form 2a"


def test_a_line_with_field_problems_also_reports_its_unknown_form(admin_user, school, form):
    with pytest.raises(importer.RosterError) as excinfo:
        importer.roster_import(actor=admin_user, school=school, text=roster("A001,,Lovelace,,F,Form 9Z,,,,"))
    assert excinfo.value.lines == [(2, "first_name is empty; unknown form 'Form 9Z' (give a grade_level to create it)")]


def test_a_file_that_is_not_utf8_names_the_line(admin_user, school, form):
    data = roster("A001,Ada,Lovelace,,F,Form 2A,,,,", "A002,Zoë,Smith,,F,Form 2A,,,,").encode("latin-1")
    with pytest.raises(importer.RosterError) as excinfo:
        importer.decode_roster(data)
    assert excinfo.value.lines == [(3, "the file is not UTF-8 text (save it as CSV UTF-8)")]
    assert importer.decode_roster(b"\xef\xbb\xbf" + data.replace(b"\xeb", b"e")).startswith("student_id,")


def test_import_roster_command_reports_a_file_that_is_not_utf8(tmp_path, school, form, capsys):
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(roster("A001,Ada,Lovelace,,F,Form 2A,,,,", "A002,Zoë,Smith,,F,Form 2A,,,,").encode("latin-1"))
    with pytest.raises(CommandError, match="Nothing imported: 1 bad line"):
        call_command("import_roster", str(bad), school="north")
    assert "line 3: the file is not UTF-8 text" in capsys.readouterr().err
    assert not Student.objects.exists()


def test_a_clash_the_database_finds_is_a_roster_error_and_nothing_is_written(admin_user, school, form, monkeypatch):
    """MariaDB's collation takes more spellings as equal than the matching here (accents); its refusal
    is reported like any bad roster, with nothing written."""
    StudentFactory(school=school, class_group=form, student_id="A001", last_name="Stored")
    monkeypatch.setattr(importer, "_match_students", lambda rows, existing: None)
    with pytest.raises(importer.RosterError) as excinfo:
        importer.roster_import(
            actor=admin_user,
            school=school,
            text=roster("A002,Alan,Turing,,M,Form 3C,3,,,", "A001,Ada,Lovelace,,F,Form 2A,,,,"),
        )
    assert "clashes with one the database already holds" in excinfo.value.lines[0][1]
    assert list(Student.objects.values_list("student_id", "last_name")) == [("A001", "Stored")]
    assert not ClassGroup.objects.filter(name="Form 3C").exists()
    assert not AuditLog.objects.exists()


def test_a_birth_date_not_in_the_past_is_a_line_error(admin_user, school, form):
    with pytest.raises(importer.RosterError) as excinfo:
        importer.roster_import(
            actor=admin_user, school=school, text=roster("A001,Ada,Lovelace,2099-01-01,F,Form 2A,,,,")
        )
    assert excinfo.value.lines == [(2, "date_of_birth 2099-01-01 is not in the past")]
    assert not Student.objects.exists()


def test_the_guardian_address_is_read_when_the_file_has_the_column_and_kept_when_it_has_not(admin_user, school, form):
    with_address = HEADER.rstrip("\n") + ",guardian_address\n"
    text = with_address + 'A001,Ada,Lovelace,,F,Form 2A,,Lord Byron,,,"12 Mill Lane\r\n  Northtown \r\nNT1 4AB"\n'
    assert importer.roster_import(actor=admin_user, school=school, text=text).created == 1
    ada = Student.objects.get(student_id="A001")
    assert ada.guardian_address == "12 Mill Lane\nNorthtown\nNT1 4AB"
    assert (
        AuditLog.objects.get(action="create", entity_id=str(ada.pk)).after["guardian_address"] == ada.guardian_address
    )

    # A file without the column (an export edited and imported again) changes a name, not the address.
    result = importer.roster_import(
        actor=admin_user, school=school, text=roster("A001,Ada,King,,F,Form 2A,,Lord Byron,,")
    )
    ada.refresh_from_db()
    assert (result.updated, ada.last_name, ada.guardian_address) == (1, "King", "12 Mill Lane\nNorthtown\nNT1 4AB")

    # With the column, a new address is an update, audited before and after; an empty cell empties it.
    moved = with_address + "A001,Ada,King,,F,Form 2A,,Lord Byron,,,1 High Street\n"
    assert importer.roster_import(actor=admin_user, school=school, text=moved).updated == 1
    change = AuditLog.objects.filter(action="update", entity_id=str(ada.pk)).latest("pk")
    assert (change.before["guardian_address"], change.after["guardian_address"]) == (
        "12 Mill Lane\nNorthtown\nNT1 4AB",
        "1 High Street",
    )
    importer.roster_import(
        actor=admin_user, school=school, text=with_address + "A001,Ada,King,,F,Form 2A,,Lord Byron,,,\n"
    )
    ada.refresh_from_db()
    assert ada.guardian_address == ""


def test_a_too_long_guardian_address_is_a_line_error(admin_user, school, form):
    text = HEADER.rstrip("\n") + ",guardian_address\n" + "A001,Ada,Lovelace,,F,Form 2A,,,,," + "x" * 501 + "\n"
    with pytest.raises(importer.RosterError) as error:
        importer.roster_import(actor=admin_user, school=school, text=text)
    assert error.value.lines == [(2, "guardian_address is longer than 500 characters")]
    assert not Student.objects.exists()
