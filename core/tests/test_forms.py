"""core.forms.RowChoiceField: a choice of rows read once, cleaned to the row."""

import pytest
from django import forms

from core.forms import RowChoiceField
from core.testing.queries import assert_query_count
from students.models import ClassGroup
from students.tests.factories import ClassGroupFactory

pytestmark = pytest.mark.django_db


class FormOfForms(forms.Form):
    form = RowChoiceField(empty_label="Choose a form")

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].offer(rows)


def test_the_rows_are_read_once_to_render_list_elsewhere_and_validate(school):
    first, second = ClassGroupFactory(school=school, name="7A"), ClassGroupFactory(school=school, name="7B")
    rows = ClassGroup.objects.filter(school=school).order_by("name")
    with assert_query_count(0):
        form = FormOfForms({"form": str(second.pk)}, rows=rows)
    with assert_query_count(1):
        html = str(form["form"])
        assert [row.name for row in rows] == ["7A", "7B"]  # the page's other list of the same rows
        assert form.is_valid()
    assert form.cleaned_data["form"] == second
    assert '<option value="">Choose a form</option>' in html
    assert f'<option value="{first.pk}">7A</option>' in html


def test_a_row_not_offered_is_refused_as_a_model_choice_is(school, other_admin):
    mine = ClassGroupFactory(school=school, name="7A")
    theirs = ClassGroupFactory(school=other_admin.school, name="9Z")
    for value in (str(theirs.pk), "nope", "99999999"):
        form = FormOfForms({"form": value}, rows=[mine])
        assert not form.is_valid()
        assert form.errors["form"] == [forms.ModelChoiceField.default_error_messages["invalid_choice"]]


def test_an_empty_choice_is_none_when_not_required(school):
    field = RowChoiceField(required=False)
    field.offer([ClassGroupFactory(school=school)])
    assert field.clean("") is None
