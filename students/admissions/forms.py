from __future__ import annotations

from django import forms
from django.utils import timezone

from core.ids import MAX_VERSION
from core.models import User
from core.permissions import PROGRAM_RUNNERS
from students.admissions.models import FollowUp, Inquiry
from students.models import ClassGroup, Student, Subject
from students.selectors import current_academic_year


class InquiryForm(forms.Form):
    student_name = forms.CharField(max_length=200, label="Student's name")
    phone = forms.CharField(max_length=50, required=False)
    email = forms.EmailField(required=False)
    source = forms.ChoiceField(choices=Inquiry.Source.choices, initial=Inquiry.Source.WEBSITE)
    priority = forms.ChoiceField(choices=Inquiry.Priority.choices, initial=Inquiry.Priority.MEDIUM)
    counselor = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Counsellor")
    next_follow_up_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    interested_subjects = forms.ModelMultipleChoiceField(
        queryset=Subject.objects.none(), required=False, label="Subjects of interest"
    )
    tags = forms.CharField(max_length=200, required=False, help_text="Comma-separated")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interested_subjects"].queryset = Subject.objects.filter(
            school_id=actor.school_id, status=Subject.Status.ACTIVE
        )
        if actor.role == User.Role.ADMIN:
            self.fields["counselor"].queryset = User.objects.filter(
                school_id=actor.school_id, role__in=PROGRAM_RUNNERS, is_active=True
            )
        else:
            del self.fields["counselor"]


class MoveForm(forms.Form):
    status = forms.ChoiceField(choices=Inquiry.Status.choices)
    version = forms.IntegerField(min_value=1, max_value=MAX_VERSION)


class FollowUpForm(forms.Form):
    follow_up_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Date")
    follow_up_type = forms.ChoiceField(choices=FollowUp.Type.choices, label="Type")
    status = forms.ChoiceField(
        choices=[(FollowUp.Status.COMPLETED, "Completed (done)"), (FollowUp.Status.PENDING, "Pending (planned)")]
    )
    outcome = forms.CharField(max_length=200, required=False)
    next_follow_up_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Next follow-up"
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EnrolForm(forms.Form):
    class_group = forms.ModelChoiceField(queryset=ClassGroup.objects.none(), label="Form")
    student_id = forms.CharField(max_length=32, label="Admission number")
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    date_of_birth = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    gender = forms.ChoiceField(choices=[("", "—"), *Student.Gender.choices], required=False)
    guardian_name = forms.CharField(max_length=200, required=False)
    version = forms.IntegerField(min_value=1, max_value=MAX_VERSION, widget=forms.HiddenInput)

    def __init__(self, *args, school_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        year = current_academic_year(school_id=school_id, on=timezone.localdate())
        forms_of_year = ClassGroup.objects.filter(school_id=school_id)
        self.fields["class_group"].queryset = (
            forms_of_year.filter(academic_year=year) if year else forms_of_year.none()
        ).order_by("grade_level", "name")
