"""Exit criteria in Django admin: set through the outcomes service, as the API sets them."""

import pytest

from core.models import AuditLog
from core.tests.admin_forms import admin_form_data
from interventions.outcomes import services
from interventions.outcomes.models import ExitCriteria
from interventions.tests.factories import InterventionFactory

pytestmark = pytest.mark.django_db
ADD = "/admin/interventions/exitcriteria/add/"


@pytest.fixture
def program(school, counselor):
    return InterventionFactory(school=school, owner=counselor)


def criteria_data(school_admin_client, program, **values):
    data = admin_form_data(school_admin_client.get(ADD).content.decode())
    data.update({"intervention": str(program.pk), "threshold_type": "attendance", "target_value": "90"})
    data.update({"window": "4", "metric_name": "", **values})
    return data


def test_a_criterion_added_in_the_admin_is_set_by_the_service(school_admin_client, admin_user, program):
    response = school_admin_client.post(ADD, criteria_data(school_admin_client, program))
    assert response.status_code == 302, response.content.decode()[:3000]
    criterion = ExitCriteria.objects.get(intervention=program)
    assert (criterion.threshold_type, criterion.target_value, criterion.window) == ("attendance", 90, 4)
    assert criterion.school_id == program.school_id
    logged = AuditLog.objects.get(entity_type="interventions.exitcriteria", entity_id=str(criterion.pk))
    assert (logged.action, logged.actor) == ("create", admin_user)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"target_value": "120"}, "An attendance target is a percentage between 0 and 100."),
        (
            {"threshold_type": "progress", "target_value": "9"},
            "A rating target on this program&#x27;s scale is between",
        ),
        ({"threshold_type": "custom_metric"}, "Name the metric the notes record."),
    ],
)
def test_what_the_service_refuses_is_said_on_the_form_and_nothing_is_saved(
    school_admin_client, program, values, message
):
    response = school_admin_client.post(ADD, criteria_data(school_admin_client, program, **values))
    assert response.status_code == 200 and message in response.content.decode()
    assert not ExitCriteria.objects.exists() and not AuditLog.objects.exists()


def test_a_set_criterion_is_shown_not_changed_and_can_be_deleted(school_admin_client, counselor, program):
    criterion = services.criteria_create(
        actor=counselor, program=program, threshold_type="attendance", target_value=80, window=3
    )
    change = f"/admin/interventions/exitcriteria/{criterion.pk}/change/"
    page = school_admin_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert school_admin_client.post(change, {"target_value": "10", "window": "1"}).status_code == 403
    criterion.refresh_from_db()
    assert (criterion.target_value, criterion.window) == (80, 3)
    deleted = school_admin_client.post(f"/admin/interventions/exitcriteria/{criterion.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302 and not ExitCriteria.objects.exists()
    assert AuditLog.objects.filter(entity_type="interventions.exitcriteria", action="delete").count() == 1
