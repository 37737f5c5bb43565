"""Demo meetings: every status, by both form masters, for students of their forms; some overdue, some repeated."""

from __future__ import annotations

import datetime

from core.demo import DemoSchool, demo_step
from core.services import audited_create
from interventions.meetings import services
from interventions.models import Alert, InterventionMeeting
from students.models import Student

Meeting = InterventionMeeting
S = Meeting.Status
C = Meeting.RootCause
U = Meeting.Urgency

# (student index, root cause, urgency, status moves, meeting days ago, follow-up offset from today or None)
SCENARIOS = [
    # A closed family case first: the same student's active family case below makes them a repeat case.
    (0, C.FAMILY, U.MEDIUM, [S.MONITORING, S.IMPROVING, S.CLOSED], 90, None),
    (0, C.FAMILY, U.HIGH, [], 12, -3),
    (1, C.HEALTH, U.MEDIUM, [S.MONITORING], 30, 7),
    (2, C.ACADEMIC, U.LOW, [S.MONITORING, S.IMPROVING], 40, 10),
    (3, C.FINANCIAL, U.HIGH, [S.MONITORING, S.NOT_IMPROVING], 35, -5),
    (4, C.BEHAVIORAL, U.HIGH, [S.ESCALATED], 25, 5),
    (5, C.OTHER, U.MEDIUM, [S.MONITORING, S.CLOSED], 60, None),
    # A second cause for the same student.
    (1, C.ACADEMIC, U.LOW, [], 6, 14),
]
UPDATE_TEXT = {
    S.MONITORING: "Guardian called; daily check-in agreed. Watching attendance for two weeks.",
    S.IMPROVING: "Present every day this week and on time.",
    S.NOT_IMPROVING: "Absent twice more since the last update; the plan is not working yet.",
    S.ESCALATED: "Referred to the counsellor: the absences look linked to something outside school.",
    S.CLOSED: "Attendance back above 95 % for a month. Closing the case.",
}
NOTES = {
    C.FAMILY: ("Looking after a younger sibling in the mornings.", "Call the guardian; arrange breakfast club."),
    C.HEALTH: ("Repeated headaches, no doctor's note.", "Ask the guardian for a GP appointment; school nurse check."),
    C.ACADEMIC: ("Avoiding maths lessons after a failed test.", "Extra help on Tuesdays; subject teacher informed."),
    C.FINANCIAL: ("Bus fare not affordable some weeks.", "Apply for the travel bursary."),
    C.BEHAVIORAL: ("Conflict with classmates; leaves at lunch.", "Mediation meeting; lunchtime club."),
    C.OTHER: ("Late nights gaming, oversleeps.", "Agree a routine with the student and guardian."),
}


@demo_step(order=40, name="meetings")
def seed_meetings(demo: DemoSchool) -> None:
    school = demo.school
    if Meeting.objects.filter(school=school).exists():
        demo.log(f"  meetings: {school.code} already has meetings, left as they are")
        return
    created = 0
    for key in ("fm1", "fm2"):
        owner = demo.users.get(key)
        if owner is None:
            continue
        students = list(
            Student.objects.filter(school=school, class_group__form_master=owner, status=Student.Status.ACTIVE)
            .select_related("class_group")
            .order_by("last_name", "first_name", "id")[:6]
        )
        if not students:
            demo.log(f"  meetings: {owner.username} has no students in a form, none recorded")
            continue
        for index, cause, urgency, moves, days_ago, follow_up in SCENARIOS:
            student = students[index % len(students)]
            if Meeting.objects.filter(student=student, root_cause=cause).exclude(status=S.CLOSED).exists():
                continue
            created += _record(demo, owner, student, cause, urgency, moves, days_ago, follow_up)
    demo.log(f"  meetings: {created} recorded in {school.code}")


def _record(demo, owner, student, cause, urgency, moves, days_ago, follow_up) -> int:
    today = demo.today
    reason, plan = NOTES[cause]
    # Written directly (audited) rather than through meeting_create: demo cases start in the past, and
    # their follow-up dates may already have passed, which a new meeting may not have.
    alert = None
    if not moves:
        alert = Alert.objects.filter(student=student, status=Alert.Status.OPEN).first()
    meeting = audited_create(
        actor=owner,
        instance=Meeting(
            school=demo.school,
            student=student,
            alert=alert,
            meeting_date=today - datetime.timedelta(days=days_ago),
            absence_reason=reason,
            root_cause=cause,
            intervention_notes=f"Met {student.first_name} in the form room; {reason[0].lower()}{reason[1:]}",
            action_plan=plan,
            follow_up_date=None if follow_up is None else today + datetime.timedelta(days=follow_up),
            urgency_level=urgency,
            created_by=owner,
        ),
    )
    if alert is not None:
        services.acknowledge_alert_for_meeting(actor=owner, alert=alert)
    if not moves:
        services.progress_add(actor=owner, meeting=meeting, update_text="Spoke with the student at registration.")
    for status in moves:
        services.progress_add(
            actor=owner, meeting=meeting, update_text=UPDATE_TEXT[status], status=status, version=meeting.version
        )
    return 1
