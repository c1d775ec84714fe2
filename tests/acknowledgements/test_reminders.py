"""`send_acknowledgement_reminders` queues; the outbox delivers to a real SMTP server, outage included."""

import email
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from acknowledgements.models import Reminder
from acknowledgements.services import plan_reminders
from symphony_portal.lib import emails
from symphony_portal.mail.models import OutgoingEmail
from tests.conftest import SMTPServer, deliver

from .conftest import acknowledged

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    """The command as cron runs it, then the delivery task as a worker runs it."""
    out = io.StringIO()
    call_command("send_acknowledgement_reminders", *args, stdout=out)
    deliver()
    return out.getvalue()


def reminded(person, version, *, times: int, days_ago: int = 8) -> None:
    for n in range(times):
        Reminder.objects.create(
            recipient=person, version=version, sent_at=timezone.now() - timedelta(days=days_ago + 7 * n)
        )


def test_it_reminds_each_outstanding_person_once_over_one_connection(
    smtp_server, version, teacher, colleague, governor, head
):
    acknowledged(version, colleague)
    output = run()
    assert sorted(smtp_server.recipients) == sorted([teacher.email, governor.email, head.email])
    assert smtp_server.connections == 1
    assert "Queued 3 reminders to people, 0 notes to Heads" in output
    assert set(Reminder.objects.values_list("recipient__email", flat=True)) == set(smtp_server.recipients)
    message = email.message_from_bytes(smtp_server.messages[0][2])
    assert message["Subject"] == f"Please acknowledge the {version.policy.title} 2024-2027"
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True)
    assert f"/acknowledgements/versions/{version.pk}/" in body.decode()

    assert "Nothing to queue" in run()  # a second run the same day sends nothing twice
    assert len(smtp_server.messages) == 3 and Reminder.objects.count() == 3


def test_it_reminds_again_only_after_the_interval(smtp_server, settings, version, teacher, colleague):
    settings.ACKNOWLEDGEMENT_REMINDER_DAYS = 7
    reminded(teacher, version, times=1, days_ago=6)
    reminded(colleague, version, times=1, days_ago=8)
    run()
    assert smtp_server.recipients == [colleague.email]


def test_it_tells_the_head_who_is_still_outstanding_after_m_reminders(
    smtp_server, settings, version, teacher, colleague, head, exec_head
):
    settings.ACKNOWLEDGEMENT_REMINDERS_BEFORE_HEAD = 2
    acknowledged(version, head, exec_head)
    reminded(teacher, version, times=2)
    reminded(colleague, version, times=1)
    output = run()
    assert "2 reminders to people, 1 note to Heads" in output
    (note,) = [m for m in smtp_server.messages if m[1] == [head.email]]
    text = note[2].decode()
    assert "Tess Teacher" in text and "Colin Colleague" not in text
    assert "/acknowledgements/compliance/schools/harmony-primary/" in text
    note_record = Reminder.objects.get(about=Reminder.About.SCHOOL)
    assert (note_record.recipient, note_record.school, note_record.outstanding_count) == (
        head,
        head.school,
        1,
    )
    run()  # nothing twice, to the Head either
    assert len(smtp_server.messages) == 3


def test_it_lists_what_it_would_send_on_a_dry_run_and_sends_nothing(smtp_server, version, teacher):
    output = run("--dry-run")
    assert f"would queue reminder to {teacher.email}" in output
    assert "Dry run: would queue 1 reminder to people" in output
    assert smtp_server.messages == [] and not Reminder.objects.exists()


def test_it_queues_without_the_mail_server_and_delivers_once_when_it_is_back(
    smtp_server, settings, version, teacher, governor
):
    smtp_server.stop()
    assert "Queued 2 reminders" in run()  # cron's run succeeds: the reminders wait in the outbox
    assert Reminder.objects.count() == 2
    assert OutgoingEmail.objects.filter(about="acknowledgement_reminder").exclude(status="sent").count() == 2
    assert "Nothing to queue" in run()  # a second run that day, mail still down: nothing new

    back = SMTPServer()
    back.start()
    try:
        settings.EMAIL_PORT = back.port
        deliver(now=timezone.now() + timedelta(hours=1))
        assert "Nothing to queue" in run()
        assert sorted(back.recipients) == sorted([teacher.email, governor.email])
        assert Reminder.objects.count() == 2
    finally:
        back.stop()


def test_it_only_queues_and_a_second_run_before_delivery_queues_nothing(smtp_server, version, teacher):
    out = io.StringIO()
    call_command("send_acknowledgement_reminders", stdout=out)
    call_command("send_acknowledgement_reminders", stdout=out)
    assert smtp_server.messages == []  # the command never talks to the mail server
    assert OutgoingEmail.objects.filter(to=teacher.email).count() == 1 and Reminder.objects.count() == 1
    deliver()
    assert smtp_server.recipients == [teacher.email]


def test_it_queues_each_reminder_once_when_two_runs_race(smtp_server, version, teacher, governor):
    # Both runs planned before either recorded anything (as two hosts' cron at the same second):
    # the dedupe keys keep the second from queueing the same emails.
    first, second = plan_reminders(), plan_reminders()
    emails.send_batch(first.messages, dedupe_keys=first.dedupe_keys)
    assert emails.send_batch(second.messages, dedupe_keys=second.dedupe_keys) == 0
    deliver()
    assert sorted(smtp_server.recipients) == sorted([teacher.email, governor.email])
