"""The lesson page's picker: a form and a subject the person records, a day and a period."""

from __future__ import annotations

import datetime

from django import forms

from attendance.forms import DayField, DayRangeForm
from attendance.lessons.selectors import PERIODS


def period_value(start: datetime.time) -> str:
    return start.strftime("%H:%M")


class LessonPickForm(DayRangeForm):
    class_group = forms.TypedChoiceField(label="Form", coerce=int)
    subject = forms.TypedChoiceField(label="Subject", coerce=int)
    date = DayField(label="Day")
    start = forms.ChoiceField(label="Period")

    def __init__(self, *args, forms_, subjects, pairs, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairs = pairs
        self.fields["class_group"].choices = [("", "Choose a form"), *((f.pk, f.name) for f in forms_)]
        self.fields["subject"].choices = [("", "Choose a subject"), *((s.pk, s.name) for s in subjects)]
        self.fields["start"].choices = [
            (period_value(start), f"{label} ({period_value(start)})") for start, label in PERIODS
        ]

    def clean(self):
        data = super().clean()
        pair = (data.get("class_group"), data.get("subject"))
        if None not in pair and pair not in self.pairs:
            self.add_error("subject", "You do not teach this subject to this form.")
        return data

    @property
    def start_time(self) -> datetime.time:
        return datetime.time.fromisoformat(self.cleaned_data["start"])
