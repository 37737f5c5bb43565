"""Page forms: shape only. The rules (dates, one active case per cause, status moves) live in the services."""

from __future__ import annotations

from html import escape

from django import forms
from django.utils.safestring import SafeString, mark_safe

from core.ids import MAX_ID, MAX_VERSION
from core.models import allowed_next_statuses
from interventions.meetings import services
from interventions.models import InterventionMeeting

Meeting = InterventionMeeting


class MeetingForm(forms.Form):
    student = forms.ModelChoiceField(queryset=None, empty_label="Choose a student…")
    alert = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    meeting_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    root_cause = forms.ChoiceField(choices=Meeting.RootCause.choices)
    urgency_level = forms.ChoiceField(choices=Meeting.Urgency.choices, initial=Meeting.Urgency.MEDIUM)
    absence_reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    intervention_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    action_plan = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    follow_up_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    # The alert the meeting answers, when it is one of the chosen student's (named above the form).
    from_alert = None

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students

    def clean(self):
        cleaned = super().clean()
        # The date rules shown together with the form's own errors (the service applies them again).
        if cleaned.get("meeting_date"):
            errors = services.meeting_date_errors(
                meeting_date=cleaned["meeting_date"], follow_up_date=cleaned.get("follow_up_date")
            )
            for name, messages in errors.items():
                for message in messages:
                    self.add_error(name, message)
        return cleaned

    def student_option_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The student choices grouped by form, from one light query. A school has a thousand students or
        more: rendering them through the widget's per-option templates would dominate the page's time."""
        rows = (
            self.fields["student"]
            .queryset.order_by("class_group__name", "last_name", "first_name", "id")
            .values_list("pk", "first_name", "last_name", "student_id", "class_group__name")
        )
        groups: dict[str, list[tuple[str, str]]] = {}
        for pk, first, last, admission, form_name in rows:
            groups.setdefault(form_name or "No form", []).append((str(pk), f"{last}, {first} ({admission})"))
        return list(groups.items())

    def student_options(self) -> SafeString:
        """The <optgroup>s of the student select, the chosen student selected. Built here rather than by a
        template loop: three template nodes for each of a thousand students or more took a third of the
        page's time; every label and value is escaped (the standard library's `html.escape`, which Django's
        `escape` wraps, without its per-call lazy check and SafeString, the same text)."""
        selected = self.selected_student()
        lines = []
        for form_name, options in self.student_option_groups():
            rows = "".join(
                f'<option value="{escape(value)}"{" selected" if value == selected else ""}>{escape(label)}</option>'
                for value, label in options
            )
            lines.append(f'<optgroup label="{escape(form_name)}">\n          {rows}\n        </optgroup>')
        return mark_safe("\n        ".join(lines))  # every value above is escaped

    def selected_student(self) -> str:
        value = self["student"].value()
        return "" if value in (None, "") else str(value)


class ProgressForm(forms.Form):
    update_text = forms.CharField(label="Update", widget=forms.Textarea(attrs={"rows": 2}))
    status = forms.ChoiceField(label="Change status to", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_VERSION)

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Meeting.Status.choices)
        # Only the moves the status table allows are offered; a submitted one is judged by the service,
        # which knows whether the meeting moved on meanwhile (a conflict, not an invalid choice).
        offered = Meeting.Status.values if self.is_bound else allowed_next_statuses(meeting)
        self.fields["status"].choices = [("", f"Keep “{meeting.get_status_display()}”")] + [
            (value, labels[value]) for value in offered
        ]
