"""The lesson page, phone-first: pick form, subject, day and period; everyone present by default, one
tap per student, the topics covered (the next ones suggested), an optional understanding; one save."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from attendance.lessons import selectors, services
from attendance.lessons.forms import LessonPickForm, period_value
from attendance.lessons.models import LessonAttendance
from attendance.services import register_date_problem
from core.ids import MAX_VERSION, parse_id
from core.pages import attempt
from core.permissions import ACADEMIC_RECORDERS, role_required
from students.academics.forms import picker_params
from students.academics.models import Subject
from students.academics.selectors import recordable
from students.models import ClassGroup
from students.selectors import current_academic_year


def _default_day() -> datetime.date:
    """Today, or on a weekend the Friday before (the lesson most likely being recorded)."""
    day = timezone.localdate()
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


@role_required(*ACADEMIC_RECORDERS)
def lesson_page(request):
    """GET: the picker and, once a form, subject, day and period are chosen, the lesson's sheet. POST
    (the same query string): save the lesson. htmx requests get the sheet fragment alone."""
    year = current_academic_year(school_id=request.user.school_id, on=timezone.localdate())
    forms_, subjects, pairs = recordable(actor=request.user, academic_year_id=year.pk if year else None)
    params = picker_params(
        request.GET,
        forms_=forms_,
        subjects=subjects,
        date=_default_day(),
        start=period_value(selectors.PERIODS[0][0]),
    )
    # Until a form and a subject are named (by the address, or by having only one of each) the picker
    # shows its choices without complaining that none is made yet; a named bad one is an error.
    chosen = all(params.get(name) for name in ("class_group", "subject"))
    picker = LessonPickForm(
        params if chosen else None, initial=params.dict(), forms_=forms_, subjects=subjects, pairs=pairs
    )
    context = {"picker": picker, "sheet": None, "recent": None, "nothing_to_record": not pairs}
    status = 200
    if picker.is_valid():
        class_group = next(f for f in forms_ if f.pk == picker.cleaned_data["class_group"])
        subject = next(s for s in subjects if s.pk == picker.cleaned_data["subject"])
        day, start = picker.cleaned_data["date"], picker.start_time
        sheet_context = {}
        if request.method == "POST":
            status, sheet_context = _save(request, class_group, subject, day, start)
            if status == 200 and not request.htmx:
                messages.success(request, f"{subject.name} with {class_group.name} on {day:%a %d %b} saved.")
                return redirect(f"{reverse('lessons:take')}?{request.GET.urlencode()}")
        context.update(_sheet_context(request, class_group, subject, day, start, **sheet_context))
    else:
        context["recent"] = selectors.recent_lessons(actor=request.user)
    template = "lessons/_sheet.html" if request.htmx else "lessons/take.html"
    return render(request, template, context, status=status)


def _posted_records(request, student_ids) -> list[dict]:
    return [
        {
            "student": pk,
            "status": request.POST.get(f"status-{pk}", LessonAttendance.Status.PRESENT),
            "understanding": request.POST.get(f"understanding-{pk}") or None,
        }
        for pk in student_ids
    ]


def _save(request, class_group: ClassGroup, subject: Subject, day, start) -> tuple[int, dict]:
    student_ids = [parse_id(value) for value in request.POST.getlist("students")]
    records = _posted_records(request, [pk for pk in student_ids if pk])
    topics = [pk for pk in (parse_id(v) for v in request.POST.getlist("topics")) if pk]
    version = parse_id(request.POST.get("version")) or 0
    outcome = attempt(
        services.lesson_save,
        actor=request.user,
        class_group_id=class_group.pk,
        subject_id=subject.pk,
        date=day,
        start_time=start,
        topic_ids=topics,
        records=records,
        expected_version=version if version <= MAX_VERSION else 0,
        conflict_message="This lesson was saved by someone else while you had it open. Your choices are kept; save again to keep them.",
    )
    posted = {"posted": {r["student"]: r for r in records}, "posted_topics": set(topics)}
    if outcome.ok:
        return 200, {"saved": True}
    return outcome.status, {**posted, "error": outcome.message, "conflict": outcome.conflict}


def _sheet_context(
    request,
    class_group,
    subject,
    day,
    start,
    *,
    saved=False,
    error=None,
    conflict=False,
    posted=None,
    posted_topics=None,
) -> dict:
    sheet = selectors.lesson_sheet(class_group=class_group, subject=subject, date=day, start_time=start)
    year = class_group.academic_year
    date_problem = register_date_problem(
        date=day, year_start=year.start_date, year_end=year.end_date, holiday=sheet.holiday
    )
    lines = []
    for line in sheet.lines:
        shown = (posted or {}).get(line.student.pk)
        lines.append(
            {
                "line": line,
                "status": shown["status"] if shown else line.status,
                "understanding": str(shown["understanding"] or "") if shown else str(line.understanding or ""),
            }
        )
    chosen = posted_topics if posted_topics is not None else (sheet.covered or sheet.suggested)
    return {
        "sheet": sheet,
        "lines": lines,
        "topics": [{"topic": t, "checked": t.pk in chosen, "suggested": t.pk in sheet.suggested} for t in sheet.topics],
        "statuses": LessonAttendance.Status.choices,
        "levels": ["1", "2", "3", "4", "5"],
        "saved": saved,
        "error": error,
        "conflict": conflict,
        "date_problem": date_problem,
        "query": request.GET.urlencode(),
    }
