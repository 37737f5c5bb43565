"""Every read of the contact log and its templates: scoped to the actor's school and role, N+1-free."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from core.api.filters import choice_filter, filters_from, row_id_filter
from core.errors import PermissionDeniedError
from core.ids import parse_id
from core.tenancy import get_scoped
from interventions.communications import access
from interventions.communications.models import Channel, CommunicationLog, CommunicationTemplate
from students.models import Student

Role = access.Role


def communications_visible_to(actor) -> QuerySet:
    """Counsellors and admins: the school's contact log; form masters: their forms' students'."""
    queryset = CommunicationLog.objects.for_actor(actor)
    if actor.role in (Role.ADMIN, Role.COUNSELOR):
        return queryset
    if actor.role == Role.FORM_MASTER:
        return queryset.filter(student__class_group__form_master=actor)
    return queryset.none()


class CommunicationFilter(django_filters.FilterSet):
    """The contact log's query parameters, for the API and the page alike."""

    student = row_id_filter("student", field_name="student_id")
    intervention = row_id_filter("intervention", field_name="intervention_id")
    channel = choice_filter("channel", Channel.choices)
    status = choice_filter("status", CommunicationLog.Status.choices)

    class Meta:
        model = CommunicationLog
        fields: list[str] = []


def parse_communication_filters(params) -> dict:
    return filters_from(CommunicationFilter, params)


def communication_list(*, actor, filters: dict | None = None) -> QuerySet:
    """The actor's contact log, newest first, with who sent it and the student (one query a page);
    `filters`: what `parse_communication_filters` returned."""
    queryset = communications_visible_to(actor).select_related("student", "actor", "template")
    if filters:
        queryset = CommunicationFilter(filters, queryset=queryset).qs
    return queryset.order_by("-created_at", "-id")


def communication_get(*, actor, communication_id) -> CommunicationLog:
    """One row of the contact log: 404 for missing, foreign, or not the actor's to see."""
    queryset = communications_visible_to(actor).select_related("student", "student__class_group", "actor", "school")
    return get_scoped(queryset, actor, pk=communication_id)


def student_communications(*, actor, student, limit: int | None = None) -> list[CommunicationLog]:
    """A student's contact log as the actor may see it, newest first (one query)."""
    rows = communications_visible_to(actor).filter(student=student).select_related("actor", "template", "intervention")
    rows = rows.order_by("-created_at", "-id")
    return list(rows[:limit] if limit else rows)


class TemplateFilter(django_filters.FilterSet):
    """The templates list's query parameter: `channel`."""

    channel = choice_filter("channel", Channel.choices)

    class Meta:
        model = CommunicationTemplate
        fields: list[str] = []


def parse_template_filters(params) -> dict:
    return filters_from(TemplateFilter, params)


def template_list(*, actor, channel: str | None = None) -> QuerySet:
    """The school's templates the actor may use, by channel and name; `channel`: what
    `parse_template_filters` returned for it."""
    if actor.role not in access.CONTACT_ROLES:
        return CommunicationTemplate.objects.none()
    queryset = CommunicationTemplate.objects.for_actor(actor)
    if channel:
        queryset = queryset.filter(channel=channel)
    return queryset.order_by("channel", "name", "id")


def template_get(*, actor, template_id) -> CommunicationTemplate:
    return get_scoped(template_list(actor=actor), actor, pk=template_id)


def contact_student_get(*, actor, student_id) -> Student:
    """A student whose guardian the actor may contact: 404 for missing or foreign, 403 otherwise."""
    student = get_scoped(Student.objects.select_related("class_group", "school"), actor, pk=student_id)
    if not access.can_contact(actor, student):
        raise PermissionDeniedError("You may only contact the guardians of students of your own forms.")
    return student


def enrollment_of(*, actor, student, enrollment_id):
    """One of the student's enrollments, of the actor's school (None when the id is not one)."""
    from interventions.programs.models import Enrollment

    pk = parse_id(enrollment_id)
    if pk is None:
        return None
    return Enrollment.objects.for_actor(actor).select_related("intervention").filter(pk=pk, student=student).first()
