"""The case timeline folds the page's openings into one line; every opening stays in the access log."""

import re

import pytest

from reports import services
from reports.models import ReportEvent, Status
from reports.timeline import Openings, timeline
from tests.reports.builders import make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(teacher, colleague, head, exec_head):
    return make_report(teacher, colleague)


def timeline_items(page: str) -> list[str]:
    start = page.index('id="timeline-heading"')
    section = page[start : page.index("</ol>", start)]
    return [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li[^>]*>(.*?)</li>", section, re.S)]


def test_it_shows_many_openings_as_one_line_and_keeps_each_in_the_access_log(client, report, head, exec_head):
    client.force_login(head)
    for _ in range(4):
        client.get(f"/reports/cases/{report.public_id}/")
    services.change_status(report, to=Status.UNDER_REVIEW, note="Looking into it", by=head)
    services.add_note(report, note="Spoke to the colleague", by=head)
    client.force_login(exec_head)
    page = client.get(f"/reports/cases/{report.public_id}/").content.decode()

    assert report.events.filter(kind=ReportEvent.Kind.OPENED).count() == 5  # every opening logged
    items = timeline_items(page)
    openings = [item for item in items if "Case page opened" in item]
    assert len(openings) == 1
    assert re.search(r"Case page opened 5 times</strong>, last by Eve Executive on <time", openings[0])
    assert "(also opened by Hannah Head)" in openings[0]
    # Status changes and notes stay entries of their own, in order, with the openings where the last fell.
    names = ("Report made", "Assigned", "Status changed", "Note added", "Case page opened")
    kinds = [next(k for k in names if k in item) for item in items]
    assert kinds[-3:] == ["Status changed", "Note added", "Case page opened"]
    assert kinds.count("Status changed") == 1 and kinds.count("Note added") == 1


def test_it_says_opened_once_in_the_singular(client, report, head):
    client.force_login(head)
    page = client.get(f"/reports/cases/{report.public_id}/").content.decode()
    assert "Case page opened 1 time</strong>, last by Hannah Head" in page
    assert "also opened by" not in page


def test_it_keeps_downloads_as_entries_of_their_own(teacher, colleague, head):
    from reports.evidence import CheckedFile
    from tests.reports.test_queries import png_bytes

    report = make_report(teacher, colleague, files=[CheckedFile("a.png", "png", png_bytes())])
    services.record_opening(report, by=head)
    services.record_download(report.evidence.get(), by=head)
    services.record_download(report.evidence.get(), by=head)
    services.record_opening(report, by=head)
    entries = timeline(report)
    downloads = [e for e in entries if getattr(e, "kind", "") == ReportEvent.Kind.EVIDENCE_DOWNLOADED]
    folded = [e for e in entries if isinstance(e, Openings)]
    assert len(downloads) == 2 and len(folded) == 1 and folded[0].count == 2
    assert entries[-1] is folded[0]  # the last opening came after the downloads


def test_it_shows_no_openings_line_for_a_case_never_opened(report):
    assert not [e for e in timeline(report) if isinstance(e, Openings)]
    assert [e.kind for e in timeline(report)][0] == ReportEvent.Kind.SUBMITTED


def test_it_escapes_the_names_in_the_openings_line(client, report, head, exec_head):
    exec_head.full_name = "<b>Eve</b> Executive"
    exec_head.save(update_fields=["full_name"])
    services.record_opening(report, by=exec_head)
    client.force_login(head)
    page = client.get(f"/reports/cases/{report.public_id}/").content.decode()
    assert "<b>Eve</b>" not in page and "&lt;b&gt;Eve&lt;/b&gt; Executive" in page


def test_it_refuses_the_case_and_its_timeline_to_someone_not_handling_it(client, report, other_teacher):
    client.force_login(other_teacher)
    assert client.get(f"/reports/cases/{report.public_id}/").status_code == 404
    assert not report.events.filter(kind=ReportEvent.Kind.OPENED).exists()
