from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.dates import day_words
from core.errors import NotFoundError
from core.ids import parse_id
from students.selectors import class_group_get

# Registers are kept for recent years and taken at most a little ahead of planning; a day outside
# this range is a typo (or a probe), and arithmetic on it (three weeks either side) may overflow.
FIRST_DAY = datetime.date(2000, 1, 1)
DAYS_AHEAD = 366


def last_day() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=DAYS_AHEAD)


def is_sane_day(day: datetime.date) -> bool:
    return FIRST_DAY <= day <= last_day()


class DayField(forms.DateField):
    """A date between FIRST_DAY and a year from today."""

    widget = forms.DateInput(attrs={"type": "date"})

    def validate(self, value):
        super().validate(value)
        if value is not None and not is_sane_day(value):
            raise ValidationError(
                "Choose a day between %(first)s and %(last)s.",
                code="out_of_range",
                params={"first": day_words(FIRST_DAY), "last": day_words(last_day())},
            )


class DayRangeForm(forms.Form):
    """Gives the browser's date pickers the same range (set per form: "today" moves)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bounds = {"min": FIRST_DAY.isoformat(), "max": last_day().isoformat()}
        for field in self.fields.values():
            if isinstance(field, DayField):
                field.widget.attrs.update(bounds)


class DayForm(DayRangeForm):
    date = DayField(required=False)


class AttendanceExportForm(DayRangeForm):
    """The export's dates and, optionally, one form of the actor's school (a form of another school is
    refused exactly like one that does not exist)."""

    start = DayField(label="From")
    end = DayField(label="To")
    class_group = forms.CharField(label="Form", required=False, widget=forms.Select)

    MAX_DAYS = 400

    def __init__(self, *args, actor, listed_forms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.list_forms(listed_forms)

    def list_forms(self, class_groups) -> None:
        """The forms offered in the select (validation accepts any form of the actor's school)."""
        self.fields["class_group"].widget.choices = [("", "All forms"), *((f.pk, f.name) for f in class_groups)]

    def clean_class_group(self) -> int | None:
        value = self.cleaned_data["class_group"]
        if value in ("", None):
            return None
        class_group_id = parse_id(value)
        try:
            if class_group_id is None:
                raise NotFoundError()
            return class_group_get(actor=self.actor, id=class_group_id).pk
        except NotFoundError:
            raise ValidationError("No such form.", code="invalid_choice") from None

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "Must not be before the start date.")
            elif end - start > datetime.timedelta(days=self.MAX_DAYS):
                self.add_error("end", f"Export at most {self.MAX_DAYS} days at a time.")
        return data
