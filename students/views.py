"""Student pages: the searchable list, the CSV export and the profile."""

from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.db.models import OuterRef
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core import audit
from core.pages import page_filters, query_without
from core.permissions import STAFF, role_required
from core.sections import STUDENT_PROFILE, sections_for
from students import selectors
from students.academics.access import may_log_behaviour
from students.behaviour.services import can_log_behaviour
from students.models import Student
from students.roster import students_csv_rows

PAGE_SIZE = 50


@role_required(*STAFF)
def student_list(request):
    # A hand-edited bad filter: the defaults, the problem beside the filters, a 400 (core.pages).
    filters, parsed = page_filters(selectors.parse_student_page_filters, request)
    students = selectors.student_list(actor=request.user, **filters)
    if can_log_behaviour(request.user):
        # Which rows offer the quick-log: the students of the forms the user leads or teaches.
        students = students.annotate(
            user_can_log=may_log_behaviour(request.user, class_group_id=OuterRef("class_group_id"))
        )
    page = Paginator(students, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "class_groups": selectors.class_group_list(actor=request.user).select_related("academic_year"),
        "statuses": Student.Status.choices,
        "query": query_without(request, "page"),
        "can_log_behaviour": can_log_behaviour(request.user),
    }
    template = "students/_student_table.html" if request.htmx else "students/list.html"
    return render(request, template, {**context, "filter_errors": parsed.field_errors}, status=parsed.status)


@role_required(*STAFF)
def student_export(request):
    filters = selectors.parse_student_page_filters(request.GET)  # a bad one: the 400 page, no file
    students = selectors.student_list(actor=request.user, **filters)
    audit.record(
        actor=request.user,
        action="export.students",
        entity_type="students.student",
        after={k: v for k, v in filters.items() if v},
    )
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="students-{timezone.localdate()}.csv"'
    writer = csv.writer(response)
    for row in students_csv_rows(students.iterator(chunk_size=2000)):
        writer.writerow(row)
    return response


@role_required(*STAFF)
def student_profile(request, student_id: int):
    student = selectors.student_get(actor=request.user, id=student_id)  # NotFoundError: the 404 page
    context = {"student": student, "sections": sections_for(STUDENT_PROFILE, request.user, student=student)}
    return render(request, "students/profile.html", context)
