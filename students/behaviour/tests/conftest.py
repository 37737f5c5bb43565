from students.tests.fixtures import form, form_b, make_students, other_form, other_year, school_day, year  # noqa: F401


def taught_by(teacher, student):
    """`teacher` teaches `student` a subject: behaviour for the student's form is theirs to log."""
    from students.academics.tests.factories import SubjectEnrollmentFactory

    return SubjectEnrollmentFactory(school=student.school, student=student, teacher=teacher)
