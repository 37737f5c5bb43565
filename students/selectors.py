"""Reads of students, forms and academic years; every one starts from the actor's school."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from core.api.filters import choice_filter, filters_from, flag_filter, row_id_filter, search_text, words_matching
from core.tenancy import get_scoped
from students.models import AcademicYear, ClassGroup, Student


def current_academic_year(*, school_id: int, on: datetime.date | None = None) -> AcademicYear | None:
    """The year flagged current, else the one containing `on` (today), else None."""
    years = AcademicYear.objects.filter(school_id=school_id)
    year = years.filter(is_current=True).order_by("-start_date").first()
    if year is None and on is not None:
        year = years.filter(start_date__lte=on, end_date__gte=on).first()
    return year


def academic_year_containing(*, school_id: int, on: datetime.date) -> AcademicYear | None:
    return AcademicYear.objects.filter(school_id=school_id, start_date__lte=on, end_date__gte=on).first()


class ClassGroupFilter(django_filters.FilterSet):
    """The forms list's query parameter (`GET /api/class-groups/`): `current`, the current year's only
    (none when the school has no current year)."""

    current = flag_filter("current", method="filter_current", label="the current year's forms only")

    class Meta:
        model = ClassGroup
        fields: list[str] = []

    def filter_current(self, queryset, name, value):
        if not value:
            return queryset
        year = current_academic_year(school_id=self.request.user.school_id, on=timezone.localdate())
        return queryset.filter(academic_year=year) if year else queryset.none()


def class_group_list(*, actor, academic_year_id: int | None = None) -> QuerySet[ClassGroup]:
    """The school's forms; a form master's own forms come first."""
    queryset = ClassGroup.objects.for_actor(actor).select_related("form_master")
    if academic_year_id is not None:
        queryset = queryset.filter(academic_year_id=academic_year_id)
    mine_first = Case(When(form_master_id=actor.pk, then=Value(0)), default=Value(1), output_field=IntegerField())
    return queryset.annotate(mine_first=mine_first).order_by("mine_first", "grade_level", "name", "id")


def class_group_get(*, actor, id) -> ClassGroup:
    return get_scoped(ClassGroup.objects.select_related("academic_year", "form_master"), actor, pk=id)


def student_list(
    *,
    actor,
    class_group: int | str | None = None,
    status: str | None = None,
    search: str | None = None,
    joined: tuple[str, ...] = ("class_group",),
) -> QuerySet[Student]:
    """The actor's students by name; `joined`: the related rows read with them (the pages show the form's
    name; the API gives the form as an id and passes `()`)."""
    queryset = Student.objects.for_actor(actor)
    if joined:
        queryset = queryset.select_related(*joined)
    if class_group not in (None, ""):
        queryset = queryset.filter(class_group_id=class_group)
    if status:
        queryset = queryset.filter(status=status)
    if search:
        queryset = search_students(queryset, search)
    return queryset.order_by("last_name", "first_name", "id")


class StudentFilter(django_filters.FilterSet):
    """The student list's query parameters (`GET /api/students/`)."""

    class_group = row_id_filter("form", field_name="class_group_id")
    status = choice_filter("status", Student.Status.choices)
    search = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = Student
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        return search_students(queryset, value)


class StudentPageFilter(StudentFilter):
    """The /students/ page's address: the same, with the search under `q`."""

    search = None
    q = django_filters.CharFilter()


def parse_student_page_filters(params) -> dict:
    """`student_list`'s arguments from the page's address (the search as `search_text` reads it); a bad
    form or status is a 400 naming it."""
    filters = filters_from(StudentPageFilter, params)
    return {
        "search": search_text(filters.get("q")),
        "class_group": filters.get("class_group"),
        "status": filters.get("status"),
    }


def search_students(queryset: QuerySet[Student], text: str) -> QuerySet[Student]:
    """Every word must match a first name, last name or admission number."""
    return words_matching(queryset, text, ("first_name", "last_name", "student_id"))


def student_get(*, actor, id) -> Student:
    """One student of the actor's school, with their school, form, form master and year (what the profile's
    sections read of them) in the same query."""
    related = ("school", "class_group__form_master", "class_group__academic_year")
    return get_scoped(Student.objects.select_related(*related), actor, pk=id)
