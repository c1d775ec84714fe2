"""Web requests never talk to the mail server: a report, a publication, an import and a password reset
each write outbox rows and a delivery task (production's database task backend), and open no SMTP
connection, even with a slow relay running. (The time each takes is measured in bench/bench_mail.py.)"""

import datetime

import pytest
from django_tasks_db.models import DBTaskResult

from policies import services as policy_services
from policies.models import PolicyVersion
from symphony_portal.mail.models import OutgoingEmail
from symphony_portal.trust import services as trust_services
from symphony_portal.trust.models import User
from tests.builders import make_version
from tests.reports.test_reporting import form_data
from tests.trust.importing import csv_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_delivery(settings, smtp_server):
    """Delivery as in production: a task stored in the database for a worker, never run in the request."""
    settings.PORTAL_MAIL_TASK_BACKEND = "default"
    return smtp_server


def run_stored_task(path: str) -> None:
    """Run, in this process, the task the request stored (a worker would), as the worker would call it."""
    result = DBTaskResult.objects.get(task_path=path).task_result
    result.task.call(*result.args, **result.kwargs)


def assert_queued_not_sent(server, *, to: set[str]) -> None:
    assert server.connections == 0 and server.messages == []
    assert set(OutgoingEmail.objects.values_list("to", flat=True)) == to
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"queued"}
    assert DBTaskResult.objects.filter(task_path="symphony_portal.mail.tasks.deliver_mail").exists()


def test_a_report_waits_for_no_mail_server(
    client, teacher, colleague, head, production_delivery, django_capture_on_commit_callbacks
):
    client.force_login(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/new/", form_data(colleague=colleague.pk), follow=True)
    assert "has been received" in response.content.decode()
    assert_queued_not_sent(production_delivery, to={teacher.email, head.email})


def test_a_publication_waits_for_no_mail_server(
    client, hr, teacher, head, production_delivery, django_capture_on_commit_callbacks
):
    current = make_version(label="2016-2019", sections={"Purpose": ["Alpha wording."]})
    draft = policy_services.start_draft(current, label="2026-2029", by=hr)
    policy_services.record_approval(
        draft, approved_by_body="Board", approved_on=datetime.date(2026, 7, 14), minute_reference="B/1", by=hr
    )
    client.force_login(hr)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/policies/{draft.policy.slug}/drafts/{draft.pk}/publish/",
            {"change": "material", "reason": "A new section on messaging apps."},
        )
    assert PolicyVersion.objects.get(pk=draft.pk).is_published
    # Thousands of emails are not rendered in the request either: a stored task writes them.
    assert not OutgoingEmail.objects.exists() and production_delivery.connections == 0
    run_stored_task("policies.tasks.notify_new_version")
    assert_queued_not_sent(production_delivery, to={hr.email, teacher.email, head.email})


def test_an_import_waits_for_no_mail_server(
    client, hr, harmony, production_delivery, django_capture_on_commit_callbacks
):
    text = csv_of(
        *(f"new{n}@symphony.test,New Person {n},employee,harmony-primary,,Teacher" for n in range(40))
    )
    record = trust_services.upload_people_import(text, filename="people.csv", by=hr)
    client.force_login(hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/people/import/{record.pk}/confirm/", follow=True)
    # The request only records the job and stores its task: no person, no email, no mail server yet.
    assert response.status_code == 200 and "being applied" in response.content.decode().lower()
    assert not OutgoingEmail.objects.exists() and production_delivery.connections == 0
    assert not User.objects.filter(email__startswith="new").exists()
    # The worker applies the import: the people and their invitations (outbox rows) in one transaction.
    with django_capture_on_commit_callbacks(execute=True):
        run_stored_task("symphony_portal.trust.tasks.apply_people_import")
    assert User.objects.filter(email__startswith="new").count() == 40
    assert_queued_not_sent(production_delivery, to={f"new{n}@symphony.test" for n in range(40)})


def test_a_password_reset_waits_for_no_mail_server(
    client, teacher, production_delivery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password_reset/", {"email": teacher.email})
    assert response.status_code == 302
    # The request only records itself and stores a task (the same work for a known and an unknown
    # address); the task writes the email to the outbox, which a worker delivers.
    assert not OutgoingEmail.objects.exists() and production_delivery.connections == 0
    run_stored_task("symphony_portal.trust.tasks.send_password_reset")
    assert_queued_not_sent(production_delivery, to={teacher.email})
