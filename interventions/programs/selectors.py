"""Every read of intervention programs: scoped to the actor's school and role, N+1-free.

Fidelity of a program: of the sessions `planned` so far (those that have started, or whose attendance
was taken), how many were `delivered` (attendance taken) and how many `cancelled`; `delivered_pct` is
delivered / planned (None before the first session). `total` counts every session, `upcoming` those
still to come.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import django_filters
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.api.filters import choice_filter, filters_from, row_id_filter
from core.errors import PermissionDeniedError
from core.models import User
from core.permissions import PROGRAM_RUNNERS, STAFF
from core.selectors import correlated_count
from core.tenancy import get_scoped
from interventions.alerts.selectors import SEVERITY_RANK
from interventions.models import (
    Alert,
    Enrollment,
    Intervention,
    InterventionMeeting,
    InterventionSession,
    InterventionTemplate,
    SessionAttendance,
)
from interventions.programs import access
from students.models import Student

Program = Intervention
Session = InterventionSession
Role = User.Role
LOW_FIDELITY_PCT = 80


def _count(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT of `queryset` (rows of a program, filtered on OuterRef), 0 when empty."""
    return correlated_count(queryset, by="intervention_id")


def with_figures(queryset: QuerySet, *, now: datetime.datetime | None = None) -> QuerySet:
    """Programs annotated with `enrolled` and the fidelity counts, each a subquery (no row fan-out)."""
    now = now or timezone.now()
    sessions = Session.objects.filter(intervention_id=OuterRef("pk"))
    due = Q(start_time__lte=now) | Q(status=Session.Status.COMPLETED)
    return queryset.annotate(
        enrolled=_count(Enrollment.objects.filter(intervention_id=OuterRef("pk"), status=Enrollment.Status.ACTIVE)),
        sessions_total=_count(sessions),
        sessions_planned=_count(sessions.filter(due)),
        sessions_delivered=_count(sessions.filter(status=Session.Status.COMPLETED)),
        sessions_cancelled=_count(sessions.filter(due, status=Session.Status.CANCELLED)),
        sessions_upcoming=_count(sessions.filter(start_time__gt=now, status=Session.Status.SCHEDULED)),
    )


def fidelity_of(program) -> dict:
    planned, delivered = program.sessions_planned, program.sessions_delivered
    return {
        "planned": planned,
        "delivered": delivered,
        "cancelled": program.sessions_cancelled,
        "delivered_pct": round(100 * delivered / planned, 1) if planned else None,
        "upcoming": program.sessions_upcoming,
        "total": program.sessions_total,
    }


def is_low_fidelity(program) -> bool:
    pct = fidelity_of(program)["delivered_pct"]
    return pct is not None and pct < LOW_FIDELITY_PCT


def low_fidelity(queryset: QuerySet) -> QuerySet:
    """The programs of `queryset` (with_figures) that is_low_fidelity picks, picked by the database: the
    percentage it rounds to one decimal is under LOW_FIDELITY_PCT exactly when 100 × delivered / planned
    < LOW_FIDELITY_PCT − 0.05, i.e. 2000 × delivered < (20 × LOW_FIDELITY_PCT − 1) × planned, in integers."""
    return queryset.alias(delivered_scaled=F("sessions_delivered") * 2000).filter(
        sessions_planned__gt=0, delivered_scaled__lt=F("sessions_planned") * (20 * LOW_FIDELITY_PCT - 1)
    )


# Templates
def template_list(*, actor) -> QuerySet:
    if actor.role not in PROGRAM_RUNNERS:
        raise PermissionDeniedError("Only counsellors and admins work with program templates.")
    return InterventionTemplate.objects.for_actor(actor).order_by("name", "id")


def template_get(*, actor, template_id) -> InterventionTemplate:
    return get_scoped(template_list(actor=actor), actor, pk=template_id)


# Programs
def programs_visible_to(actor) -> QuerySet:
    """Runners and form masters: the school's programs; anyone else: those whose sessions they facilitate."""
    queryset = Program.objects.for_actor(actor)
    if actor.role in (*PROGRAM_RUNNERS, Role.FORM_MASTER):
        return queryset
    return queryset.filter(Exists(Session.objects.filter(intervention_id=OuterRef("pk"), facilitator_id=actor.pk)))


class ProgramFilter(django_filters.FilterSet):
    """The program list's query parameters, for the API and the page alike."""

    status = choice_filter("status", Program.Status.choices)
    owner = row_id_filter("owner", field_name="owner_id")
    # The programs the student is enrolled in now.
    student = row_id_filter("student", method="filter_student")

    class Meta:
        model = Program
        fields: list[str] = []

    def filter_student(self, queryset, name, value):
        enrolled = Enrollment.objects.filter(
            intervention_id=OuterRef("pk"), student_id=value, status=Enrollment.Status.ACTIVE
        )
        return queryset.filter(Exists(enrolled))


def parse_program_filters(params) -> dict:
    return filters_from(ProgramFilter, params)


def program_list(*, actor, filters: dict | None = None) -> QuerySet:
    """The programs the actor sees, newest first, with their figures; `filters`: what
    `parse_program_filters` returned."""
    queryset = programs_visible_to(actor)
    if filters:
        queryset = ProgramFilter(filters, queryset=queryset).qs
    return with_figures(queryset.select_related("owner", "template")).order_by("-start_date", "-id")


def program_get(*, actor, program_id) -> Program:
    """A program the actor may see (404 for another school or a missing one, 403 for a teacher who
    facilitates none of its sessions)."""
    program = get_scoped(with_figures(Program.objects.select_related("owner", "template")), actor, pk=program_id)
    if not access.can_view_program(actor, program):
        raise PermissionDeniedError("You facilitate no session of this program.")
    return program


def program_get_for_update(*, actor, program_id) -> Program:
    program = get_scoped(Program.objects.select_related("owner"), actor, pk=program_id)
    if not access.can_view_program(actor, program):
        raise PermissionDeniedError("You facilitate no session of this program.")
    return program


# Sessions
def session_list(*, program) -> QuerySet:
    return (
        Session.objects.filter(intervention=program)
        .select_related("facilitator", "attendance_taken_by")
        .annotate(
            attendance_count=Coalesce(
                Subquery(
                    SessionAttendance.objects.filter(session_id=OuterRef("pk"))
                    .order_by()
                    .values("session_id")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            )
        )
        .order_by("start_time", "id")
    )


def session_get(*, actor, session_id) -> Session:
    """A session the actor may see: runners' and form masters' of the school, or one of a program the
    actor facilitates a session of (a teacher sees only those)."""
    session = get_scoped(
        Session.objects.select_related("intervention__owner", "facilitator", "attendance_taken_by"),
        actor,
        pk=session_id,
    )
    if session.facilitator_id == actor.pk:
        return session
    if actor.role == Role.TEACHER or not access.can_view_program(actor, session.intervention):
        raise PermissionDeniedError("You do not facilitate this session.")
    return session


def facilitators_of_school(*, actor) -> QuerySet:
    return User.objects.filter(school_id=actor.school_id, is_active=True, role__in=STAFF).order_by(
        "last_name", "first_name", "username"
    )


@dataclass
class AttendanceRow:
    student: Student
    status: str
    notes: str
    taken_by: User | None = None
    recorded_at: datetime.datetime | None = None
    recorded: bool = False


def session_attendance_rows(*, session) -> list[AttendanceRow]:
    """The students of a session's register: actively enrolled when it starts, with what is recorded
    (present by default). Two queries."""
    enrollments = (
        eligible_enrollments(session)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student_id")
    )
    recorded = {
        row.student_id: row for row in SessionAttendance.objects.filter(session=session).select_related("taken_by")
    }
    rows = []
    for enrollment in enrollments:
        row = recorded.get(enrollment.student_id)
        rows.append(
            AttendanceRow(
                student=enrollment.student,
                status=row.status if row else SessionAttendance.Status.PRESENT,
                notes=row.notes if row else "",
                taken_by=row.taken_by if row else None,
                recorded_at=row.recorded_at if row else None,
                recorded=row is not None,
            )
        )
    return rows


# Enrollments
def eligible_enrollments(session) -> QuerySet:
    """The enrollments of students actively enrolled when the session starts."""
    start = session.start_time
    return Enrollment.objects.filter(intervention_id=session.intervention_id, enrolled_at__lte=start).filter(
        Q(status=Enrollment.Status.ACTIVE) | Q(withdrawn_at__gt=start)
    )


def enrollments_visible_to(actor, *, program=None) -> QuerySet:
    """Runners: the school's; form masters: their forms' students'; a facilitator: their programs'."""
    queryset = Enrollment.objects.for_actor(actor)
    if program is not None:
        queryset = queryset.filter(intervention=program)
    if actor.role in PROGRAM_RUNNERS:
        return queryset
    if actor.role == Role.FORM_MASTER:
        own = Q(student__class_group__form_master_id=actor.pk)
        if program is not None and access.facilitates(actor, program):
            return queryset
        return queryset.filter(own)
    return queryset.filter(
        Exists(Session.objects.filter(intervention_id=OuterRef("intervention_id"), facilitator_id=actor.pk))
    )


def enrollment_list(*, actor, program) -> QuerySet:
    return (
        enrollments_visible_to(actor, program=program)
        .select_related("student__class_group", "referred_by_meeting", "enrolled_by")
        .order_by("status", "student__last_name", "student__first_name", "id")
    )


def enrollment_get(*, actor, enrollment_id) -> Enrollment:
    enrollment = get_scoped(
        Enrollment.objects.select_related("intervention__owner", "student__class_group"), actor, pk=enrollment_id
    )
    if not access.can_view_enrollment(actor, enrollment):
        raise PermissionDeniedError("You may not see this enrollment.")
    return enrollment


def session_attendance_pct(*, program) -> dict[int, float | None]:
    """{student id: % of their recorded sessions of this program attended (present or tardy)}. One query."""
    rows = (
        SessionAttendance.objects.filter(session__intervention=program)
        .values("student_id")
        .annotate(total=Count("pk"), attended=Count("pk", filter=Q(status__in=SessionAttendance.ATTENDED)))
    )
    return {row["student_id"]: round(100 * row["attended"] / row["total"], 1) for row in rows if row["total"]}


# The risk list
@dataclass
class RiskEntry:
    student: Student
    reasons: list[str] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    escalated_meetings: list[InterventionMeeting] = field(default_factory=list)


def risk_list(*, actor, since: datetime.datetime | None = None, limit: int | None = None) -> list[RiskEntry]:
    """Students with an open alert or an escalated meeting and no active enrollment, with the reasons:
    those with an escalated meeting first, then by their most severe alert, then by name. `since`: only
    those with such an alert raised, or a meeting escalated, since then; `limit`: the first so many
    (ranked and cut in SQL, so a short list loads only its own rows). Three queries."""
    if actor.role not in PROGRAM_RUNNERS:
        raise PermissionDeniedError("Only counsellors and admins see the risk list.")
    active_alerts = Alert.objects.filter(status__in=Alert.ACTIVE_STATUSES)
    escalated = InterventionMeeting.objects.filter(status=InterventionMeeting.Status.ESCALATED)
    alerts_of = active_alerts.filter(student_id=OuterRef("pk"))
    escalated_of = escalated.filter(student_id=OuterRef("pk"))
    students = (
        Student.objects.for_actor(actor)
        .filter(status=Student.Status.ACTIVE)
        .filter(Exists(alerts_of) | Exists(escalated_of))
        .exclude(Exists(Enrollment.objects.filter(student_id=OuterRef("pk"), status=Enrollment.Status.ACTIVE)))
    )
    if since is not None:
        students = students.filter(
            Exists(alerts_of.filter(created_at__gte=since)) | Exists(escalated_of.filter(updated_at__gte=since))
        )
    most_severe = alerts_of.annotate(rank=SEVERITY_RANK).order_by("rank").values("rank")[:1]
    students = (
        students.annotate(
            escalated=Exists(escalated_of),
            severity_rank=Coalesce(Subquery(most_severe, output_field=IntegerField()), Value(3)),
        )
        .select_related("class_group")
        .prefetch_related(
            Prefetch("alerts", queryset=active_alerts.order_by("-created_at", "-id"), to_attr="risk_alerts"),
            Prefetch("intervention_meetings", queryset=escalated.order_by("-updated_at"), to_attr="risk_meetings"),
        )
        .order_by("-escalated", "severity_rank", "last_name", "first_name", "pk")
    )
    if limit is not None:
        students = students[:limit]
    entries = []
    for student in students:
        reasons = [
            f"{alert.get_kind_display()} ({alert.get_severity_display().lower()})" for alert in student.risk_alerts
        ]
        reasons += [f"Escalated meeting of {meeting.meeting_date:%d %b %Y}" for meeting in student.risk_meetings]
        entries.append(
            RiskEntry(
                student=student, reasons=reasons, alerts=student.risk_alerts, escalated_meetings=student.risk_meetings
            )
        )
    return entries


# Shared pages
def todays_sessions(*, actor, today: datetime.date | None = None) -> QuerySet:
    """Today's sessions the actor facilitates or whose program they own (admins: the school's)."""
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min), tz)
    end = start + datetime.timedelta(days=1)
    queryset = Session.objects.for_actor(actor).filter(start_time__gte=start, start_time__lt=end)
    if actor.role != Role.ADMIN:
        queryset = queryset.filter(Q(facilitator_id=actor.pk) | Q(intervention__owner_id=actor.pk))
    return queryset.select_related("intervention", "facilitator").order_by("start_time", "id")


def student_enrollments(*, actor, student) -> QuerySet:
    return (
        enrollments_visible_to(actor)
        .filter(student=student)
        .select_related("intervention__owner")
        .order_by("-enrolled_at", "-id")
    )


def open_programs_for_referral(*, actor) -> QuerySet:
    return Program.objects.for_actor(actor).filter(status__in=Program.OPEN_STATUSES).order_by("name", "id")
