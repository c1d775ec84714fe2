"""report_counts(): what the sign-off pack may know of reports (counts only), and HR's page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reports import services
from reports.models import ConcernReport, Outcome, Status
from reports.selectors import counts_by_school, report_counts
from tests.reports.builders import make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(teacher, colleague, other_teacher, head, other_head, exec_head):
    received = make_report(teacher, colleague)
    reviewed = make_report(other_teacher, colleague)
    services.change_status(reviewed, to=Status.UNDER_REVIEW, note="Looking.", by=head)
    closed = make_report(teacher, other_head)  # the Executive Head's case, central routing
    services.change_status(closed, to=Status.CLOSED, outcome=Outcome.POLICE, note="Police.", by=exec_head)
    old = make_report(other_teacher, colleague)
    ConcernReport.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=400))
    return received, reviewed, closed, old


def test_it_counts_reports_by_status_and_outcome(reports):
    counts = report_counts()
    assert counts["total"] == 4
    assert counts["by_status"] == {"received": 2, "under_review": 1, "closed": 1}
    assert counts["by_outcome"] == {**dict.fromkeys(Outcome.values, 0), "police": 1}


def test_it_counts_within_a_period(reports):
    now = timezone.now()
    assert report_counts(since=now - timedelta(days=30))["total"] == 3
    assert report_counts(until=now - timedelta(days=30))["total"] == 1
    assert report_counts(since=now - timedelta(days=500), until=now - timedelta(days=300))["by_status"] == {
        "received": 1,
        "under_review": 0,
        "closed": 0,
    }


def test_it_holds_no_names_or_text(reports, teacher, colleague):
    text = repr(report_counts()) + repr(counts_by_school())
    for secret in (teacher.full_name, colleague.full_name, reports[0].reference, reports[0].description[:20]):
        assert secret not in text


def test_it_counts_by_school(reports):
    rows = {row["school"]: row for row in counts_by_school()}
    assert set(rows) == {"Harmony Primary School", "Crescendo Academy"}
    assert rows["Harmony Primary School"]["by_status"] == {"received": 2, "under_review": 1, "closed": 0}
    assert rows["Crescendo Academy"]["by_outcome"]["police"] == 1


def test_it_says_zero_when_there_is_no_report(db):
    assert report_counts() == {
        "total": 0,
        "by_status": dict.fromkeys(Status.values, 0),
        "by_outcome": dict.fromkeys(Outcome.values, 0),
    }


def test_it_refuses_the_counts_to_anyone_but_hr(client, reports, head, exec_head, teacher):
    for person in (head, exec_head, teacher):
        client.force_login(person)
        assert client.get("/reports/counts/").status_code == 403
        assert client.get("/reports/counts.csv").status_code == 403
