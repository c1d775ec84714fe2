"""`send_acknowledgement_reminders` against a real SMTP server on loopback, outage included."""

import email
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from acknowledgements.management.commands.send_acknowledgement_reminders import Command
from acknowledgements.models import Reminder
from tests.conftest import SMTPServer

from .conftest import acknowledged

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("send_acknowledgement_reminders", *args, stdout=out)
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
    assert "Sent 3 reminders to people, 0 notes to Heads" in output
    assert set(Reminder.objects.values_list("recipient__email", flat=True)) == set(smtp_server.recipients)
    message = email.message_from_bytes(smtp_server.messages[0][2])
    assert message["Subject"] == f"Please acknowledge the {version.policy.title} 2024-2027"
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True)
    assert f"/acknowledgements/versions/{version.pk}/" in body.decode()

    assert "Nothing to send" in run()  # a second run the same day sends nothing twice
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
    assert f"would send reminder to {teacher.email}" in output
    assert "Dry run: would send 1 reminder to people" in output
    assert smtp_server.messages == [] and not Reminder.objects.exists()


def test_it_records_nothing_and_fails_loudly_when_the_server_is_down_then_catches_up(
    smtp_server, settings, version, teacher, governor, monkeypatch
):
    smtp_server.stop()
    with pytest.raises(CommandError, match="Nothing was recorded as sent: the next run will send all 2"):
        run()
    assert not Reminder.objects.exists()
    # As cron runs it: the exit status is not zero. (run_from_argv closes the database connections at
    # the end, which would end the test's transaction.)
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "send_acknowledgement_reminders"])
    assert exit_info.value.code != 0

    back = SMTPServer()
    back.start()
    try:
        settings.EMAIL_PORT = back.port
        assert "Sent 2 reminders" in run()
        assert sorted(back.recipients) == sorted([teacher.email, governor.email])
        assert Reminder.objects.count() == 2
    finally:
        back.stop()
