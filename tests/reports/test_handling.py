"""The handler's cases: the list, the case page and its timeline, status changes, notes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reports.models import ConcernReport, Outcome, ReportEvent, Status
from tests.reports.builders import DESCRIPTION, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(teacher, colleague, head, exec_head):
    return make_report(teacher, colleague)


def test_it_shows_the_handler_everything_reported(client, report, head, teacher, seed_version):
    client.force_login(head)
    page = client.get(f"/reports/cases/{report.public_id}/").content.decode()
    for text in (report.reference, "Tess Teacher", "Colin Colleague", "Facebook", DESCRIPTION, "Report made"):
        assert text in page


def test_it_records_every_opening_of_the_case_page(client, report, head, exec_head):
    client.force_login(head)
    client.get(f"/reports/cases/{report.public_id}/")
    client.force_login(exec_head)
    response = client.get(f"/reports/cases/{report.public_id}/")
    opened = report.events.filter(kind=ReportEvent.Kind.OPENED)
    assert [e.actor for e in opened] == [head, exec_head]
    page = response.content.decode()
    # One line for both openings (tests/reports/test_timeline.py): who opened it last, and who else did.
    assert page.count("Case page opened") == 1 and "opened 2 times" in page
    assert "last by Eve Executive" in page and "also opened by Hannah Head" in page
    assert "no-store" in response["Cache-Control"]


def test_it_moves_a_case_to_under_review_then_closes_it_with_an_outcome(client, report, head, teacher):
    client.force_login(head)
    url = f"/reports/cases/{report.public_id}/status/"
    response = client.post(url, {"to": Status.UNDER_REVIEW, "note": "Receipt acknowledged."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.UNDER_REVIEW and report.acknowledged_at is not None

    response = client.post(url, {"to": Status.CLOSED, "outcome": Outcome.DISCIPLINARY, "note": "Referred."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.outcome) == (Status.CLOSED, Outcome.DISCIPLINARY) and report.closed_at
    changes = report.events.filter(kind=ReportEvent.Kind.STATUS_CHANGED)
    assert [(e.from_status, e.to_status, e.outcome, e.note, e.actor) for e in changes] == [
        ("received", "under_review", "", "Receipt acknowledged.", head),
        ("under_review", "closed", "disciplinary", "Referred.", head),
    ]
    # History keeps each version of the report: as made (then with its possible subject), and each status.
    statuses = [h.status for h in report.history.order_by("history_id")]
    assert [s for i, s in enumerate(statuses) if i == 0 or statuses[i - 1] != s] == [
        "received",
        "under_review",
        "closed",
    ]
    first = report.history.order_by("history_id").last()
    assert [row.user_id for row in first.possible_subjects.all()] == [report.subject_id]

    client.force_login(teacher)
    status_page = client.get(f"/reports/mine/{report.public_id}/").content.decode()
    assert "Closed" in status_page and "Referred" not in status_page and "Disciplinary" not in status_page


def test_it_needs_a_note_and_an_outcome_to_close(client, report, head):
    client.force_login(head)
    response = client.post(f"/reports/cases/{report.public_id}/status/", {"to": Status.CLOSED, "note": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose the outcome" in page and "This field is required" in page
    report.refresh_from_db()
    assert report.status == Status.RECEIVED


def test_it_never_moves_a_case_backwards(client, report, head):
    client.force_login(head)
    url = f"/reports/cases/{report.public_id}/status/"
    client.post(url, {"to": Status.UNDER_REVIEW, "note": "Looking."})
    response = client.post(url, {"to": Status.RECEIVED, "note": "Back?"})
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == Status.UNDER_REVIEW


def test_it_adds_notes_to_the_timeline_escaped(client, report, head):
    client.force_login(head)
    response = client.post(
        f"/reports/cases/{report.public_id}/notes/", {"note": "<script>x()</script> spoke"}
    )
    assert response.status_code == 302
    event = report.events.get(kind=ReportEvent.Kind.NOTE)
    assert (event.actor, event.note) == (head, "<script>x()</script> spoke")
    page = client.get(f"/reports/cases/{report.public_id}/").content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt; spoke" in page and "<script>x()" not in page


def test_it_escapes_report_text_on_the_case_page(client, teacher, colleague, head):
    report = make_report(teacher, colleague, description='<img src=x onerror="alert(1)">')
    client.force_login(head)
    page = client.get(f"/reports/cases/{report.public_id}/").content.decode()
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page and "<img src=x" not in page


def test_it_lists_my_cases_with_a_flag_when_receipt_is_not_acknowledged_in_7_days(
    client, teacher, colleague, other_teacher, head
):
    late = make_report(teacher, colleague)
    ConcernReport.objects.filter(pk=late.pk).update(submitted_at=timezone.now() - timedelta(days=8))
    fresh = make_report(other_teacher, colleague)
    client.force_login(head)
    page = client.get("/reports/cases/").content.decode()
    assert late.reference in page and fresh.reference in page
    assert page.count("Not acknowledged within 7 days") == 1
    assert page.index(late.reference) < page.index(fresh.reference)  # the overdue one first
    home = client.get("/").content.decode()
    assert "2 cases awaiting you" in home and "1 not acknowledged within 7 days" in home


def test_it_lets_the_executive_head_see_and_handle_every_case_but_not_one_about_themselves(
    client, teacher, colleague, head, exec_head, chair
):
    school_case = make_report(teacher, colleague)
    about_exec = make_report(teacher, exec_head)
    client.force_login(exec_head)
    page = client.get("/reports/cases/").content.decode()
    assert school_case.reference in page and about_exec.reference not in page
    response = client.post(f"/reports/cases/{school_case.public_id}/notes/", {"note": "Seen."})
    assert response.status_code == 302
    assert client.get(f"/reports/cases/{about_exec.public_id}/").status_code == 404


def test_it_refuses_the_case_list_to_people_without_cases(client, teacher, governor, hr):
    for person in (teacher, governor, hr):
        client.force_login(person)
        assert client.get("/reports/cases/").status_code == 403


def test_it_gives_the_case_list_to_hr_while_hr_handles_a_case(client, teacher, exec_head, hr):
    report = make_report(teacher, exec_head)  # no Chair of Trustees: HR handles it
    client.force_login(hr)
    assert report.reference in client.get("/reports/cases/").content.decode()


def test_it_keeps_a_case_from_someone_who_reported_it_even_as_executive_head(
    client, colleague, head, exec_head
):
    report = make_report(exec_head, colleague)
    assert report.handler == head
    client.force_login(exec_head)
    assert client.get(f"/reports/cases/{report.public_id}/").status_code == 404
    assert client.get(f"/reports/mine/{report.public_id}/").status_code == 200
