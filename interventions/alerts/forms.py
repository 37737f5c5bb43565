from django import forms

from core.ids import MAX_VERSION
from interventions.models import Alert


class AlertStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s, label) for s, label in Alert.Status.choices if s != Alert.Status.OPEN])
    version = forms.IntegerField(min_value=1, max_value=MAX_VERSION)
    note = forms.CharField(required=False, max_length=2000)
