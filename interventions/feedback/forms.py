from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from core.ids import MAX_VERSION
from interventions.feedback.models import FeedbackLink
from interventions.models import Intervention, InterventionSession


class ResolveForm(forms.Form):
    action = forms.ChoiceField(choices=[("resolve", "Resolve"), ("review", "Mark reviewed")], initial="resolve")
    resolution = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(min_value=1, max_value=MAX_VERSION)


class SendLinksForm(forms.Form):
    # The page lists the same programs in its filter: they are read once and handed to the form (a
    # ModelChoiceField would read them again to render its options).
    intervention = forms.TypedChoiceField(coerce=int, label="Program")
    session = forms.ModelChoiceField(
        queryset=InterventionSession.objects.none(),
        required=False,
        label="Session (leave empty for the whole program)",
    )
    channel = forms.ChoiceField(choices=FeedbackLink.Channel.choices, initial=FeedbackLink.Channel.EMAIL)

    def __init__(self, *args, programs: QuerySet[Intervention], **kwargs):
        super().__init__(*args, **kwargs)
        # Read when first needed (not at all for the list's htmx fragment) and once: the queryset keeps
        # its rows for the page's filter.
        self.programs = programs
        self.fields["intervention"].choices = lambda: [("", "---------")] + [(p.pk, str(p)) for p in programs]
        self.fields["session"].queryset = (
            InterventionSession.objects.filter(intervention__in=programs, status=InterventionSession.Status.COMPLETED)
            .select_related("intervention")
            .order_by("-start_time")
        )

    def clean_intervention(self) -> Intervention:
        return next(p for p in self.programs if p.pk == self.cleaned_data["intervention"])

    def clean(self):
        cleaned = super().clean()
        session, intervention = cleaned.get("session"), cleaned.get("intervention")
        if session is not None and intervention is not None and session.intervention_id != intervention.pk:
            self.add_error("session", "Pick a session of this program.")
        return cleaned
