"""Academic pages: marks entry for one assessment for a whole form (one save, all or nothing, errors
beside each student); subjects and their topics (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from core.ids import parse_id
from core.numbers import plain_number
from core.pages import add_errors, attempt
from core.permissions import ACADEMIC_RECORDERS, Role, role_required
from students.academics import selectors, services
from students.academics.forms import MarksPickForm, SubjectForm, TopicForm, picker_params
from students.academics.models import Topic
from students.selectors import current_academic_year


@role_required(*ACADEMIC_RECORDERS)
def marks_page(request):
    """GET: the picker, the chosen form's recent assessments and, once the assessment is named, its
    marks sheet. POST (the same query string): save the whole form's marks."""
    year = current_academic_year(school_id=request.user.school_id, on=timezone.localdate())
    forms_, subjects, pairs = selectors.recordable(actor=request.user, academic_year_id=year.pk if year else None)
    params = picker_params(
        request.GET, forms_=forms_, subjects=subjects, date=timezone.localdate(), assessment_type="quiz"
    )
    subject_id = parse_id(params.get("subject"))
    topics = list(Topic.objects.for_actor(request.user).filter(subject_id=subject_id)) if subject_id else []
    picker = MarksPickForm(params, forms_=forms_, subjects=subjects, pairs=pairs, topics=topics)
    class_group = next((f for f in forms_ if str(f.pk) == params.get("class_group")), None)
    context = {
        "picker": picker,
        "nothing_to_record": not pairs,
        "recent": selectors.recent_assessments_of_form(actor=request.user, class_group=class_group)
        if class_group
        else [],
        "class_group": class_group,
        "sheet": None,
    }
    status = 200
    named = all(params.get(name) for name in ("title", "total"))
    if named and picker.is_valid():
        data = picker.cleaned_data
        subject = next(s for s in subjects if s.pk == data["subject"])
        posted, student_errors, error, saved = {}, {}, None, False
        if request.method == "POST":
            posted = {
                pk: request.POST.get(f"marks-{pk}", "") for pk in map(parse_id, request.POST.getlist("students")) if pk
            }
            marks = [
                {"student": pk, "marks_obtained": value, "version": parse_id(request.POST.get(f"version-{pk}")) or 0}
                for pk, value in posted.items()
            ]
            outcome = attempt(
                services.assessment_bulk_save,
                actor=request.user,
                class_group_id=class_group.pk,
                subject_id=subject.pk,
                topic_id=data["topic"],
                title=data["title"],
                assessment_type=data["assessment_type"],
                total_marks=data["total"],
                assessment_date=data["date"],
                marks=marks,
            )
            status = outcome.status
            if isinstance(outcome.error, services.MarksError):
                student_errors = outcome.error.student_errors
                error = f"Nothing saved: {len(student_errors)} mark(s) to correct."
            elif outcome.conflict:
                error = outcome.message + " Reload to see their marks."
            elif outcome.status == 400:
                add_errors(picker, outcome.error)
                error = outcome.message
            elif not outcome.ok:
                error = outcome.message
            elif not request.htmx:
                messages.success(request, f"Marks of {data['title']} for {class_group.name} saved.")
                return redirect(f"{reverse('academics:marks')}?{request.GET.urlencode()}")
            else:
                saved, posted = True, {}
        lines = selectors.marks_sheet(
            class_group=class_group,
            subject=subject,
            assessment_type=data["assessment_type"],
            title=data["title"],
            date=data["date"],
        )
        context["sheet"] = {
            "subject": subject,
            "title": data["title"],
            "total": data["total"],
            "date": data["date"],
            "lines": [
                {
                    "line": line,
                    "value": posted.get(line.student.pk, plain_number(line.marks_obtained)),
                    "errors": student_errors.get(line.student.pk, []),
                }
                for line in lines
            ],
            "saved": saved,
            "error": error,
            "query": request.GET.urlencode(),
        }
    template = "academics/_marks_sheet.html" if request.htmx else "academics/marks.html"
    return render(request, template, context, status=status)


# Subjects and topics (admins) --------------------------------------------------------------------


@role_required(Role.ADMIN)
def subject_list_page(request):
    form = SubjectForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        outcome = attempt(services.subject_create, actor=request.user, form=form, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, f"Subject {outcome.value.name} added.")
            return redirect(reverse("academics:subject", args=[outcome.value.pk]))
        status = outcome.status
    elif request.method == "POST":
        status = 400
    context = {"subjects": selectors.subject_list(actor=request.user), "form": form}
    return render(request, "academics/subjects.html", context, status=status)


@role_required(Role.ADMIN)
def subject_page(request, subject_id: int):
    subject = selectors.subject_get(actor=request.user, id=subject_id)
    action = request.POST.get("action")
    subject_form = SubjectForm(request.POST if action == "subject" else None, instance=subject, prefix="subject")
    topic_form = TopicForm(request.POST if action == "topic" else None, prefix="topic")
    status = 200
    if action == "subject" and subject_form.is_valid():
        outcome = attempt(
            services.subject_update,
            actor=request.user,
            subject=selectors.subject_get(actor=request.user, id=subject_id),
            form=subject_form,
            **subject_form.cleaned_data,
        )
        if outcome.ok:
            messages.success(request, "Subject saved.")
            return redirect(reverse("academics:subject", args=[subject_id]))
        status = outcome.status
    elif action == "topic" and topic_form.is_valid():
        outcome = attempt(
            services.topic_create, actor=request.user, subject=subject, form=topic_form, **topic_form.cleaned_data
        )
        if outcome.ok:
            messages.success(request, f"Topic {outcome.value.name} added.")
            return redirect(reverse("academics:subject", args=[subject_id]))
        status = outcome.status
    elif action in ("subject", "topic"):
        status = 400
    context = {
        "subject": subject,
        "topics": selectors.topic_list(subject=subject),
        "subject_form": subject_form,
        "topic_form": topic_form,
    }
    return render(request, "academics/subject.html", context, status=status)
