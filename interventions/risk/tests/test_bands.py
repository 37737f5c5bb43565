"""Each ABC indicator at each band edge (SPEC §8 defaults), and figures that name the cause."""

from types import SimpleNamespace

import pytest

from interventions.risk import bands, services
from interventions.risk.models import RiskSettings, StudentRisk
from interventions.risk.tests.helpers import attendance, mark, penalties
from students.behaviour.models import BehaviourRecord


@pytest.fixture
def defaults():
    return RiskSettings()  # unsaved: the model's defaults are SPEC's


@pytest.mark.parametrize(
    ("attended", "marked", "level"),
    [
        (45, 45, 0),
        (38, 40, 0),  # exactly 95 %
        (37, 40, 1),  # 92.5
        (36, 40, 1),  # exactly 90 %
        (35, 40, 2),  # 87.5
        (34, 40, 2),  # exactly 85 %
        (33, 40, 3),  # 82.5
        (32, 40, 3),  # exactly 80 %
        (31, 40, 4),  # 77.5
        (0, 45, 4),
        (0, 4, 0),  # too few marked days to rate
    ],
)
def test_attendance_level_at_each_edge(defaults, attended, marked, level):
    """≥ 95 → 0, ≥ 90 → 1, ≥ 85 → 2, ≥ 80 → 3, else 4; the edge itself belongs to the better band."""
    assert bands.attendance_level(attended, marked, defaults) == level


@pytest.mark.parametrize(("count", "level"), [(0, 0), (1, 0), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4), (20, 4)])
def test_behaviour_level_at_each_edge(defaults, count, level):
    assert bands.behaviour_level(count, defaults) == level


@pytest.mark.parametrize(
    ("means", "level"),
    [
        ([], 0),
        ([75, 80, 90], 0),
        ([59.9, 80], 0),  # one close above the pass mark is not enough
        ([59.9, 50], 1),  # two within 10 points above it
        ([60, 50], 0),  # 60 is not within 10 points above 50
        ([49.9, 80], 2),
        ([50, 80], 0),  # exactly the pass mark passes
        ([49, 30, 80], 3),
        ([49, 30, 10, 80], 4),
    ],
)
def test_course_level_at_each_edge(defaults, means, level):
    low = [{"subject": f"Subject {i}", "mean": mean} for i, mean in enumerate(means) if mean < 60]
    figures = bands.course_figures({"graded_subjects": len(means), "low": low}, defaults)
    assert figures["level"] == level


def test_course_figures_name_the_subjects(defaults):
    low = [{"subject": "Mathematics", "mean": 42.5}, {"subject": "English", "mean": 55.0}]
    figures = bands.course_figures({"graded_subjects": 6, "low": low}, defaults)
    assert figures["level"] == 2
    assert "Below the 50 % pass mark in Mathematics (42.5 %)" in figures["words"]
    assert "English (55 %)" in figures["words"]


@pytest.mark.django_db
def test_attendance_reads_the_last_45_marked_days_only(school, form, make_students):
    """Absences before the student's last 45 marked days do not count; the figures say the rate."""
    (student,) = make_students(form, 1)
    # 10 absences, then 45 days of which 41 present: 91.1 % → level 1.
    mark(student, ["absent"] * 10 + ["present"] * 41 + ["absent"] * 4)
    services.compute_for_school(school=school)
    risk = StudentRisk.objects.get(student=student)
    assert (risk.attendance_level, risk.level) == (1, 1)
    figures = risk.figures["attendance"]
    assert (figures["attended"], figures["marked"], figures["rate"]) == (41, 45, 91.1)
    assert figures["words"].startswith("Attended 41 of the last 45 marked school days: 91.1 % (below 95 %)")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("attended", "level"), [(43, 0), (42, 1), (41, 1), (40, 2), (39, 2), (38, 3), (36, 3), (35, 4)]
)
def test_attendance_edges_over_45_days(school, form, make_students, attended, level):
    """42.75/45 is 95 %: 43 days is level 0, 42 level 1 (93.3), 40.5 is 90 %, 38.25 is 85 %, 36 is 80 %."""
    (student,) = make_students(form, 1)
    attendance(student, attended=attended, marked=45)
    services.compute_for_school(school=school)
    assert StudentRisk.objects.get(student=student).attendance_level == level


@pytest.mark.django_db
def test_late_counts_as_attended(school, form, make_students):
    (student,) = make_students(form, 1)
    mark(student, ["late"] * 20 + ["excused"] * 2)
    services.compute_for_school(school=school)
    figures = StudentRisk.objects.get(student=student).figures["attendance"]
    assert (figures["attended"], figures["marked"], figures["level"]) == (20, 22, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(("count", "level"), [(1, 0), (2, 1), (4, 2), (5, 3), (6, 3), (7, 4)])
def test_behaviour_counts_penalties_in_45_school_days(school, form, make_students, admin_user, count, level):
    (student,) = make_students(form, 1)
    penalties(student, count, by=admin_user)
    penalties(student, 5, by=admin_user, days_ago_school=50)  # before the window
    penalties(student, 3, by=admin_user, type=BehaviourRecord.Type.REWARD)
    services.compute_for_school(school=school)
    risk = StudentRisk.objects.get(student=student)
    assert (risk.behaviour_level, risk.level) == (level, level)
    words = risk.figures["behaviour"]["words"]
    assert words.startswith(f"{count} counted penalt")
    assert "in the last 45 school days" in words
    assert "3 rewards" in words


@pytest.mark.django_db
def test_an_appeal_won_no_longer_counts_one_pending_does(school, form, make_students, admin_user):
    (student,) = make_students(form, 1)
    penalties(student, 2, by=admin_user)
    penalties(student, 1, by=admin_user, status=BehaviourRecord.Status.APPEALED)
    penalties(student, 4, by=admin_user, status=BehaviourRecord.Status.RESOLVED, upheld=False)
    penalties(student, 1, by=admin_user, status=BehaviourRecord.Status.RESOLVED, upheld=True)
    services.compute_for_school(school=school)
    figures = StudentRisk.objects.get(student=student).figures["behaviour"]
    assert (figures["penalties"], figures["under_appeal"], figures["level"]) == (4, 1, 2)
    assert "(1 under appeal)" in figures["words"]


@pytest.mark.django_db
def test_level_is_the_highest_indicator_and_strengths_show(school, form, make_students, admin_user):
    good, mixed = make_students(form, 2)
    attendance(good, attended=45, marked=45)
    penalties(good, 2, by=admin_user, type=BehaviourRecord.Type.REWARD)
    attendance(mixed, attended=44, marked=45)
    penalties(mixed, 5, by=admin_user)
    services.compute_for_school(school=school)
    good_risk, mixed_risk = StudentRisk.objects.get(student=good), StudentRisk.objects.get(student=mixed)
    assert good_risk.level == 0
    assert any("Present on each of the last 45" in s for s in good_risk.figures["strengths"])
    assert any("Reward streak" in s for s in good_risk.figures["strengths"])
    assert (mixed_risk.attendance_level, mixed_risk.behaviour_level, mixed_risk.level) == (0, 3, 3)


def test_settings_are_per_school_bands():
    custom = SimpleNamespace(
        attendance_level_0_percent=98,
        attendance_level_1_percent=95,
        attendance_level_2_percent=90,
        attendance_level_3_percent=85,
    )
    assert bands.attendance_level(96, 100, custom) == 1


def _assess(student, subject, percentages, **fields):
    from decimal import Decimal

    from students.academics.tests.factories import AssessmentFactory

    for n, pct in enumerate(percentages):
        AssessmentFactory(
            school=student.school,
            student=student,
            subject=subject,
            total_marks=Decimal("100"),
            marks_obtained=None if pct is None else Decimal(pct),
            percentage=None if pct is None else Decimal(pct),
            status="pending" if pct is None else "graded",
            assessment_date=fields.get("date") or _school_day(n),
            title=f"{subject.name} {n}",
        )


def _school_day(n):
    from interventions.risk.tests.helpers import school_days_back

    return school_days_back(n + 1)[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("maths", "english", "science", "level"),
    [
        ([80, 70], [65], [90], 0),
        ([50, 50], [65], [90], 0),  # exactly the pass mark
        ([49, 50], [65], [90], 2),  # mean 49.5
        ([55, 56], [59], [90], 1),  # two within 10 points above
        ([40], [45, 44], [90], 3),
        ([40], [45], [30, 20], 4),
    ],
)
def test_course_level_from_mean_graded_percentage(school, form, make_students, maths, english, science, level):
    from students.academics.tests.factories import SubjectFactory

    (student,) = make_students(form, 1)
    for name, means in (("Mathematics", maths), ("English", english), ("Science", science)):
        _assess(student, SubjectFactory(school=school, name=name, code=name[:4].upper()), means)
    services.compute_for_school(school=school)
    risk = StudentRisk.objects.get(student=student)
    assert (risk.course_level, risk.level) == (level, level)
    assert risk.figures["course"]["graded_subjects"] == 3


@pytest.mark.django_db
def test_pending_and_last_years_assessments_do_not_count(school, year, form, make_students):
    import datetime

    from students.academics.tests.factories import SubjectFactory

    (student,) = make_students(form, 1)
    maths = SubjectFactory(school=school, name="Mathematics", code="MATH")
    _assess(student, maths, [70, None])
    _assess(student, maths, [10], date=year.start_date - datetime.timedelta(days=30))
    services.compute_for_school(school=school)
    figures = StudentRisk.objects.get(student=student).figures["course"]
    assert (figures["level"], figures["graded_subjects"], figures["failing"]) == (0, 1, [])
    assert figures["words"] == "All 1 graded subject at or above 60 %."


@pytest.mark.django_db
def test_course_figures_name_the_failing_subject(school, form, make_students):
    from students.academics.tests.factories import SubjectFactory

    (student,) = make_students(form, 1)
    _assess(student, SubjectFactory(school=school, name="Mathematics", code="MATH"), [40, 45])
    _assess(student, SubjectFactory(school=school, name="English", code="ENG"), [75])
    services.compute_for_school(school=school)
    risk = StudentRisk.objects.get(student=student)
    assert risk.course_level == 2
    assert risk.figures["course"]["words"] == "Below the 50 % pass mark in Mathematics (42.5 %)."
    assert risk.figures["course"]["failing"] == [{"subject": "Mathematics", "mean": 42.5, "assessments": 2}]


@pytest.mark.parametrize(
    ("recent", "earlier", "counts", "expected"),
    [
        (58.0, 66.0, (2, 2), "worsening"),
        (66.0, 61.0, (2, 2), "improving"),  # 5 points is a trend
        (64.9, 61.0, (3, 3), "steady"),
        (40.0, 80.0, (1, 5), None),  # one recent mark is too few to call a trend
        (None, 80.0, (0, 4), None),
    ],
)
def test_course_trend_compares_recent_marks_with_the_years_before(defaults, recent, earlier, counts, expected):
    row = {
        "graded_subjects": 3,
        "low": [],
        "recent_mean": recent,
        "earlier_mean": earlier,
        "recent_graded": counts[0],
        "earlier_graded": counts[1],
    }
    figures = bands.course_figures(row, defaults)
    assert figures["trend"] == expected
    if expected == "worsening":
        assert "Marks down: 58 % on average in the last 45 school days, from 66 % before." in figures["words"]
    if expected is None:
        assert "Marks " not in figures["words"] and figures["recent_mean"] is None


@pytest.mark.django_db
def test_course_trend_is_computed_from_the_marks_of_the_window_and_before(
    client, admin_user, school, form, make_students
):
    """Two 80 % marks a term ago and two 55 % marks this month: the course indicator says marks are down,
    and the ABC panel shows it as worsening; a student whose marks rise has it among their strengths."""
    from students.academics.tests.factories import SubjectFactory

    falling, rising = make_students(form, 2)
    maths = SubjectFactory(school=school, name="Mathematics", code="MATH")
    for student, (old, new) in ((falling, (80, 55)), (rising, (55, 80))):
        for n in (60, 61):
            _assess(student, maths, [old], date=_school_day(n))
        for n in (0, 1):
            _assess(student, maths, [new], date=_school_day(n))
    services.compute_for_school(school=school)

    course = StudentRisk.objects.get(student=falling).figures["course"]
    assert (course["trend"], course["recent_mean"], course["earlier_mean"]) == ("worsening", 55.0, 80.0)
    assert course["words"].endswith("Marks down: 55 % on average in the last 45 school days, from 80 % before.")
    risk = StudentRisk.objects.get(student=rising)
    assert risk.figures["course"]["trend"] == "improving"
    assert "Marks improving: 80 %, up from 55 %." in risk.figures["strengths"]

    client.force_login(admin_user)
    html = client.get(f"/students/{falling.pk}/").content.decode()
    course_card = html.split("<strong>Course</strong>", 1)[1].split("</article>", 1)[0]
    assert "▼ worsening" in course_card and "Marks down: 55 %" in course_card
