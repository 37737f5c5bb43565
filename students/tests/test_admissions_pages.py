"""The /admissions/ pages: board, moves through htmx, follow-ups due, funnel, search, export, enrol,
the dashboard section, roles and schools, query counts."""

import datetime
import json

import pytest
import time_machine

from core.models import AuditLog
from core.testing.queries import assert_query_count
from students.admissions import services
from students.admissions.models import FollowUp, Inquiry
from students.models import Student
from students.tests.admissions_helpers import TODAY, days, new_inquiry
from students.tests.factories import AcademicYearFactory, ClassGroupFactory

pytestmark = pytest.mark.django_db
Status = Inquiry.Status
HTMX = {"HTTP_HX_REQUEST": "true"}
# session, user, funnel (2), board (count + 5 columns), due, subject and counsellor choices
PAGE_QUERIES = 13
BOARD_QUERIES = 8  # session, user, board (count + 5 columns)
# session, user, the inquiry (counsellor, student joined) and its subjects, the current year, the
# follow-ups (counsellor joined), the enrol form's forms
INQUIRY_PAGE_QUERIES = 7
EXPORT_QUERIES = 4  # session, user, the audit row, the inquiries (student, counsellor joined)


@pytest.fixture(autouse=True)
def pinned_clock():
    with time_machine.travel(datetime.datetime(2026, 10, 14, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def _column(html: str, status: str) -> str:
    start = html.index(f'data-status="{status}" aria-label')
    end = html.find('class="board-column"', start)
    return html[start : end if end != -1 else len(html)]


def test_the_board_shows_a_column_per_status_with_the_score_parts(signed_in, counselor):
    new_inquiry(counselor, student_name="Ada Lovelace", source="referral", priority="high")
    response = signed_in(counselor).get("/admissions/")
    html = response.content.decode()
    assert response.status_code == 200
    for label in ("New", "Contacted", "Follow-up scheduled", "Enrolled", "Lost"):
        assert f'aria-label="{label}"' in html
    assert "Ada Lovelace" in _column(html, "new")
    assert "+20 base, +20 referral, +15 high priority, +10 came in within 7 days" in html
    assert 'id="funnel-data"' in html and "<script>" not in html.replace('<script id="funnel-data"', "")
    chart = json.loads(html.split('id="funnel-data" type="application/json">')[1].split("</script>")[0])
    assert chart["stages"][0] == "New" and len(chart["sources"]) == 5
    assert 'href="/admissions/"' in html  # the nav entry


def test_a_card_moves_through_htmx_and_a_stale_or_backward_move_is_a_message(signed_in, counselor):
    inquiry = new_inquiry(counselor)
    client = signed_in(counselor)
    moved = client.post(f"/admissions/{inquiry.pk}/move/", {"status": "contacted", "version": 1}, **HTMX)
    html = moved.content.decode()
    assert moved.status_code == 200
    assert "Ada Lovelace moved to contacted." in html
    assert "Ada Lovelace" in _column(html, "contacted") and "Ada Lovelace" not in _column(html, "new")
    stale = client.post(f"/admissions/{inquiry.pk}/move/", {"status": "lost", "version": 1}, **HTMX)
    assert stale.status_code == 409
    assert "changed by someone else" in stale.content.decode()
    backward = client.post(f"/admissions/{inquiry.pk}/move/", {"status": "new", "version": 2}, **HTMX)
    assert backward.status_code == 400
    assert "cannot go back" in backward.content.decode()
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.version) == (Status.CONTACTED, 2)
    assert AuditLog.objects.filter(entity_type="students.inquiry", action="update").count() == 1


def test_follow_ups_due_today_and_overdue_are_listed(signed_in, counselor):
    overdue = new_inquiry(counselor, student_name="Late Larry")
    today = new_inquiry(counselor, student_name="Today Tina")
    later = new_inquiry(counselor, student_name="Later Lou")
    for inquiry, when in ((overdue, days(-2)), (today, TODAY), (later, days(3))):
        services.inquiry_update(actor=counselor, inquiry=inquiry, version=1, next_follow_up_date=when, today=TODAY)
    html = signed_in(counselor).get("/admissions/").content.decode()
    due = html.split('id="due-table"')[1].split("</table>")[0]
    assert "Late Larry" in due and "Overdue" in due
    assert "Today Tina" in due and "Due today" in due
    assert "Later Lou" not in due
    assert 'data-label="Due"' in due and "stack-table" in html
    dashboard = signed_in(counselor).get("/").content.decode()
    section = dashboard.split('id="admissions-due"')[1].split("</article>")[0]
    assert "Late Larry" in section and "Today Tina" in section and "Later Lou" not in section


def test_search_answers_htmx_with_the_board_only(signed_in, counselor):
    new_inquiry(counselor, student_name="Ada Lovelace", phone="0700 111")
    new_inquiry(counselor, student_name="Bob Stone", phone="0700 222", email="bob@example.org")
    client = signed_in(counselor)
    by_phone = client.get("/admissions/?q=222", **HTMX).content.decode()
    assert by_phone.lstrip().startswith('<div id="board"')
    assert "Bob Stone" in by_phone and "Ada Lovelace" not in by_phone
    by_email = client.get("/admissions/?q=bob@example", **HTMX).content.decode()
    assert "Bob Stone" in by_email


def test_a_long_search_is_cut_to_its_first_100_characters(signed_in, counselor):
    new_inquiry(counselor, student_name="Ada Lovelace", phone="0700 111")
    client = signed_in(counselor)
    board = client.get("/admissions/", {"q": "lovelace " + " " * 90 + "0700 999"}, **HTMX).content.decode()
    assert "Ada Lovelace" in board  # "0700 999" lies past the 100th character: not searched
    assert f'name="q" value="lovelace{" " * 91}0"' in board
    assert "Ada Lovelace" not in client.get("/admissions/", {"q": "lovelace 0700 999"}, **HTMX).content.decode()


def test_csv_export_is_audited_and_guarded_against_formulas(signed_in, counselor):
    new_inquiry(counselor, student_name="=HYPERLINK(1)", source="referral")
    response = signed_in(counselor).get("/admissions/export.csv")
    body = response.content.decode()
    assert response["Content-Type"] == "text/csv"
    lines = body.strip().splitlines()
    assert lines[0].startswith("student_name,phone,email,source,status")
    assert lines[1].startswith("'=HYPERLINK(1)")
    assert "+20 base" in lines[1]
    assert AuditLog.objects.filter(action="export.inquiries").count() == 1


def test_the_inquiry_page_records_a_follow_up(signed_in, counselor):
    inquiry = new_inquiry(counselor)
    client = signed_in(counselor)
    page = client.get(f"/admissions/{inquiry.pk}/").content.decode()
    assert 'id="score-parts"' in page and "base" in page
    response = client.post(
        f"/admissions/{inquiry.pk}/",
        {"follow_up_date": str(TODAY), "follow_up_type": "call", "status": "completed", "outcome": "Spoke"},
    )
    assert response.status_code == 302
    assert FollowUp.objects.get().outcome == "Spoke"
    bad = client.post(
        f"/admissions/{inquiry.pk}/", {"follow_up_date": str(days(2)), "follow_up_type": "call", "status": "completed"}
    )
    assert bad.status_code == 400
    assert "cannot be in the future" in bad.content.decode()


def test_the_enrol_action_creates_the_student_or_shows_the_error(signed_in, counselor, school):
    year = AcademicYearFactory(school=school, name="2026/27", start_date=days(-40), end_date=days(250))
    form = ClassGroupFactory(school=school, academic_year=year, name="Form 1A", grade_level=1)
    taken = new_inquiry(counselor, student_name="First Kid")
    services.inquiry_enrol(actor=counselor, inquiry=taken, class_group=form, student_id="ADM-1")
    inquiry = new_inquiry(counselor, student_name="Second Kid")
    client = signed_in(counselor)
    refused = client.post(
        f"/admissions/{inquiry.pk}/enrol/", {"class_group": form.pk, "student_id": "adm-1", "version": 1}
    )
    assert refused.status_code == 400
    assert "already exists" in refused.content.decode()
    response = client.post(
        f"/admissions/{inquiry.pk}/enrol/", {"class_group": form.pk, "student_id": "ADM-2", "version": 1}
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == Status.ENROLLED
    assert inquiry.student == Student.objects.get(student_id="ADM-2")


def test_roles_and_schools_on_the_pages(signed_in, client, counselor, teacher, form_master, other_admin):
    inquiry = new_inquiry(counselor)
    assert client.get("/admissions/").status_code == 302  # to the login page
    for outsider in (teacher, form_master):
        signed_in(outsider)
        assert client.get("/admissions/").status_code == 403
        assert client.get(f"/admissions/{inquiry.pk}/").status_code == 403
        assert client.get("/admissions/export.csv").status_code == 403
        assert 'href="/admissions/"' not in client.get("/").content.decode()
    signed_in(other_admin)
    assert client.get(f"/admissions/{inquiry.pk}/").status_code == 404
    assert client.post(f"/admissions/{inquiry.pk}/move/", {"status": "contacted", "version": 1}).status_code == 404
    assert "Ada Lovelace" not in client.get("/admissions/").content.decode()
    assert "Ada Lovelace" not in client.get("/admissions/export.csv").content.decode()


def test_a_colleagues_card_has_no_move_select(signed_in, counselor, make_user, school):
    colleague = make_user("counselor", school, username="north-counselor-2")
    inquiry = new_inquiry(colleague)
    client = signed_in(counselor)
    html = client.get("/admissions/").content.decode()
    assert f'id="move-{inquiry.pk}"' not in html
    assert (
        client.post(f"/admissions/{inquiry.pk}/move/", {"status": "contacted", "version": 1}, **HTMX).status_code == 403
    )


def test_the_page_takes_constant_queries(signed_in, counselor, admin_user):
    client = signed_in(admin_user)
    new_inquiry(counselor)
    with assert_query_count(PAGE_QUERIES):
        assert client.get("/admissions/").status_code == 200
    with assert_query_count(BOARD_QUERIES):
        board = client.get("/admissions/?q=ada", **HTMX).content.decode()
    assert board.count('class="inquiry-card"') == 1 and "Ada Lovelace" in board
    for n in range(15):
        inquiry = new_inquiry(counselor if n % 2 else admin_user, student_name=f"Kid {n}", source="campaign")
        if n % 3 == 0:
            owner = counselor if n % 2 else admin_user
            services.inquiry_update(actor=owner, inquiry=inquiry, version=1, next_follow_up_date=TODAY, today=TODAY)
    with assert_query_count(PAGE_QUERIES):
        html = client.get("/admissions/").content.decode()
    assert html.count('class="inquiry-card"') == 16 and "Kid 14" in _column(html, "new")
    with assert_query_count(BOARD_QUERIES):
        board = client.get("/admissions/?q=kid", **HTMX).content.decode()
    assert board.count('class="inquiry-card"') == 15 and "Ada Lovelace" not in board


def test_the_inquiry_page_takes_constant_queries(signed_in, counselor, school):
    year = AcademicYearFactory(school=school, name="2026/27", start_date=days(-40), end_date=days(250))
    ClassGroupFactory(school=school, academic_year=year, name="Form 1A", grade_level=1)
    inquiry = new_inquiry(counselor)
    services.follow_up_create(actor=counselor, inquiry=inquiry, follow_up_date=days(-20), outcome="Spoke", today=TODAY)
    client = signed_in(counselor)
    with assert_query_count(INQUIRY_PAGE_QUERIES):
        assert client.get(f"/admissions/{inquiry.pk}/").status_code == 200
    for n in range(15):
        services.follow_up_create(
            actor=counselor, inquiry=inquiry, follow_up_date=days(-n), outcome=f"Outcome {n}", today=TODAY
        )
    with assert_query_count(INQUIRY_PAGE_QUERIES):
        response = client.get(f"/admissions/{inquiry.pk}/")
    assert response.status_code == 200 and "Outcome 14" in response.content.decode()


def test_the_export_takes_constant_queries(signed_in, counselor, admin_user, school):
    year = AcademicYearFactory(school=school, name="2026/27", start_date=days(-40), end_date=days(250))
    form = ClassGroupFactory(school=school, academic_year=year, name="Form 1A", grade_level=1)
    client = signed_in(admin_user)
    new_inquiry(counselor)
    with assert_query_count(EXPORT_QUERIES):
        assert len(client.get("/admissions/export.csv").content.decode().strip().splitlines()) == 2
    for n in range(20):
        inquiry = new_inquiry(counselor if n % 2 else admin_user, student_name=f"Kid {n}")
        if n % 4 == 0:
            services.inquiry_enrol(actor=admin_user, inquiry=inquiry, class_group=form, student_id=f"ADM-{n}")
    with assert_query_count(EXPORT_QUERIES):
        lines = client.get("/admissions/export.csv").content.decode().strip().splitlines()
    assert len(lines) == 22 and sum(",ADM-" in line for line in lines) == 5
