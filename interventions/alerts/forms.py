from django import forms

from core.ids import MAX_VERSION
from interventions.alerts.selectors import ACTIVE
from interventions.models import Alert


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(ACTIVE, "Open and acknowledged"), *Alert.Status.choices, ("all", "All")],
        required=False,
    )
    kind = forms.ChoiceField(choices=[("", "All kinds"), *Alert.Kind.choices], required=False)

    def filters(self) -> dict:
        """Selector arguments; invalid or missing values fall back to the default view (active alerts)."""
        if not self.is_valid():
            return {"status": ACTIVE, "kind": None}
        status = self.cleaned_data["status"] or ACTIVE
        return {"status": None if status == "all" else status, "kind": self.cleaned_data["kind"] or None}


class AlertStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s, label) for s, label in Alert.Status.choices if s != Alert.Status.OPEN])
    version = forms.IntegerField(min_value=1, max_value=MAX_VERSION)
    note = forms.CharField(required=False, max_length=2000)
