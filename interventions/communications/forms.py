"""Page forms of "Contact guardian": shape only; the rules (recipient on record, placeholders) are the services'."""

from __future__ import annotations

from django import forms

from core.forms import RowChoiceField
from interventions.communications.models import Channel

OUTCOMES = [
    ("Reached", "Reached the guardian"),
    ("No answer", "No answer"),
    ("Left a message", "Left a message"),
    ("Wrong number", "Wrong number"),
    ("Number not in service", "Number not in service"),
]
VISIT_OUTCOMES = [
    ("Met the guardian", "Met the guardian"),
    ("Guardian not at home", "Guardian not at home"),
    ("Met at school", "Met at school"),
]
# (channel, what the action is called on the page)
ACTIONS = [
    (Channel.EMAIL, "Send an email"),
    (Channel.SMS, "Send a text message"),
    (Channel.PHONE, "Log a phone call"),
    (Channel.IN_PERSON, "Log a visit or meeting"),
    (Channel.LETTER, "Print a letter"),
]


class ContactForm(forms.Form):
    template = RowChoiceField(required=False, empty_label="No template: write it below")
    outcome = forms.ChoiceField(choices=OUTCOMES, required=False)
    subject = forms.CharField(required=False, max_length=200)
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Message")

    def __init__(self, *args, channel: str, templates, **kwargs):
        kwargs.setdefault("prefix", channel)
        super().__init__(*args, **kwargs)
        self.channel = channel
        recorded = channel in (Channel.PHONE, Channel.IN_PERSON)
        if recorded:
            del self.fields["template"], self.fields["subject"]
            self.fields["outcome"].required = True
            if channel == Channel.IN_PERSON:
                self.fields["outcome"].choices = VISIT_OUTCOMES
            self.fields["body"].label = "Notes"
            self.fields["body"].widget.attrs["rows"] = 3
        else:
            del self.fields["outcome"]
            self.fields["template"].offer(templates)
            self.fields["body"].help_text = "Leave empty to send the template as it is."
            if channel == Channel.SMS:
                del self.fields["subject"]

    def message(self) -> tuple[str, str]:
        """(subject, body) to hand to the service; a recorded contact's body starts with its outcome."""
        data = self.cleaned_data
        body = (data.get("body") or "").strip()
        if "outcome" in data:
            body = f"{data['outcome']}." + (f" {body}" if body else "")
        return (data.get("subject") or "").strip(), body
