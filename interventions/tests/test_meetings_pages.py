"""The interventions workspace, its htmx fragments, the home widget, the profile timeline and the admin."""

import re

import pytest
from django.test import Client

from core.locking import versioned_save
from core.models import AuditLog
from core.sections import DASHBOARD, STUDENT_PROFILE, sections_for
from core.testing.queries import assert_query_count
from interventions.meetings import selectors
from interventions.models import Alert, InterventionMeeting, ProgressUpdate
from interventions.tests.factories import AlertFactory, ProgressUpdateFactory
from interventions.tests.meetings_helpers import (  # noqa: F401 - fixtures
    days,
    fm_form,
    make_meeting,
    other_form,
    other_student,
    student,
)
from students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

PAGE = "/form-master/interventions/"
Meeting = InterventionMeeting
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def page_client():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def form_data(student, **overrides):
    data = {
        "student": student.pk,
        "meeting_date": days(-1).isoformat(),
        "root_cause": "family",
        "urgency_level": "high",
        "absence_reason": "Missed three days.",
        "intervention_notes": "Met Sam and the guardian.",
        "action_plan": "Daily check-in.",
        "follow_up_date": days(7).isoformat(),
    }
    data.update(overrides)
    return data


def stat(html: str, key: str) -> int:
    match = re.search(rf'data-stat="{key}"><span class="value">(\d+)</span>', html)
    assert match, key
    return int(match.group(1))


def test_login_required_and_teacher_forbidden(client, page_client, teacher):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert page_client(teacher).get(PAGE).status_code == 403


def test_page_shows_stats_banner_badges_and_overdue(
    page_client, form_master, student, other_student, other_form_master
):
    make_meeting(student=student, created_by=form_master, root_cause="family", status="closed")
    make_meeting(
        student=student,
        created_by=form_master,
        root_cause="family",
        urgency_level="high",
        meeting_date=days(-10),
        follow_up_date=days(-2),
    )
    make_meeting(student=student, created_by=form_master, root_cause="health", status="monitoring", urgency_level="low")
    make_meeting(student=other_student, created_by=other_form_master, status="escalated")
    response = page_client(form_master).get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    cards = [stat(html, key) for key in ("total", "active", "high_urgency", "overdue_follow_ups")]
    assert cards == [3, 2, 1, 1]
    assert stat(html, "closed") == 1 and stat(html, "escalated") == 0
    assert "Recurring interventions:" in html and "Sam Lee (3 meetings, 2 active)" in html
    assert '<span class="badge badge-high">High</span>' in html
    assert '<span class="badge badge-monitoring">Monitoring</span>' in html
    assert '<span class="badge badge-overdue">Overdue</span>' in html
    assert "Ola Berg" not in html  # another form master's meeting
    assert 'id="record-dialog"' in html and 'data-open-on-load="true"' not in html
    assert 'hx-get="/form-master/interventions/"' in html and 'hx-push-url="true"' in html


def test_htmx_filter_returns_the_table_fragment_with_fresh_stats(page_client, form_master, student):
    make_meeting(student=student, created_by=form_master, root_cause="family", status="open")
    make_meeting(student=student, created_by=form_master, root_cause="health", status="monitoring")
    response = page_client(form_master).get(PAGE, {"status": "monitoring"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="meetings-table"' in html
    assert html.count('data-status="monitoring"') == 1 and 'data-status="open"' not in html
    assert 'id="stats-cards" class="stat-cards" hx-swap-oob="true"' in html
    assert response["Vary"].count("HX-Request") == 1


def test_bad_filter_shows_an_inline_error_not_a_500(page_client, form_master):
    """Like every list page that filters through the API's FilterSet: the whole list, the problem said
    beside the filters, and a 400."""
    response = page_client(form_master).get(PAGE, {"status": "weird"})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<p class="form-error" role="alert">' in html and "is not a valid status" in html
    assert 'id="meetings-region"' in html


@pytest.mark.parametrize("count", [5, 40])
def test_page_and_fragment_query_counts_are_flat(page_client, admin_user, school, count):
    for i in range(count):
        meeting = make_meeting(
            student=StudentFactory(school=school), created_by=admin_user, follow_up_date=days(-1 if i % 2 else 3)
        )
        ProgressUpdateFactory(meeting=meeting)
    client = page_client(admin_user)
    client.get(PAGE)  # warm the session
    # session, user, stats, recurring, count, page of meetings, students for the dialog
    with assert_query_count(7):
        response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<tr id="meeting-') == min(count, 25)
    assert (f"Page 1 of 2 · {count} meetings" in html) == (count > 25)
    # session, user, stats, recurring, count, page of meetings
    with assert_query_count(6):
        assert client.get(PAGE, {"urgency": "medium"}, **HTMX).status_code == 200


def test_record_from_alert_prefills_links_and_acknowledges(page_client, form_master, student):
    alert = AlertFactory(school=student.school, student=student, severity=Alert.Severity.HIGH)
    client = page_client(form_master)
    html = client.get(PAGE, {"record_for": student.pk, "alert": alert.pk}).content.decode()
    assert 'data-open-on-load="true"' in html
    assert f'<option value="{student.pk}" selected>' in html
    assert f'name="alert" value="{alert.pk}"' in html
    assert 'value="high" selected' in html
    assert "recording this meeting acknowledges it" in html
    response = client.post(PAGE, form_data(student, alert=alert.pk), **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == PAGE
    meeting = Meeting.objects.get()
    assert meeting.alert == alert and meeting.created_by == form_master
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.version == 2
    assert AuditLog.objects.filter(entity_type="interventions.alert", action="update").exists()
    follow = client.get(PAGE).content.decode()
    assert "Meeting recorded for Sam Lee. The alert was acknowledged." in follow


def test_picking_another_student_after_opening_from_an_alert_unlinks_the_alert(
    page_client, form_master, student, fm_form
):
    alert = AlertFactory(school=student.school, student=student)
    classmate = StudentFactory(school=student.school, class_group=fm_form, first_name="Ana", last_name="Ray")
    client = page_client(form_master)
    response = client.post(PAGE, form_data(classmate, alert=alert.pk), **HTMX)
    html = response.content.decode()
    assert response.status_code == 400 and not Meeting.objects.exists()
    assert "is not about this student, so it has been unlinked" in html
    assert f'name="alert" value="{alert.pk}"' not in html
    response = client.post(PAGE, form_data(classmate, alert=""), **HTMX)  # what the dialog now sends
    assert response.status_code == 200
    meeting = Meeting.objects.get()
    assert (meeting.student, meeting.alert) == (classmate, None)
    alert.refresh_from_db()
    assert alert.status == "open"


def test_record_from_alert_errors_keep_the_alert_note_and_show_alert_errors(
    page_client, form_master, student, other_student, monkeypatch
):
    """After a 400 the dialog still names the alert it answers, and an error on the hidden alert is shown."""
    alert = AlertFactory(school=student.school, student=student, severity=Alert.Severity.HIGH)
    client = page_client(form_master)
    response = client.post(PAGE, form_data(student, alert=alert.pk, action_plan=""), **HTMX)
    html = response.content.decode()
    assert response.status_code == 400 and "This field is required." in html
    assert f'name="alert" value="{alert.pk}"' in html
    assert "Answering the alert" in html and "recording this meeting acknowledges it" in html
    response = client.post(PAGE, form_data(student, alert="not-a-number"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 400
    assert '<ul class="errorlist" id="id_alert-errors" role="alert"><li>Alert: Enter a whole number.</li></ul>' in html
    # An error the service puts on the alert field is shown too.
    foreign = AlertFactory(school=student.school, student=other_student)
    monkeypatch.setattr(selectors, "alert_for_recording", lambda **kwargs: foreign)  # past the view's check
    html = client.post(PAGE, form_data(student, alert=foreign.pk), **HTMX).content.decode()
    assert "Alert: The alert must be one of this student&#x27;s alerts." in html
    assert not Meeting.objects.exists()


def test_record_for_someone_elses_student_is_not_prefilled(page_client, form_master, other_student):
    html = page_client(form_master).get(PAGE, {"record_for": other_student.pk}).content.decode()
    assert "You cannot record a meeting for that student." in html
    assert 'data-open-on-load="true"' not in html


def test_record_errors_are_inline(page_client, form_master, student):
    make_meeting(student=student, created_by=form_master, root_cause="family", status="monitoring")
    client = page_client(form_master)
    response = client.post(PAGE, form_data(student, action_plan="", meeting_date=days(1).isoformat()), **HTMX)
    html = response.content.decode()
    assert response.status_code == 400
    assert "<html" not in html and "This field is required." in html
    assert "The meeting date cannot be in the future." in html  # shown together
    response = client.post(PAGE, form_data(student, root_cause="health", meeting_date=days(2).isoformat()), **HTMX)
    assert response.status_code == 400
    assert "The meeting date cannot be in the future." in response.content.decode()
    response = client.post(PAGE, form_data(student), **HTMX)
    assert response.status_code == 400
    assert "Sam Lee already has an active intervention for Family" in response.content.decode()
    assert Meeting.objects.count() == 1


def test_record_without_htmx_redirects_or_rerenders(page_client, form_master, student):
    client = page_client(form_master)
    response = client.post(PAGE, form_data(student, root_cause="bogus"))
    assert response.status_code == 400 and 'data-open-on-load="true"' in response.content.decode()
    response = client.post(PAGE, form_data(student))
    assert response.status_code == 302 and response["Location"] == PAGE
    assert Meeting.objects.count() == 1


def test_counselor_sees_escalated_only_and_cannot_record(page_client, counselor, form_master, student):
    make_meeting(student=student, created_by=form_master, root_cause="family", status="escalated")
    make_meeting(student=student, created_by=form_master, root_cause="health", status="open")
    client = page_client(counselor)
    html = client.get(PAGE).content.decode()
    assert stat(html, "total") == 1 and 'data-status="open"' not in html
    assert 'id="record-dialog"' not in html
    assert client.post(PAGE, form_data(student)).status_code == 403


def test_tracker_offers_only_allowed_moves_and_adds_update(page_client, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master, status="monitoring")
    ProgressUpdateFactory(meeting=meeting, update_text="older note")
    client = page_client(form_master)
    url = f"{PAGE}{meeting.pk}/"
    html = client.get(url, **HTMX).content.decode()
    assert "<html" not in html and "older note" in html
    options = re.findall(r'<option value="(\w*)"', html)
    assert options == ["", "improving", "not_improving", "escalated", "closed"]
    response = client.post(url, {"update_text": "Much better", "status": "improving", "version": 1}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Trigger"] == "meetings-changed"
    assert "Update added." in html and html.index("Much better") < html.index("older note")
    meeting.refresh_from_db()
    assert meeting.status == "improving" and meeting.version == 2
    assert AuditLog.objects.filter(entity_type="interventions.progressupdate", action="create").count() == 1


def test_tracker_stale_version_shows_message_and_reloads(page_client, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master, status="monitoring")
    meeting.urgency_level = "high"
    versioned_save(meeting)  # someone else: version 2
    client = page_client(form_master)
    response = client.post(
        f"{PAGE}{meeting.pk}/", {"update_text": "typed text", "status": "improving", "version": 1}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "This meeting was changed by someone else" in html
    assert 'name="version" value="2"' in html and "typed text" in html
    assert response["HX-Trigger"] == "meetings-changed"
    assert not ProgressUpdate.objects.exists()


def test_tracker_illegal_move_is_an_inline_error(page_client, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master, status="open")
    response = page_client(form_master).post(
        f"{PAGE}{meeting.pk}/", {"update_text": "x", "status": "improving", "version": 1}, **HTMX
    )
    assert response.status_code == 400
    assert "Allowed next statuses: monitoring, escalated, closed." in response.content.decode()


def test_a_closed_meetings_tracker_offers_no_form(page_client, form_master, student):
    """Closed is final: the tracker shows the closed-case message, not an update form that can only fail."""
    meeting = make_meeting(student=student, created_by=form_master, status="closed")
    ProgressUpdateFactory(meeting=meeting, update_text="Back every day.")
    url = f"{PAGE}{meeting.pk}/"
    for response in (page_client(form_master).get(url, **HTMX), page_client(form_master).get(url)):
        html = response.content.decode()
        assert response.status_code == 200
        assert "This case is closed. Record a new meeting if the absences continue." in html
        assert "Add update" not in html and 'name="update_text"' not in html and "Keep" not in html
        assert "Back every day." in html


def test_closing_from_the_tracker_shows_the_closed_message(page_client, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master, status="monitoring")
    response = page_client(form_master).post(
        f"{PAGE}{meeting.pk}/", {"update_text": "All good now.", "status": "closed", "version": 1}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Update added." in html
    assert "This case is closed." in html and 'name="update_text"' not in html


def test_a_status_change_made_elsewhere_shows_in_the_tracker(page_client, client_for, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master, status="open")
    response = client_for(form_master).patch(
        f"/api/interventions/meetings/{meeting.pk}/", {"status": "escalated", "version": 1}, format="json"
    )
    assert response.status_code == 200
    html = page_client(form_master).get(f"{PAGE}{meeting.pk}/", **HTMX).content.decode()
    assert '<span class="badge badge-escalated">→ Escalated</span>' in html
    assert "Status changed from Open to Escalated." in html


def test_tracker_access(page_client, form_master, other_form_master, admin_user, other_admin, teacher, student):
    meeting = make_meeting(student=student, created_by=form_master)
    url = f"{PAGE}{meeting.pk}/"
    assert page_client(form_master).get(url).status_code == 200
    assert page_client(admin_user).get(url).status_code == 200
    assert page_client(other_form_master).get(url).status_code == 403
    assert page_client(teacher).get(url).status_code == 403
    assert page_client(other_admin).get(url).status_code == 404
    assert page_client(other_form_master).post(url, {"update_text": "x", "version": 1}).status_code == 403


def test_tracker_page_and_fragment_take_the_same_queries_for_few_and_many_updates(
    page_client, form_master, admin_user, counselor, student
):
    meeting = make_meeting(student=student, created_by=form_master, status="monitoring")
    ProgressUpdateFactory(meeting=meeting, update_text="First call home.")
    client = page_client(form_master)
    url = f"{PAGE}{meeting.pk}/"
    client.get(url)  # warm the session
    # session, user, the meeting with its student, its updates with their authors, the student's
    # guardian contacts
    with assert_query_count(5):
        html = client.get(url).content.decode()
    assert "First call home." in html
    with assert_query_count(4):  # the tracker alone: session, user, the meeting, its updates
        assert "First call home." in client.get(url, **HTMX).content.decode()
    for n in range(20):
        moved = ("monitoring", "improving")[n % 2], ("improving", "monitoring")[n % 2]
        ProgressUpdateFactory(
            meeting=meeting,
            update_text=f"Note {n}",
            created_by=(form_master, admin_user, counselor)[n % 3],
            previous_status=moved[0] if n % 4 == 0 else "",
            new_status=moved[1] if n % 4 == 0 else "",
        )
    from interventions.communications.models import CommunicationLog

    for n in range(12):
        CommunicationLog.objects.create(
            school=student.school,
            student=student,
            channel="email",
            recipient=f"guardian{n}@example.org",
            status=CommunicationLog.Status.SENT,
            actor=(form_master, admin_user)[n % 2],
        )
    with assert_query_count(5):
        html = client.get(url).content.decode()
    assert html.count("Note ") >= 20 and "First call home." in html and 'id="contact-log"' in html
    assert "The whole contact log" in html  # more contacts than the section shows
    with assert_query_count(4):
        html = client.get(url, **HTMX).content.decode()
    assert "<html" not in html and "Note 19" in html


# Sections


def test_quick_access_widget_on_home(page_client, form_master, admin_user, counselor, teacher, student, other_admin):
    make_meeting(
        student=student,
        created_by=form_master,
        root_cause="family",
        urgency_level="high",
        meeting_date=days(-9),
        follow_up_date=days(-1),
    )
    make_meeting(student=student, created_by=form_master, root_cause="health", status="escalated")
    html = page_client(form_master).get("/").content.decode()
    assert 'id="intervention-quick-access"' in html
    assert "/form-master/interventions/?overdue=true" in html and "Sam Lee" in html
    counts = sections_for(DASHBOARD, form_master)
    widget = next(ctx for template, ctx in counts if template.endswith("_quick_access.html"))
    assert widget["counts"] == {"active": 2, "high_urgency": 1, "overdue": 1}
    counselor_widget = next(c for t, c in sections_for(DASHBOARD, counselor) if t.endswith("_quick_access.html"))
    assert counselor_widget["counts"]["active"] == 1
    assert not any(t.endswith("_quick_access.html") for t, _ in sections_for(DASHBOARD, teacher))
    foreign = next(c for t, c in sections_for(DASHBOARD, other_admin) if t.endswith("_quick_access.html"))
    assert foreign["counts"] == {"active": 0, "high_urgency": 0, "overdue": 0}


def test_quick_access_links_list_what_the_counts_count(page_client, form_master, student):
    """Active and high-urgency count open cases only; their links open the table filtered the same way."""
    make_meeting(student=student, created_by=form_master, root_cause="family", urgency_level="high")
    make_meeting(student=student, created_by=form_master, root_cause="health", urgency_level="high", status="closed")
    make_meeting(student=student, created_by=form_master, root_cause="academic", urgency_level="low", status="closed")
    make_meeting(student=student, created_by=form_master, root_cause="other", urgency_level="low", status="monitoring")
    client = page_client(form_master)
    home = client.get("/").content.decode()
    links = dict(
        re.findall(
            r'<a class="stat-card" href="([^"]+)"><span class="value">\d+</span><span class="label">'
            r'(?:<span class="badge [^"]+">)?([^<]+)<',
            home,
        )
    )
    links = {label: href.replace("&amp;", "&") for href, label in links.items()}
    widget = next(c for t, c in sections_for(DASHBOARD, form_master) if t.endswith("_quick_access.html"))
    assert widget["counts"] == {"active": 2, "high_urgency": 1, "overdue": 0}
    for label, key in (("Active", "active"), ("High urgency", "high_urgency")):
        html = client.get(links[label]).content.decode()
        assert html.count('<tr id="meeting-') == widget["counts"][key], label
        assert 'data-status="closed"' not in html
        assert 'name="active" value="true" checked' in html  # the filter shows, and can be cleared
    # The same filter through htmx (the checkbox) and the API.
    fragment = client.get(PAGE, {"active": "true"}, **HTMX).content.decode()
    assert fragment.count('<tr id="meeting-') == 2


def test_student_profile_timeline(form_master, admin_user, teacher, other_admin, student):
    first = make_meeting(
        student=student, created_by=form_master, root_cause="family", meeting_date=days(-20), status="closed"
    )
    second = make_meeting(student=student, created_by=form_master, root_cause="health", meeting_date=days(-3))
    ProgressUpdateFactory(meeting=first, update_text="done")

    def timeline(actor):
        return next(
            (c for t, c in sections_for(STUDENT_PROFILE, actor, student=student) if t.endswith("_timeline.html")), None
        )

    context = timeline(admin_user)
    assert [m.pk for m in context["meetings"]] == [first.pk, second.pk]
    assert [u.update_text for u in context["meetings"][0].progress_updates.all()] == ["done"]
    assert timeline(form_master)["can_record"] is True
    assert timeline(teacher) is None
    assert timeline(other_admin) is None
    from django.template.loader import render_to_string

    html = render_to_string("interventions/meetings/_timeline.html", {"section": context, "user": admin_user})
    assert html.index("about family") < html.index("about health") and "done" in html


# Admin


def test_admin_edits_go_through_the_services(page_client, admin_user, form_master, student, other_admin):
    meeting = make_meeting(student=student, created_by=form_master, status="open")
    client = page_client(admin_user)
    url = f"/admin/interventions/interventionmeeting/{meeting.pk}/change/"
    assert client.get("/admin/interventions/interventionmeeting/").status_code == 200
    html = client.get(url).content.decode()
    assert 'name="expected_version"' in html
    data = {
        "alert": "",
        "meeting_date": meeting.meeting_date.isoformat(),
        "absence_reason": meeting.absence_reason,
        "root_cause": meeting.root_cause,
        "intervention_notes": meeting.intervention_notes,
        "action_plan": "Admin plan",
        "follow_up_date": "",
        "urgency_level": "medium",
        "status": "improving",  # not allowed from open
        "expected_version": "1",
        "progress_updates-TOTAL_FORMS": "0",
        "progress_updates-INITIAL_FORMS": "0",
        "progress_updates-MIN_NUM_FORMS": "0",
        "progress_updates-MAX_NUM_FORMS": "0",
    }
    client.post(url, data)
    meeting.refresh_from_db()
    assert meeting.status == "open" and meeting.version == 1
    data["status"] = "monitoring"
    response = client.post(url, data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.action_plan, meeting.version) == ("monitoring", "Admin plan", 2)
    assert AuditLog.objects.filter(entity_type="interventions.interventionmeeting", action="update").count() == 1
    # A second save from the form opened at version 1 is a conflict.
    data["action_plan"] = "Stale plan"
    client.post(url, data)
    meeting.refresh_from_db()
    assert meeting.action_plan == "Admin plan"
    assert page_client(other_admin).get(url).status_code in (302, 404)
    assert page_client(admin_user).get("/admin/interventions/progressupdate/").status_code == 200
    assert page_client(admin_user).get("/admin/interventions/followupreminder/").status_code == 200


def test_admin_delete_is_audited(page_client, admin_user, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master)
    pk = meeting.pk
    response = page_client(admin_user).post(f"/admin/interventions/interventionmeeting/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Meeting.objects.filter(pk=pk).exists()
    assert AuditLog.objects.filter(entity_id=str(pk), action="delete").exists()


def test_seed_demo_meetings_step_is_idempotent(db):
    from core.demo import DemoSchool
    from core.models import School, User
    from interventions.meetings.demo import seed_meetings
    from students.tests.factories import ClassGroupFactory

    school = School.objects.create(name="Demo", code="demo")
    users = {
        key: User.objects.create(username=f"demo-{key}", role="form_master", school=school) for key in ("fm1", "fm2")
    }
    for _key, user in users.items():
        form = ClassGroupFactory(school=school, form_master=user)
        for _ in range(6):
            StudentFactory(school=school, class_group=form)
    demo = DemoSchool(school=school, users=users, today=days(0), log=lambda message: None)
    seed_meetings(demo)
    meetings = Meeting.objects.filter(school=school)
    assert meetings.count() == 16
    assert set(meetings.values_list("status", flat=True)) == set(Meeting.Status.values)
    assert meetings.filter(follow_up_date__lt=days(0)).exclude(status="closed").count() == 4
    assert ProgressUpdate.objects.filter(school=school).exists()
    assert set(meetings.values_list("created_by__username", flat=True)) == {"demo-fm1", "demo-fm2"}
    seed_meetings(demo)
    assert Meeting.objects.filter(school=school).count() == 16


def test_admin_add_goes_through_meeting_create(page_client, admin_user, student):
    data = {
        "student": str(student.pk),
        "alert": "",
        "meeting_date": days(-1).isoformat(),
        "absence_reason": "Absent.",
        "root_cause": "family",
        "intervention_notes": "Notes.",
        "action_plan": "Plan.",
        "follow_up_date": days(3).isoformat(),
        "urgency_level": "low",
        "status": "open",
        "expected_version": "",
        "progress_updates-TOTAL_FORMS": "0",
        "progress_updates-INITIAL_FORMS": "0",
        "progress_updates-MIN_NUM_FORMS": "0",
        "progress_updates-MAX_NUM_FORMS": "0",
    }
    client = page_client(admin_user)
    response = client.post("/admin/interventions/interventionmeeting/add/", data)
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.created_by, meeting.school_id, meeting.version) == (admin_user, student.school_id, 1)
    assert AuditLog.objects.filter(entity_id=str(meeting.pk), action="create").count() == 1
    # The rules hold in the admin too: a second active family case is refused, nothing written.
    client.post("/admin/interventions/interventionmeeting/add/", data)
    assert Meeting.objects.count() == 1


def test_timeline_on_the_student_profile_page(page_client, admin_user, teacher, form_master, student):
    meeting = make_meeting(student=student, created_by=form_master, root_cause="financial")
    ProgressUpdateFactory(meeting=meeting, update_text="Bursary granted.")
    html = page_client(admin_user).get(f"/students/{student.pk}/").content.decode()
    assert 'id="intervention-timeline"' in html and "Bursary granted." in html
    response = page_client(teacher).get(f"/students/{student.pk}/")
    assert 'id="intervention-timeline"' not in response.content.decode()


@pytest.mark.parametrize("count", [2, 30])
def test_quick_access_widget_query_count_is_flat(admin_user, school, count):
    from interventions.meetings.sections import intervention_quick_access

    for _ in range(count):
        make_meeting(
            student=StudentFactory(school=school), created_by=admin_user, meeting_date=days(-5), follow_up_date=days(-1)
        )
    with assert_query_count(2):  # the counts, the first overdue cases with their students
        context = intervention_quick_access(admin_user)
        names = [meeting.student.full_name for meeting in context["overdue"]]
    assert context["counts"]["overdue"] == count and len(names) == min(count, 5)


def test_the_student_select_escapes_names_and_forms_and_selects_the_one_asked_for(
    page_client, form_master, fm_form, student
):
    fm_form.name = 'Form <7> & "B"'
    fm_form.save()
    odd = StudentFactory(school=student.school, class_group=fm_form, first_name="<b>Bo", last_name="O'Hara & Co")
    html = page_client(form_master).get(PAGE, {"record_for": odd.pk}).content.decode()
    assert '<optgroup label="Form &lt;7&gt; &amp; &quot;B&quot;">' in html
    assert f'<option value="{odd.pk}" selected>O&#x27;Hara &amp; Co, &lt;b&gt;Bo ({odd.student_id})</option>' in html
    assert "<b>Bo" not in html
    assert f'<option value="{student.pk}">' in html
