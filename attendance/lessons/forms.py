"""The lesson page's picker: a form and a subject the person records, a day and a period."""

from __future__ import annotations

import datetime

from django import forms

from attendance.forms import DayField, DayRangeForm
from attendance.lessons.selectors import PERIODS
from students.academics.forms import TaughtPairMixin


def period_value(start: datetime.time) -> str:
    return start.strftime("%H:%M")


class LessonPickForm(TaughtPairMixin, DayRangeForm):
    class_group = forms.TypedChoiceField(label="Form", coerce=int)
    subject = forms.TypedChoiceField(label="Subject", coerce=int)
    date = DayField(label="Day")
    start = forms.ChoiceField(label="Period")

    def __init__(self, *args, forms_, subjects, pairs, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_pairs(forms_=forms_, subjects=subjects, pairs=pairs)
        self.fields["start"].choices = [
            (period_value(start), f"{label} ({period_value(start)})") for start, label in PERIODS
        ]

    @property
    def start_time(self) -> datetime.time:
        return datetime.time.fromisoformat(self.cleaned_data["start"])
