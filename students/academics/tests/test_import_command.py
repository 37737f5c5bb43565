"""manage.py import_subjects: all lines or none, line-numbered errors."""

import pytest
from django.core.management import CommandError, call_command

from students.academics.models import SubjectEnrollment

pytestmark = pytest.mark.django_db


def test_import_subjects_command(tmp_path, school, teacher, pupils, capsys):
    good = tmp_path / "subjects.csv"
    good.write_text(
        "student_id,subject_code,subject_name,teacher\n"
        f"{pupils[0].student_id},GEO,Geography,{teacher.username}\n"
        f"{pupils[1].student_id},GEO,,{teacher.username}\n",
        encoding="utf-8",
    )
    call_command("import_subjects", str(good), "--school", school.code)
    out = capsys.readouterr().out
    assert "2 enrollments created" in out and "new subjects: GEO" in out
    assert SubjectEnrollment.objects.filter(teacher=teacher).count() == 2

    bad = tmp_path / "bad.csv"
    bad.write_text(f"student_id,subject_code\n{pupils[2].student_id},GEO\nNOBODY,GEO\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing imported: 1 bad line"):
        call_command("import_subjects", str(bad), "--school", school.code)
    assert "line 3: no student 'NOBODY'" in capsys.readouterr().err
    assert SubjectEnrollment.objects.count() == 2
