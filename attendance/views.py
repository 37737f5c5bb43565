"""Register pages: the day's forms, taking one form's register, and the attendance export."""

from __future__ import annotations

import csv
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from attendance import selectors, services
from attendance.forms import AttendanceExportForm, DayForm, is_sane_day
from attendance.models import AttendanceRecord
from core import audit
from core.ids import MAX_VERSION, parse_id
from core.pages import attempt
from core.permissions import REGISTER_TAKERS, role_required
from students.selectors import class_group_get


@role_required(*REGISTER_TAKERS)
def attendance_day(request):
    """Today's (or ?date=) forms: taken or not and by whom; missing registers of recent school days.

    A date that is not one (or far outside the years registers are kept for) is shown as an error on
    the day picker, with today's page below it."""
    form = DayForm(request.GET or None)
    status_code = 400 if form.is_bound and not form.is_valid() else 200
    context = _day_context(request, day_form=form)
    template = "attendance/_day.html" if request.htmx else "attendance/day.html"
    return render(request, template, context, status=status_code)


def _day_context(request, *, day_form: DayForm, export_form: AttendanceExportForm | None = None) -> dict:
    today = timezone.localdate()
    day = today
    if day_form.is_bound and day_form.is_valid() and day_form.cleaned_data["date"]:
        day = day_form.cleaned_data["date"]
    forms = selectors.forms_of_day(actor=request.user, date=day)
    if export_form is None:
        export_form = AttendanceExportForm(actor=request.user, initial={"start": day, "end": day})
    export_form.list_forms(f.class_group for f in forms)
    nearby_holidays = selectors.holidays_near(school_id=request.user.school_id, day=day)
    holiday = nearby_holidays.get(day)
    context = {
        "form": day_form,
        "export_form": export_form,
        "day": day,
        "today": today,
        "is_future": day > today,
        "is_school_day": day.weekday() < 5 and holiday is None,
        "holiday": holiday,
        "forms": forms,
        "taken_count": sum(1 for f in forms if f.taken),
        "missing": selectors.missing_registers(actor=request.user, end=day),
    }
    context["previous_day"], context["next_day"] = selectors.adjacent_school_days(
        day=day, today=today, holidays=nearby_holidays
    )
    return context


def _parse_date(value: str) -> datetime.date:
    """The register's day from the URL: 404 for what is not a date or lies outside the kept years."""
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise Http404() from None
    if not is_sane_day(day):
        raise Http404()
    return day


def _name_students(error: services.RecordsError, names: dict[int, str]) -> list[str]:
    """The save's per-record problems, each under the student's name as the register lists them."""
    named = [
        f"{names.get(pk, f'Student {pk}')}: {message}"
        for pk, messages_ in error.student_errors.items()
        for message in messages_
    ]
    return named + error.other_errors


@role_required(*REGISTER_TAKERS)
def register(request, class_group_id: int, date: str):
    """One form's register for one day: every student present by default; one save writes the day."""
    day = _parse_date(date)
    class_group = class_group_get(actor=request.user, id=class_group_id)
    year = class_group.academic_year
    status_code = 200
    errors: list[str] = []
    conflict = saved = False
    posted: dict[int, tuple[str, str]] = {}
    if request.method == "POST":
        register_day = selectors.register_day(actor=request.user, class_group=class_group, date=day)
        posted = {
            line.student.pk: (
                request.POST.get(f"status-{line.student.pk}", line.status),
                request.POST.get(f"reason-{line.student.pk}", ""),
            )
            for line in register_day.lines
        }
        names = {line.student.pk: f"{line.student.last_name}, {line.student.first_name}" for line in register_day.lines}
        # A missing or mangled version counts as "loaded before anyone saved": a conflict if someone has.
        version = parse_id(request.POST.get("version")) or 0
        version = version if version <= MAX_VERSION else 0
        outcome = attempt(
            services.register_save,
            actor=request.user,
            class_group_id=class_group.pk,
            date=day,
            records=[{"student": pk, "status": s, "reason": r} for pk, (s, r) in posted.items()],
            expected_version=version,
        )
        status_code, conflict = outcome.status, outcome.conflict
        if isinstance(outcome.error, services.RecordsError):
            errors = _name_students(outcome.error, names)
        elif outcome.status == 400:
            errors = [m for messages_ in outcome.field_errors.values() for m in messages_] or [outcome.error.message]
        elif outcome.status == 403:
            raise PermissionDenied(outcome.message)
        elif outcome.ok:
            if not request.htmx:
                messages.success(request, f"Register for {class_group.name} on {day:%a %d %b %Y} saved.")
                return redirect(reverse("attendance:register", args=[class_group.pk, day.isoformat()]))
            saved, posted = True, {}
    register_day = selectors.register_day(actor=request.user, class_group=class_group, date=day)
    date_problem = services.register_date_problem(
        date=day, year_start=year.start_date, year_end=year.end_date, holiday=register_day.holiday
    )
    lines = []
    for line in register_day.lines:
        shown_status, shown_reason = posted.get(line.student.pk, (line.status, line.reason))
        lines.append(
            {
                "line": line,
                "status": shown_status,
                "reason": shown_reason,
                # After a conflict: what the other save holds where it differs from what was typed.
                "saved_differs": conflict and (shown_status, shown_reason) != (line.status, line.reason),
            }
        )
    context = {
        "class_group": class_group,
        "day": day,
        "register": register_day.register,
        "version": register_day.version,
        "lines": lines,
        "counts": register_day.counts(),
        "statuses": AttendanceRecord.Status.choices,
        "needs_reason": [s.value for s in services.NEEDS_REASON],
        "errors": errors,
        "conflict": conflict,
        "saved": saved,
        "date_problem": date_problem,
        "can_save": date_problem is None and services.can_take_register(request.user, class_group),
    }
    if not request.htmx:
        context["previous_day"], context["next_day"] = selectors.adjacent_school_days(
            day=day,
            today=timezone.localdate(),
            holidays=selectors.holidays_near(school_id=class_group.school_id, day=day),
        )
    template = "attendance/_register_form.html" if request.htmx else "attendance/register.html"
    return render(request, template, context, status=status_code)


class _Echo:
    def write(self, value):
        return value


@role_required(*REGISTER_TAKERS)
def attendance_export(request):
    """CSV of the school's attendance records between two dates, optionally of one form."""
    form = AttendanceExportForm(request.GET, actor=request.user)
    if not form.is_valid():
        # The day page again, its export form open with the errors beside the fields.
        context = _day_context(request, day_form=DayForm(), export_form=form)
        return render(request, "attendance/day.html", context, status=400)
    data = form.cleaned_data
    records = (
        selectors.attendance_list(actor=request.user, class_group_id=data.get("class_group"))
        .filter(date__range=(data["start"], data["end"]))
        .select_related("student", "student__class_group", "marked_by")
        .order_by("date", "student__class_group__name", "student__last_name", "student__first_name")
    )
    audit.record(
        actor=request.user,
        action="export.attendance",
        entity_type="attendance.attendancerecord",
        after={
            "from": data["start"].isoformat(),
            "to": data["end"].isoformat(),
            "class_group": data.get("class_group"),
        },
    )
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(
            [
                "date",
                "student_id",
                "first_name",
                "last_name",
                "class_group",
                "status",
                "reason",
                "marked_by",
                "marked_at",
            ]
        )
        for r in records.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    r.date.isoformat(),
                    r.student.student_id,
                    r.student.first_name,
                    r.student.last_name,
                    r.student.class_group.name if r.student.class_group else "",
                    r.status,
                    r.reason,
                    r.marked_by.username if r.marked_by else "",
                    timezone.localtime(r.marked_at).isoformat(timespec="seconds"),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="attendance-{data["start"]}-{data["end"]}.csv"'
    return response
