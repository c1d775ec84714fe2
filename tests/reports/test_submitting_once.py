"""One report per submitted form: a double click, a resubmitted page or two tabs at once make one report.

The form carries a one-time token; the database holds it unique per reporter, so even two submissions
arriving at the same moment (PostgreSQL, two threads) make one report, one set of evidence files and one
pair of emails.
"""

import re
import threading
import uuid

import pytest
from django.conf import settings
from django.core import mail
from django.db import close_old_connections, connection
from django.test import Client

from reports import services
from reports.models import ConcernReport, Evidence
from tests.reports.builders import DESCRIPTION, details, png_bytes, upload
from tests.reports.test_reporting import form_data

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def files_on_disk(private_media) -> set[str]:
    folder = private_media / "evidence"
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def token_on(page: str) -> str:
    return re.search(r'name="submission_token" value="([0-9a-f-]{36})"', page).group(1)


@pytest.mark.django_db
def test_it_gives_each_new_form_its_own_token_and_keeps_it_through_a_search(client, teacher, colleague):
    client.force_login(teacher)
    first, second = (token_on(client.get("/reports/new/").content.decode()) for _ in range(2))
    assert first != second
    page = client.post(
        "/reports/new/", form_data(action="find", colleague_search="colin", submission_token=first)
    ).content.decode()
    assert token_on(page) == first
    page = client.post("/reports/new/", form_data(description="", submission_token=first)).content.decode()
    assert token_on(page) == first  # a form sent back with a problem is still the same report


@pytest.mark.django_db
def test_it_makes_one_report_when_the_same_form_is_sent_twice(
    client, teacher, colleague, head, private_media, django_capture_on_commit_callbacks
):
    client.force_login(teacher)
    data = {**form_data(colleague=colleague.pk), "submission_token": str(uuid.uuid4())}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/reports/new/", {**data, "evidence": [upload("a.png", png_bytes())]})
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post("/reports/new/", {**data, "evidence": [upload("a.png", png_bytes())]})

    report = ConcernReport.objects.get()
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] == f"/reports/mine/{report.public_id}/"
    assert Evidence.objects.count() == 1 and files_on_disk(private_media) == {
        report.evidence.get().stored_name
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted([teacher.email, head.email])  # not four
    page = client.get(second["Location"]).content.decode()
    assert "had already been sent" in page and report.reference in page


@pytest.mark.django_db
def test_it_makes_a_new_report_for_a_new_form(client, teacher, colleague, head):
    client.force_login(teacher)
    for _ in range(2):
        token = token_on(client.get("/reports/new/").content.decode())
        client.post("/reports/new/", {**form_data(colleague=colleague.pk), "submission_token": token})
    assert ConcernReport.objects.count() == 2


@pytest.mark.django_db
def test_it_does_not_let_anothers_token_reach_their_report(client, teacher, other_teacher, colleague, head):
    token = uuid.uuid4()
    theirs = services.submit(details(colleague), by=other_teacher, notify=False, token=token)
    client.force_login(teacher)
    response = client.post(
        "/reports/new/", {**form_data(colleague=colleague.pk), "submission_token": str(token)}
    )
    mine = ConcernReport.objects.exclude(pk=theirs.pk).get()
    assert mine.reporter == teacher and response["Location"] == f"/reports/mine/{mine.public_id}/"
    assert str(theirs.public_id) not in response["Location"]


@pytest.mark.django_db
def test_it_treats_a_form_without_a_valid_token_as_a_new_submission(client, teacher, colleague, head):
    client.force_login(teacher)
    response = client.post("/reports/new/", {**form_data(colleague=colleague.pk), "submission_token": "x<"})
    assert response.status_code == 302
    assert ConcernReport.objects.get().submission_token is not None


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: SQLite has one writer at a time anyway")
@pytest.mark.django_db(transaction=True)
def test_it_makes_one_report_when_the_same_form_arrives_twice_at_once(
    teacher, colleague, head, private_media
):
    token = str(uuid.uuid4())
    data = {**form_data(colleague=colleague.pk, description=DESCRIPTION), "submission_token": token}
    barrier, responses, errors = threading.Barrier(2), [], []

    def post():
        try:
            client = Client()
            client.force_login(teacher)
            barrier.wait(timeout=10)
            responses.append(
                client.post("/reports/new/", {**data, "evidence": [upload("a.png", png_bytes())]})
            )
        except Exception as error:  # any failure fails the test below, with its cause
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and not any(thread.is_alive() for thread in threads)

    report = ConcernReport.objects.get()
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {f"/reports/mine/{report.public_id}/"}
    assert Evidence.objects.count() == 1 and files_on_disk(private_media) == {
        report.evidence.get().stored_name
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted([teacher.email, head.email])
    assert report.reference.endswith("-0001")  # the loser's reference number was rolled back too
