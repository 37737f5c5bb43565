from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from core.forms import RowChoiceField
from core.ids import MAX_VERSION
from interventions.feedback.models import FeedbackLink
from interventions.models import Intervention, InterventionSession


class ResolveForm(forms.Form):
    action = forms.ChoiceField(choices=[("resolve", "Resolve"), ("review", "Mark reviewed")], initial="resolve")
    resolution = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(min_value=1, max_value=MAX_VERSION)


class SendLinksForm(forms.Form):
    # The page lists the same programs in its filter: one read for both.
    intervention = RowChoiceField(label="Program")
    session = forms.ModelChoiceField(
        queryset=InterventionSession.objects.none(),
        required=False,
        label="Session (leave empty for the whole program)",
    )
    channel = forms.ChoiceField(choices=FeedbackLink.Channel.choices, initial=FeedbackLink.Channel.EMAIL)

    def __init__(self, *args, programs: QuerySet[Intervention], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervention"].offer(programs)
        self.fields["session"].queryset = (
            InterventionSession.objects.filter(intervention__in=programs, status=InterventionSession.Status.COMPLETED)
            .select_related("intervention")
            .order_by("-start_time")
        )

    def clean(self):
        cleaned = super().clean()
        session, intervention = cleaned.get("session"), cleaned.get("intervention")
        if session is not None and intervention is not None and session.intervention_id != intervention.pk:
            self.add_error("session", "Pick a session of this program.")
        return cleaned
