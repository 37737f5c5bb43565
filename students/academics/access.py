"""Who records lessons and assessments for which form and subject.

"Their subjects and forms": a school's admins record for every form and subject; a form master for
every subject of their own forms; a teacher or form master for a (form, subject) in which they teach at
least one active student of that form (an active `SubjectEnrollment` naming them as its teacher).
Counsellors read academic records and record none. The rule is a database expression, so a save checks
it inside the query that reads the form (no query of its own).

Behaviour has no subject, so "their forms" is the form alone: admins log behaviour for every student; a
form master for the students of their own forms; a teacher or form master for the students of a form in
which they teach at least one active student, in any subject. Counsellors log none."""

from __future__ import annotations

from django.db.models import BooleanField, Exists, Expression, ExpressionWrapper, Q, Value

from core.permissions import ACADEMIC_RECORDERS, Role
from students.academics.models import SubjectEnrollment
from students.models import ClassGroup

# Subjects and topics are managed by the school's admins.
SUBJECT_MANAGER = Role.ADMIN


def _teaches_in(actor, *, class_group_id, subject_id=None) -> Exists:
    """An active subject enrollment of the form (in `subject_id`, or any subject) names `actor` as teacher."""
    enrollments = SubjectEnrollment.objects.filter(
        school_id=actor.school_id,
        teacher_id=actor.pk,
        status=SubjectEnrollment.Status.ACTIVE,
        student__class_group_id=class_group_id,
    )
    if subject_id is not None:
        enrollments = enrollments.filter(subject_id=subject_id)
    return Exists(enrollments)


def _may_record_in(actor, *, class_group_id, subject_id=None) -> Expression:
    if actor.role == Role.ADMIN:
        return Value(True, output_field=BooleanField())
    if actor.role not in ACADEMIC_RECORDERS:
        return Value(False, output_field=BooleanField())
    teaches = _teaches_in(actor, class_group_id=class_group_id, subject_id=subject_id)
    if actor.role == Role.FORM_MASTER:
        owns_form = Exists(ClassGroup.objects.filter(pk=class_group_id, form_master_id=actor.pk))
        return ExpressionWrapper(owns_form | teaches, output_field=BooleanField())
    return teaches


def may_record(actor, *, class_group_id: int, subject_id: int) -> Expression:
    """True when `actor` may record lessons and assessments of `subject_id` for `class_group_id`."""
    return _may_record_in(actor, class_group_id=class_group_id, subject_id=subject_id)


def may_log_behaviour(actor, *, class_group_id) -> Expression:
    """True when `actor` may log behaviour for the students of `class_group_id` (a form's id, or an
    `OuterRef("class_group_id")` to annotate a queryset of students)."""
    return _may_record_in(actor, class_group_id=class_group_id)


def recordable_pairs_q(actor) -> Q | None:
    """For listing the forms and subjects a person may pick: a filter on SubjectEnrollment rows that
    name the (form, subject) pairs they teach (None: every pair, for admins)."""
    if actor.role == Role.ADMIN:
        return None
    return Q(teacher_id=actor.pk, status=SubjectEnrollment.Status.ACTIVE)
