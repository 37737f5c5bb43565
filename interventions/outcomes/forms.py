"""Page forms of the progress page: shape only; the rules are the services'."""

from django import forms

from core.ids import MAX_VERSION
from interventions.outcomes.models import ExitCriteria
from interventions.outcomes.services import MAX_WINDOW


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    rating = forms.DecimalField(required=False, max_digits=5, decimal_places=2)
    metric_value = forms.DecimalField(required=False, max_digits=9, decimal_places=2, label="Metric value")


class ExitForm(forms.Form):
    exit_reason = forms.CharField(label="Why the student leaves the program", widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_VERSION)


class DecisionForm(forms.Form):
    recommendation = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(choices=[("accepted", "Accept"), ("dismissed", "Dismiss")])
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_VERSION)


class CriterionForm(forms.Form):
    """An exit criterion on the program's page: the service judges the target against the program's scale."""

    threshold_type = forms.ChoiceField(label="Measure", choices=ExitCriteria.ThresholdType.choices)
    target_value = forms.DecimalField(
        label="Target (at least)", max_digits=9, decimal_places=2, help_text="A percentage for attendance."
    )
    window = forms.IntegerField(
        label="Over the last",
        min_value=1,
        max_value=MAX_WINDOW,
        initial=20,
        help_text="Marked school days for attendance; notes otherwise.",
    )
    metric_name = forms.CharField(
        label="Metric name", required=False, max_length=100, help_text="Only for a custom metric."
    )
