"""Forms of the academic pages: the marks picker, a subject, a topic."""

from __future__ import annotations

from django import forms

from students.academics.models import Assessment, Subject, Topic


class TaughtPairMixin:
    """A picker of a form and a subject (fields `class_group` and `subject`) that the person teaches
    together: `pairs` are the (form id, subject id) they record."""

    def offer_pairs(self, *, forms_, subjects, pairs) -> None:
        self.pairs = pairs
        self.fields["class_group"].choices = [("", "Choose a form"), *((f.pk, f.name) for f in forms_)]
        self.fields["subject"].choices = [("", "Choose a subject"), *((s.pk, s.name) for s in subjects)]

    def clean(self):
        data = super().clean()
        pair = (data.get("class_group"), data.get("subject"))
        if None not in pair and pair not in self.pairs:
            self.add_error("subject", "You do not teach this subject to this form.")
        return data


def picker_params(params, *, forms_, subjects, **defaults):
    """A picker's address with what it leaves out filled in: `defaults` (a day as ISO text), and the form
    and the subject when the person has only one of each to choose from."""
    params = params.copy()
    for name, value in defaults.items():
        params.setdefault(name, value.isoformat() if hasattr(value, "isoformat") else value)
    if len(forms_) == 1:
        params.setdefault("class_group", str(forms_[0].pk))
    if len(subjects) == 1:
        params.setdefault("subject", str(subjects[0].pk))
    return params


class MarksPickForm(TaughtPairMixin, forms.Form):
    """Which assessment: the form and subject, its type, title, day and total (and an optional topic)."""

    class_group = forms.TypedChoiceField(label="Form", coerce=int)
    subject = forms.TypedChoiceField(label="Subject", coerce=int)
    assessment_type = forms.ChoiceField(label="Type", choices=Assessment.Type.choices, initial="quiz")
    title = forms.CharField(label="Title", max_length=200)
    date = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    total = forms.DecimalField(label="Total marks", min_value=0.01, max_value=9999.99, decimal_places=2)
    topic = forms.TypedChoiceField(label="Topic (optional)", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, forms_, subjects, pairs, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_pairs(forms_=forms_, subjects=subjects, pairs=pairs)
        self.fields["topic"].choices = [("", "No topic"), *((t.pk, f"{t.order_index}. {t.name}") for t in topics)]


class SubjectForm(forms.ModelForm):
    class Meta:
        model = Subject
        fields = ["name", "code", "description", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def validate_unique(self):
        pass  # the service checks the code within the school


class TopicForm(forms.ModelForm):
    order_index = forms.IntegerField(required=False, min_value=0, max_value=10_000, help_text="Blank: after the last.")

    class Meta:
        model = Topic
        fields = ["name", "order_index", "estimated_duration_minutes", "difficulty_level"]

    def validate_unique(self):
        pass
