from students.tests.fixtures import form, form_b, make_students, other_form, other_year, school_day, year  # noqa: F401
