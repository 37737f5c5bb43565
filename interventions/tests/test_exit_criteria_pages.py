"""Exit criteria set from the program's page: added by its owner or an admin, refused inline with the values
kept, not offered to (nor taken from) anyone else, another school's program not found."""

import pytest

from core.models import AuditLog
from interventions.outcomes.models import ExitCriteria
from interventions.tests.factories import InterventionFactory, InterventionSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(school, counselor):
    return InterventionFactory(school=school, owner=counselor, progress_metric="likert")


def url(program) -> str:
    return f"/programs/{program.pk}/exit-criteria/"


def test_the_owner_adds_a_criterion_and_the_page_lists_it(client, counselor, program):
    client.force_login(counselor)
    page = client.get(f"/programs/{program.pk}/").content.decode()
    assert "No exit criteria yet." in page and "Add an exit criterion" in page

    response = client.post(url(program), {"threshold_type": "attendance", "target_value": "92.5", "window": "20"})
    assert response.status_code == 302
    assert response["Location"] == f"/programs/{program.pk}/#program-outcomes"
    criterion = ExitCriteria.objects.get(intervention=program)
    assert (criterion.threshold_type, str(criterion.target_value), criterion.window) == ("attendance", "92.50", 20)
    created = AuditLog.objects.get(entity_type="interventions.exitcriteria", action="create")
    assert (created.actor, created.entity_id) == (counselor, str(criterion.pk))

    page = client.get(response["Location"]).content.decode()
    assert "Exit criterion added." in page
    assert "School attendance rate (%) ≥ 92.5 over the last 20 marked school days" in page


def test_an_admin_adds_a_custom_metric(client, admin_user, program):
    client.force_login(admin_user)
    data = {"threshold_type": "custom_metric", "target_value": "3", "window": "4", "metric_name": " Reading age "}
    assert client.post(url(program), data).status_code == 302
    criterion = ExitCriteria.objects.get(intervention=program)
    assert criterion.metric_name == "Reading age"
    assert "Reading age ≥ 3 over the last 4 notes" in client.get(f"/programs/{program.pk}/").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"threshold_type": "attendance", "target_value": "120", "window": "20"},
            "An attendance target is a percentage between 0 and 100.",
        ),
        (
            {"threshold_type": "progress", "target_value": "7", "window": "3"},
            "A rating target on this program&#x27;s scale is between 1 and 5.",
        ),
        (
            {"threshold_type": "custom_metric", "target_value": "3", "window": "3", "metric_name": ""},
            "Name the metric the notes record.",
        ),
        ({"threshold_type": "attendance", "target_value": "90", "window": "0"}, "greater than or equal to 1"),
        ({"threshold_type": "attendance", "target_value": "lots", "window": "20"}, "Enter a number."),
        ({"threshold_type": "mood", "target_value": "3", "window": "20"}, "Select a valid choice."),
    ],
)
def test_a_refused_criterion_is_shown_beside_its_field_with_the_values_kept(client, counselor, program, data, message):
    client.force_login(counselor)
    response = client.post(url(program), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert '<details open id="add-criterion">' in html
    assert f'value="{data["target_value"]}"' in html  # what was typed is still there
    assert program.name in html  # the program's page, not an error page
    assert not ExitCriteria.objects.exists()
    assert not AuditLog.objects.filter(entity_type="interventions.exitcriteria").exists()


def test_nobody_else_is_offered_the_form_nor_may_post_it(client, make_user, school, program):
    other_counselor = make_user("counselor", school, username="north-counselor2")
    facilitator = make_user("teacher", school, username="north-teacher2")
    InterventionSessionFactory(intervention=program, facilitator=facilitator)
    data = {"threshold_type": "attendance", "target_value": "90", "window": "20"}
    for user in (other_counselor, facilitator):
        client.force_login(user)
        page = client.get(f"/programs/{program.pk}/")
        assert page.status_code == 200
        assert "Add an exit criterion" not in page.content.decode()
        assert client.post(url(program), data).status_code == 403
    assert not ExitCriteria.objects.exists()


def test_another_schools_program_is_not_found(client, other_admin, program):
    client.force_login(other_admin)
    response = client.post(url(program), {"threshold_type": "attendance", "target_value": "90", "window": "20"})
    assert response.status_code == 404
    assert not ExitCriteria.objects.exists()


def test_the_address_of_a_refused_form_reloaded_is_the_programs_page(client, counselor, program):
    client.force_login(counselor)
    response = client.get(url(program))
    assert (response.status_code, response["Location"]) == (302, f"/programs/{program.pk}/#program-outcomes")
    assert not ExitCriteria.objects.exists()
