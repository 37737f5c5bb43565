from __future__ import annotations

import datetime

from django import forms

from core.ids import MAX_ID


class DayForm(forms.Form):
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AttendanceExportForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    class_group = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    MAX_DAYS = 400

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "Must not be before the start date.")
            elif end - start > datetime.timedelta(days=self.MAX_DAYS):
                self.add_error("end", f"Export at most {self.MAX_DAYS} days at a time.")
        return data
