from students.academics.tests.fixtures import (  # noqa: F401
    english,
    enroll,
    maths,
    maths_topics,
    other_subject,
    pupils,
    taught,
)
from students.tests.fixtures import (  # noqa: F401
    form,
    form_b,
    make_students,
    other_form,
    other_year,
    school_day,
    year,
)
