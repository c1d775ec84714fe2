"""Nobody but the handler, the Executive Head Teacher and the reporter learns anything of a report.

The leak sweep walks every page the reported colleague can reach, every email sent, and HR's counts and
CSV, looking for the report's reference, its text and the reporter's name.
"""

import pytest
from django.contrib import admin
from django.core import mail

from reports.evidence import CheckedFile
from reports.models import ConcernReport, Evidence, ReportEvent, Status
from tests.reports.builders import make_report, png_bytes

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Colin shared the Year 6 trip photos with a joke about Mrs Jones"


@pytest.fixture
def report(client, teacher, colleague, head, exec_head, hr, seed_version, django_capture_on_commit_callbacks):
    """A report made through the form, with its emails sent, then moved on and noted by the Head."""
    client.force_login(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/reports/new/",
            {
                "action": "submit",
                "colleague": colleague.pk,
                "platform": "facebook",
                "seen_on": "2026-11-20",
                "still_visible": "yes",
                "description": SECRET_TEXT,
            },
        )
    made = ConcernReport.objects.get()
    client.force_login(head)
    client.get(f"/reports/cases/{made.public_id}/")
    client.post(f"/reports/cases/{made.public_id}/status/", {"to": Status.UNDER_REVIEW, "note": "On it."})
    client.logout()
    return made


def secrets_of(report) -> list[str]:
    return [report.reference, SECRET_TEXT, report.reporter.full_name, str(report.public_id)]


def assert_no_leak(text: str, report, where: str) -> None:
    for secret in secrets_of(report):
        assert secret not in text, f"{where} shows {secret!r}"


def test_it_shows_the_reported_colleague_nothing_of_the_report_anywhere(client, report, colleague):
    client.force_login(colleague)
    reachable = ["/", "/policies/social-media-policy/", "/reports/new/", "/reports/mine/"]
    for url in reachable:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_leak(response.content.decode(), report, url)
    # A search for the reporter on the form shows a directory entry, never a report.
    response = client.post("/reports/new/", {"action": "find", "colleague_search": "Tess"})
    assert "Tess Teacher" in response.content.decode() and report.reference not in response.content.decode()
    for url in [
        f"/reports/cases/{report.public_id}/",
        f"/reports/mine/{report.public_id}/",
        f"/reports/cases/{report.public_id}/evidence/1/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert_no_leak(response.content.decode(), report, url)
    for url in ["/reports/cases/", "/reports/counts/", "/reports/counts.csv"]:
        assert client.get(url).status_code == 403, url
    for url, data in [
        (f"/reports/cases/{report.public_id}/status/", {"to": "closed", "outcome": "police", "note": "x"}),
        (f"/reports/cases/{report.public_id}/notes/", {"note": "x"}),
        (f"/reports/cases/{report.public_id}/pass-on/", {"reason": "x"}),
    ]:
        assert client.post(url, data).status_code == 404, url
    report.refresh_from_db()
    assert report.status == Status.UNDER_REVIEW
    assert not report.events.filter(actor=colleague).exists()


def test_it_sends_emails_without_reference_text_or_names_and_never_to_the_colleague(report, colleague):
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert colleague.email not in message.to
        html = message.alternatives[0][0]
        assert_no_leak(message.subject + message.body + html, report, f"email to {message.to}")
        assert "/reports/cases/" + str(report.public_id) not in message.body


def test_it_shows_hr_counts_only(client, report, hr):
    client.force_login(hr)
    page = client.get("/reports/counts/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "Harmony Primary School" in page.content.decode()
    assert_no_leak(page.content.decode(), report, "HR counts")
    assert "Colin Colleague" not in page.content.decode()
    csv = b"".join(client.get("/reports/counts.csv").streaming_content).decode()
    assert "Harmony Primary School,1,0,1,0" in csv
    assert_no_leak(csv, report, "HR CSV")
    assert client.get(f"/reports/cases/{report.public_id}/").status_code == 404


def test_it_gives_a_superuser_no_shortcut(client, report, django_user_model):
    boss = django_user_model.objects.create_superuser("root@symphony.test", "root-password-1")
    client.force_login(boss)
    assert client.get(f"/reports/cases/{report.public_id}/").status_code == 404
    assert client.get(f"/reports/mine/{report.public_id}/").status_code == 404
    assert not ConcernReport.objects.visible_to(boss).exists()


def test_it_keeps_report_content_out_of_the_admin(client, report, hr):
    for model in (ConcernReport, Evidence, ReportEvent):
        assert not admin.site.is_registered(model)
    client.force_login(hr)
    assert_no_leak(client.get("/admin/").content.decode(), report, "admin index")
    # The reporter's and the colleague's own admin pages, deletion page included (which lists the
    # records protecting a person), show neither the reference nor the text.
    for person in (report.reporter, report.subject):
        for url in (f"/admin/trust/user/{person.pk}/change/", f"/admin/trust/user/{person.pk}/delete/"):
            page = client.get(url).content.decode()
            for secret in (report.reference, SECRET_TEXT, str(report.public_id)):
                assert secret not in page, url


def test_it_sends_no_store_on_every_report_page(client, report, teacher, head):
    client.force_login(teacher)
    for url in ["/reports/new/", "/reports/mine/", f"/reports/mine/{report.public_id}/"]:
        assert "no-store" in client.get(url)["Cache-Control"], url
    client.force_login(head)
    for url in ["/reports/cases/", f"/reports/cases/{report.public_id}/"]:
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_it_scopes_visible_to(teacher, colleague, other_teacher, head, other_head, exec_head, hr, governor):
    report = make_report(teacher, colleague, files=[CheckedFile("a.png", "png", png_bytes())])
    visible = {
        p.full_name: ConcernReport.objects.visible_to(p).filter(pk=report.pk).exists()
        for p in (teacher, colleague, other_teacher, head, other_head, exec_head, hr, governor)
    }
    assert visible == {
        "Tess Teacher": True,
        "Colin Colleague": False,
        "Olive Otherteacher": False,
        "Hannah Head": True,
        "Oscar Otherhead": False,
        "Eve Executive": True,
        "Harriet HR": False,
        "Gwen Governor": False,
    }


def test_it_forgets_a_person_who_has_left(teacher, colleague, head):
    report = make_report(teacher, colleague)
    head.is_active = False
    head.save()
    assert not ConcernReport.objects.handled_by(head).filter(pk=report.pk).exists()
