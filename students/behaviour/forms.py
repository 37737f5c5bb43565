from django import forms

from students.behaviour.models import BehaviourRecord
from students.behaviour.services import MAX_POINTS


class BehaviourForm(forms.Form):
    type = forms.ChoiceField(choices=BehaviourRecord.Type.choices)
    category = forms.ChoiceField(choices=BehaviourRecord.Category.choices, initial=BehaviourRecord.Category.BEHAVIOR)
    reason = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"placeholder": "What for?"}))
    points = forms.IntegerField(min_value=1, max_value=MAX_POINTS, initial=1)


class AppealForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    appeal_reason = forms.CharField(max_length=2000)


class ResolveForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    upheld = forms.TypedChoiceField(choices=[("1", "Upheld"), ("0", "Not upheld")], coerce=lambda v: v == "1")
    resolution_note = forms.CharField(max_length=2000, required=False)
