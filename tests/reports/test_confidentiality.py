"""Nobody but the handler, the Executive Head Teacher and the reporter learns anything of a report.

The leak sweep walks every page each person the report may be about can reach (the colleague picked, or
everyone a typed-in name could mean, a Head included), every email sent, and HR's counts and CSV, looking
for the report's reference, its text and the reporter's name.
"""

import pytest
from django.contrib import admin
from django.core import mail

from reports.evidence import CheckedFile
from reports.models import ConcernReport, Evidence, ReportEvent, Status
from tests.reports.builders import make_report, png_bytes, who_can_open

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Colin shared the Year 6 trip photos with a joke about Mrs Jones"


# How the reporter names the colleague: picked from the directory, or typed in, in ways that could mean
# Colin (each kind of variant), or a name that could mean Harmony's Head herself.
WAYS_OF_NAMING = {
    "picked": {"colleague": "colin"},
    "typed exactly": {"colleague_name": "Colin Colleague"},
    "typed in another order and case": {"colleague_name": "colleague, COLIN"},
    "typed with a title, an initial and a slip": {"colleague_name": "Mr C. Coleague"},
    "typed: the Head of the reporter's school": {"colleague_name": "Mrs Hannah  Head"},
}


@pytest.fixture(params=list(WAYS_OF_NAMING), ids=list(WAYS_OF_NAMING))
def report(
    request, client, teacher, colleague, head, exec_head, hr, seed_version, django_capture_on_commit_callbacks
):
    """A report made through the form, with its emails sent, then moved on and noted by its handler."""
    naming = dict(WAYS_OF_NAMING[request.param])
    if naming.pop("colleague", None):
        naming["colleague"] = colleague.pk
    else:
        naming["colleague_name_confirmed"] = "on"  # the reporter insists on the name as typed
    client.force_login(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/new/",
            {
                "action": "submit",
                "platform": "facebook",
                "seen_on": "2026-11-20",
                "still_visible": "yes",
                "description": SECRET_TEXT,
                **naming,
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = ConcernReport.objects.get()
    assert made.possible_subjects.exists() and made.handler not in made.possible_subjects.all()
    client.force_login(made.handler)
    client.get(f"/reports/cases/{made.public_id}/")
    client.post(f"/reports/cases/{made.public_id}/status/", {"to": Status.UNDER_REVIEW, "note": "On it."})
    client.logout()
    return made


def secrets_of(report) -> list[str]:
    return [report.reference, SECRET_TEXT, report.reporter.full_name, str(report.public_id)]


def assert_no_leak(text: str, report, where: str) -> None:
    for secret in secrets_of(report):
        assert secret not in text, f"{where} shows {secret!r}"


def test_it_shows_everyone_the_report_may_be_about_nothing_of_it_anywhere(client, report):
    for person in report.possible_subjects.all():
        sweep_as(client, person, report)
    report.refresh_from_db()
    assert report.status == Status.UNDER_REVIEW


def sweep_as(client, person, report) -> None:
    """Every page, menu, count and export this person can reach: none shows anything of the report."""
    client.force_login(person)
    reachable = ["/", "/policies/social-media-policy/", "/reports/new/", "/reports/mine/"]
    for url in reachable:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_leak(response.content.decode(), report, url)
    # The menu and the home panel count nothing for them.
    home = client.get("/").content.decode()
    assert "awaiting you" not in home or "No case is awaiting you" in home
    # Lists, counts and the export: refused, or shown without the report.
    for url in ["/reports/cases/", "/reports/counts/", "/reports/counts.csv"]:
        response = client.get(url)
        assert response.status_code in (200, 403), url
        if response.status_code == 200:
            body = response.getvalue() if response.streaming else response.content
            assert_no_leak(body.decode(), report, url)
    # A search for the reporter on the form shows a directory entry, never a report.
    response = client.post("/reports/new/", {"action": "find", "colleague_search": "Tess"})
    assert "Tess Teacher" in response.content.decode() and report.reference not in response.content.decode()
    for url in [
        f"/reports/cases/{report.public_id}/",
        f"/reports/mine/{report.public_id}/",
        f"/reports/cases/{report.public_id}/evidence/1/",
        f"/reports/cases/{report.public_id}/step-aside/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert_no_leak(response.content.decode(), report, url)
    for url, data in [
        (f"/reports/cases/{report.public_id}/status/", {"to": "closed", "outcome": "police", "note": "x"}),
        (f"/reports/cases/{report.public_id}/notes/", {"note": "x"}),
        (f"/reports/cases/{report.public_id}/pass-on/", {"reason": "x"}),
        (f"/reports/cases/{report.public_id}/step-aside/", {"confirm": "on"}),
    ]:
        assert client.post(url, data).status_code == 404, url
    assert not report.events.filter(actor=person).exists()
    assert person not in who_can_open(report)


def test_it_sends_emails_without_reference_text_or_names_and_never_to_the_colleague(report):
    assert len(mail.outbox) == 2
    possible = {p.email for p in report.possible_subjects.all()}
    for message in mail.outbox:
        assert not possible & set(message.to)
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
    for person in (report.reporter, *report.possible_subjects.all()):
        for url in (f"/admin/trust/user/{person.pk}/change/", f"/admin/trust/user/{person.pk}/delete/"):
            page = client.get(url).content.decode()
            for secret in (report.reference, SECRET_TEXT, str(report.public_id)):
                assert secret not in page, url


def test_it_sends_no_store_on_every_report_page(client, report, teacher):
    client.force_login(teacher)
    for url in ["/reports/new/", "/reports/mine/", f"/reports/mine/{report.public_id}/"]:
        assert "no-store" in client.get(url)["Cache-Control"], url
    client.force_login(report.handler)
    for url in [
        "/reports/cases/",
        f"/reports/cases/{report.public_id}/",
        f"/reports/cases/{report.public_id}/step-aside/",
    ]:
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
