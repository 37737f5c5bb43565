"""Page forms of programs: shape only. The rules (dates, clashes, moves, roles) live in the services."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from interventions.models import Enrollment

DATE = {"type": "date"}
TIME = {"type": "time"}
WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri")]


class StaffSelect(forms.Select):
    """A select of the school's staff written in one pass: Django's per-option templates made a page
    with two of these (hundreds of staff each) spend most of its time rendering options."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(option), " selected" if str(option) == chosen else "", label) for option, label in self.choices),
        )
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>{}</select>", flatatt(final), options)


class ProgramForm(forms.Form):
    template = forms.ModelChoiceField(queryset=None, required=False, empty_label="No template")
    name = forms.CharField(max_length=200)
    objective = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    start_date = forms.DateField(widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    end_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        help_text="Leave empty: the template's number of weeks.",
    )

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates


class SessionForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    start = forms.TimeField(widget=forms.TimeInput(attrs=TIME, format="%H:%M"))
    end = forms.TimeField(widget=forms.TimeInput(attrs=TIME, format="%H:%M"))
    location = forms.CharField(max_length=200, required=False, strip=False)
    facilitator = forms.ModelChoiceField(queryset=None, widget=StaffSelect)

    def __init__(self, *args, facilitators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = facilitators


class GenerateForm(forms.Form):
    date_from = forms.DateField(label="From", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    date_to = forms.DateField(label="To", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple, label="On"
    )
    start = forms.TimeField(label="At", widget=forms.TimeInput(attrs=TIME, format="%H:%M"))
    location = forms.CharField(max_length=200, required=False, strip=False)
    facilitator = forms.ModelChoiceField(queryset=None, widget=StaffSelect)

    def __init__(self, *args, facilitators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = facilitators


class WithdrawForm(forms.Form):
    status = forms.ChoiceField(choices=[(Enrollment.Status.WITHDRAWN, "Withdraw"), (Enrollment.Status.EXITED, "Exit")])
    exit_reason = forms.CharField(max_length=1000, label="Reason")
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ReferForm(forms.Form):
    program = forms.ModelChoiceField(queryset=None, empty_label="Choose a program…")

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
