"""Making a report through the form: the colleague picker, the clauses cited, the receipt and its email."""

import re

import pytest
from django.core import mail

from policies.selectors import outline
from reports.models import ConcernReport, Platform, ReportEvent, Status
from tests.builders import make_person
from tests.reports.builders import DESCRIPTION, png_bytes, upload

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "action": "submit",
        "colleague_search": "",
        "colleague_name": "",
        "platform": Platform.INSTAGRAM,
        "platform_other": "",
        "link": "https://instagram.example/p/abc",
        "seen_on": "2026-11-20",
        "still_visible": "yes",
        "description": DESCRIPTION,
    }
    data.update(overrides)
    return data


def test_it_makes_a_report_and_shows_its_reference_on_a_receipt_page(
    client, teacher, colleague, head, django_capture_on_commit_callbacks
):
    client.force_login(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/new/", form_data(colleague=colleague.pk, is_cyberbullying="on"))
    report = ConcernReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/mine/{report.public_id}/"
    assert re.fullmatch(r"SMR-\d{4}-0001", report.reference)
    assert (report.reporter, report.subject, report.handler) == (teacher, colleague, head)
    assert (report.platform, report.description, report.is_cyberbullying) == ("instagram", DESCRIPTION, True)
    assert report.status == Status.RECEIVED
    assert [e.kind for e in report.events.all()] == [ReportEvent.Kind.SUBMITTED, ReportEvent.Kind.ROUTED]

    receipt = client.get(response["Location"])
    assert report.reference in receipt.content.decode() and "Received" in receipt.content.decode()
    assert "has been received" in receipt.content.decode()  # the confirmation message

    assert sorted(m.to[0] for m in mail.outbox) == sorted([teacher.email, head.email])
    received = next(m for m in mail.outbox if m.to == [teacher.email])
    assert received.subject == "Your report has been received"
    assert "http://127.0.0.1:8000/reports/mine/" in received.body


def test_it_finds_colleagues_by_name_among_active_people_only(client, teacher, colleague, other_teacher):
    make_person("Colin Gone", school=colleague.school, is_active=False)
    client.force_login(teacher)
    response = client.post(
        "/reports/new/",
        form_data(action="find", colleague_search="colin", description="Typed before searching"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{colleague.pk}"' in page and "Colin Colleague" in page
    assert "Colin Gone" not in page and "Olive" not in page
    assert "Typed before searching" in page  # what was typed is kept
    assert "is-invalid" not in page  # a search is not a submission: no errors yet
    assert not ConcernReport.objects.exists()


def test_it_does_not_offer_the_reporter_themselves(client, teacher):
    client.force_login(teacher)
    page = client.post("/reports/new/", form_data(action="find", colleague_search="Tess")).content.decode()
    assert "Nobody in the directory matches" in page


def test_it_accepts_a_typed_in_name_when_the_colleague_is_not_listed(client, teacher, head):
    client.force_login(teacher)
    response = client.post("/reports/new/", form_data(colleague_name="Sam Supply"))
    assert response.status_code == 302
    report = ConcernReport.objects.get()
    assert (report.subject, report.subject_name, report.handler) == (None, "Sam Supply", head)


def test_it_asks_who_posted_it_and_keeps_what_was_typed(client, teacher, head):
    client.force_login(teacher)
    response = client.post("/reports/new/", form_data(description="<b>Kept</b> text"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Say who posted it" in page
    assert "&lt;b&gt;Kept&lt;/b&gt; text" in page and "<b>Kept</b>" not in page
    assert not ConcernReport.objects.exists()


def test_it_refuses_a_date_in_the_future_and_other_without_a_name(client, teacher, colleague, head):
    client.force_login(teacher)
    page = client.post(
        "/reports/new/", form_data(colleague=colleague.pk, seen_on="2999-01-01", platform="other")
    ).content.decode()
    assert "cannot be in the future" in page and "Say which site or app" in page
    assert not ConcernReport.objects.exists()


def test_it_keeps_the_clauses_cited_exactly_as_they_read(client, teacher, colleague, head, seed_version):
    clauses = [c for s in outline(seed_version) for c in s.clauses]
    first, later = clauses[3], clauses[20]
    client.force_login(teacher)
    page = client.get("/reports/new/").content.decode()
    assert f'value="{first.key}"' in page and first.number in page
    response = client.post(
        "/reports/new/", form_data(colleague=colleague.pk, clauses=[str(first.key), str(later.key)])
    )
    assert response.status_code == 302
    cited = list(ConcernReport.objects.get().cited_clauses.all())
    assert [(c.clause_key, c.number, c.text) for c in cited] == [
        (first.key, first.number, first.text),
        (later.key, later.number, later.text),
    ]
    assert cited[0].version == seed_version


def test_it_refuses_a_clause_that_is_not_in_the_current_version(
    client, teacher, colleague, head, seed_version
):
    client.force_login(teacher)
    response = client.post(
        "/reports/new/", form_data(colleague=colleague.pk, clauses=["00000000-0000-0000-0000-000000000000"])
    )
    assert response.status_code == 400
    assert not ConcernReport.objects.exists()


def test_it_lists_my_reports_with_their_status_only(client, teacher, colleague, other_teacher, head):
    client.force_login(teacher)
    client.post("/reports/new/", form_data(colleague=colleague.pk))
    client.force_login(other_teacher)
    client.post("/reports/new/", form_data(colleague=colleague.pk, description="Another one"))
    mine, theirs = (
        ConcernReport.objects.get(reporter=teacher),
        ConcernReport.objects.get(reporter=other_teacher),
    )

    client.force_login(teacher)
    page = client.get("/reports/mine/").content.decode()
    assert mine.reference in page and "Received" in page
    assert theirs.reference not in page
    assert DESCRIPTION not in page and "Colin" not in page


def test_it_gives_references_in_order_within_a_year(teacher, colleague, head):
    from reports.services import allocate_reference

    assert [allocate_reference(2026) for _ in range(3)] == ["SMR-2026-0001", "SMR-2026-0002", "SMR-2026-0003"]
    assert allocate_reference(2027) == "SMR-2027-0001"


def test_it_attaches_a_screenshot_with_its_sha256(
    client, teacher, colleague, head, django_capture_on_commit_callbacks
):
    import hashlib

    client.force_login(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/new/",
            {**form_data(colleague=colleague.pk), "evidence": [upload("shot.png", png_bytes())]},
        )
    assert response.status_code == 302
    item = ConcernReport.objects.get().evidence.get()
    from reports.evidence import read

    stored = read(item.stored_name)
    assert item.sha256 == hashlib.sha256(stored).hexdigest()
    assert (item.kind, item.original_name, item.position) == ("png", "shot.png", 1)
    assert "shot" not in item.stored_name
