"""Page forms of the progress page: shape only; the rules are the services'."""

from django import forms

from core.ids import MAX_VERSION


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
