"""`manage.py prune_sent_mail`: sent emails past the keeping period go; nothing else is ever touched."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from symphony_portal.mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db

Status = OutgoingEmail.Status


def email(status: str, *, days_ago: int, to: str) -> OutgoingEmail:
    """A row caused, tried and (if sent) sent ``days_ago`` days ago."""
    then = timezone.now() - timedelta(days=days_ago)
    return OutgoingEmail.objects.create(
        about="test_note",
        to=to,
        from_email="portal@symphony.test",
        subject="A note",
        body="" if status == Status.SENT else "Hello.",
        status=status,
        created_at=then,
        next_attempt_at=then,
        last_attempt_at=then,
        sent_at=then if status == Status.SENT else None,
        attempts=0 if status == Status.QUEUED else 1,
        server_answer="550 5.1.1 No such user" if status == Status.FAILED else "",
    )


def prune() -> str:
    out = io.StringIO()
    call_command("prune_sent_mail", stdout=out)
    return out.getvalue()


def test_it_deletes_old_sent_emails_and_never_failed_retrying_or_queued_ones():
    old_sent = [email(Status.SENT, days_ago=days, to=f"old{days}@symphony.test") for days in (91, 400)]
    kept = [
        email(Status.SENT, days_ago=89, to="recent@symphony.test"),
        email(Status.FAILED, days_ago=400, to="failed@symphony.test"),
        email(Status.RETRYING, days_ago=400, to="retrying@symphony.test"),
        email(Status.QUEUED, days_ago=400, to="queued@symphony.test"),
    ]
    assert prune() == "Deleted 2 sent emails older than 90 days from the outbox.\n"
    assert not OutgoingEmail.objects.filter(pk__in=[e.pk for e in old_sent]).exists()
    assert sorted(OutgoingEmail.objects.values_list("pk", flat=True)) == sorted(e.pk for e in kept)
    failed = OutgoingEmail.objects.get(to="failed@symphony.test")
    assert failed.server_answer == "550 5.1.1 No such user" and failed.body == "Hello."  # untouched
    assert prune() == "Deleted 0 sent emails older than 90 days from the outbox.\n"  # a second run: nothing


def test_it_keeps_sent_emails_for_the_days_the_setting_says(settings):
    settings.PORTAL_MAIL_KEEP_SENT_DAYS = 30
    email(Status.SENT, days_ago=31, to="month@symphony.test")
    email(Status.SENT, days_ago=29, to="weeks@symphony.test")
    assert prune() == "Deleted 1 sent email older than 30 days from the outbox.\n"
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == ["weeks@symphony.test"]


def test_it_deletes_a_large_backlog_in_chunks(monkeypatch):
    from symphony_portal.mail.management.commands import prune_sent_mail

    monkeypatch.setattr(prune_sent_mail, "CHUNK", 4)
    for n in range(10):
        email(Status.SENT, days_ago=100, to=f"person{n}@symphony.test")
    email(Status.FAILED, days_ago=100, to="failed@symphony.test")
    assert prune_sent_mail.prune_sent() == 10
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == ["failed@symphony.test"]
