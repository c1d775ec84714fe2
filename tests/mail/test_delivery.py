"""The outbox against a real SMTP server on loopback, in each fault mode the issue names.

For each: every deliverable person gets exactly one message (a dropped connection may cost one
duplicate: the server had the message but its "250 OK" never reached us), the refused one is recorded
as failed with the server's answer, and a second run sends nothing new.
"""

import smtplib
from collections import Counter
from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone

from symphony_portal.mail import outbox
from symphony_portal.mail.models import OutgoingEmail
from tests.conftest import SMTPServer, deliver

pytestmark = pytest.mark.django_db

PEOPLE = 30
Status = OutgoingEmail.Status


def queue_people(n: int = PEOPLE) -> list[str]:
    addresses = [f"person{i:03d}@symphony.test" for i in range(n)]
    outbox.queue_all(
        (EmailMessage(subject=f"A note for {a}", body="Hello.", to=[a]), "test_note", None) for a in addresses
    )
    return addresses


def drain(*, rounds: int = 15) -> int:
    """Run deliveries as the follow-up tasks would, moving the clock past each back-off; returns runs."""
    now = timezone.now()
    for n in range(1, rounds + 1):
        deliver(now=now)
        if not OutgoingEmail.objects.filter(status__in=[Status.QUEUED, Status.RETRYING]).exists():
            return n
        now += timedelta(hours=7)  # past the longest back-off
    raise AssertionError(f"The outbox still holds mail after {rounds} deliveries")


def use(server: SMTPServer, settings) -> SMTPServer:
    server.start()
    settings.PORTAL_SENDING_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", server.port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    return server


@pytest.fixture
def servers():
    started = []
    yield started
    for server in started:
        server.stop()


def test_it_keeps_everything_while_the_server_is_down_and_sends_each_once_when_it_is_back(settings, servers):
    down = SMTPServer()
    servers.append(use(down, settings))
    down.stop()
    addresses = queue_people()
    run = deliver()
    assert run.server_unreachable and run.sent == 0
    # One message was tried (and waits for its back-off); the others were never tried: nothing lost.
    assert OutgoingEmail.objects.filter(status=Status.RETRYING).count() == 1
    assert OutgoingEmail.objects.filter(status=Status.QUEUED).count() == PEOPLE - 1
    assert "ConnectionRefusedError" in OutgoingEmail.objects.get(status=Status.RETRYING).server_answer

    up = SMTPServer()
    servers.append(use(up, settings))
    drain()
    assert Counter(up.recipients) == Counter(addresses)
    assert deliver(now=timezone.now() + timedelta(days=2)).sent == 0 and len(up.messages) == PEOPLE


def test_it_fails_the_refused_recipient_with_the_servers_answer_and_sends_everyone_else(settings, servers):
    addresses = queue_people()
    refused = addresses[5]
    server = use(SMTPServer(refuse={refused}), settings)
    servers.append(server)
    assert drain() == 1  # one run: the refusal holds nobody up
    assert Counter(server.recipients) == Counter(a for a in addresses if a != refused)
    failed = OutgoingEmail.objects.get(status=Status.FAILED)
    assert (failed.to, failed.attempts) == (refused, 1)
    assert failed.server_answer == "550 5.1.1 No such user here"
    assert server.connections == 1  # a refusal does not cost the connection
    assert deliver(now=timezone.now() + timedelta(days=2)).sent == 0 and len(server.messages) == PEOPLE - 1


def test_it_retries_after_421_and_sends_each_once(settings, servers):
    addresses = queue_people()
    server = use(SMTPServer(busy_after=7), settings)
    servers.append(server)
    runs = drain()
    assert Counter(server.recipients) == Counter(addresses)
    assert runs >= 2 and server.connections > 1
    retried = OutgoingEmail.objects.filter(attempts__gt=1)
    assert retried.exists() and all(e.status == Status.SENT for e in retried)
    assert "421" in retried.first().server_answer  # the last answer before it went is kept
    assert deliver(now=timezone.now() + timedelta(days=2)).sent == 0 and len(server.messages) == PEOPLE


def test_it_survives_dropped_connections_with_at_most_one_duplicate_each(settings, servers):
    addresses = queue_people()
    server = use(SMTPServer(drop_after=7), settings)
    servers.append(server)
    drain()
    received = Counter(server.recipients)
    assert set(received) == set(addresses)  # everyone got it
    duplicates = sum(n - 1 for n in received.values())
    assert server.drops >= 1 and duplicates <= server.drops  # documented: at most one per drop
    assert all(n <= 2 for n in received.values())
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == PEOPLE
    before = len(server.messages)
    assert deliver(now=timezone.now() + timedelta(days=2)).sent == 0 and len(server.messages) == before


def test_it_sends_each_once_through_a_slow_relay(settings, servers):
    addresses = queue_people()
    server = use(SMTPServer(delay=0.012), settings)
    servers.append(server)
    assert drain() == 1
    assert Counter(server.recipients) == Counter(addresses)
    assert server.connections == 1
    assert deliver().sent == 0 and len(server.messages) == PEOPLE


def test_it_gives_up_after_the_last_try_and_says_so(settings, servers):
    settings.PORTAL_MAIL_MAX_ATTEMPTS = 3
    down = SMTPServer()
    servers.append(use(down, settings))
    down.stop()
    queue_people(1)
    now = timezone.now()
    for _ in range(3):
        deliver(now=now)
        now += timedelta(hours=7)
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts) == (Status.FAILED, 3)
    assert "gave up after 3 tries" in email.server_answer


@pytest.mark.parametrize(
    ("error", "outcome", "answer"),
    [
        (smtplib.SMTPRecipientsRefused({"a@x.test": (550, b"5.1.1 unknown")}), "fail", "550 5.1.1 unknown"),
        (smtplib.SMTPRecipientsRefused({"a@x.test": (451, b"4.3.0 later")}), "retry", "451 4.3.0 later"),
        (smtplib.SMTPDataError(554, b"5.7.1 spam"), "fail", "554 5.7.1 spam"),
        (smtplib.SMTPDataError(452, b"4.2.2 mailbox full"), "retry", "452 4.2.2 mailbox full"),
        (smtplib.SMTPSenderRefused(421, b"4.7.0 closing", "from@x.test"), "retry", "421 4.7.0 closing"),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), "retry", "535 bad credentials"),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), "retry", None),
        (TimeoutError("timed out"), "retry", None),
        (ValueError("Header values may not contain linefeed"), "fail", None),
    ],
)
def test_it_tells_a_temporary_failure_from_a_permanent_one(error, outcome, answer):
    got, text, _reconnect = outbox.classify(error, "a@x.test")
    assert got == outcome
    if answer:
        assert text == answer


def test_it_doubles_the_wait_between_tries_up_to_six_hours(settings):
    settings.PORTAL_MAIL_RETRY_SECONDS = 60
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert outbox.backoff(20) == timedelta(hours=6)


def test_it_never_sends_a_row_another_worker_holds(settings, servers):
    server = use(SMTPServer(), settings)
    servers.append(server)
    queue_people(3)
    held = OutgoingEmail.objects.order_by("pk").first()
    OutgoingEmail.objects.filter(pk=held.pk).update(
        claimed_by="other", claimed_until=timezone.now() + timedelta(minutes=5)
    )
    deliver()
    assert held.to not in server.recipients and len(server.messages) == 2
    # The other worker died: once its hold ends, its row is sent.
    deliver(now=timezone.now() + timedelta(minutes=6))
    assert server.recipients.count(held.to) == 1


def test_a_claim_takes_the_longest_due_rows_whichever_their_status(monkeypatch):
    """A batch is the CLAIM_BATCH rows due longest, queued and retrying alike, and never one held by
    another worker, sent, failed or not yet due."""
    monkeypatch.setattr(outbox, "CLAIM_BATCH", 3)
    queue_people(8)
    now = timezone.now()
    rows = list(OutgoingEmail.objects.order_by("pk"))
    due_since = {  # minutes ago; retrying rows interleaved with queued ones
        0: (Status.QUEUED, 5),
        1: (Status.RETRYING, 50),
        2: (Status.QUEUED, 40),
        3: (Status.RETRYING, 30),
        4: (Status.SENT, 90),
        5: (Status.FAILED, 80),
        6: (Status.RETRYING, -10),  # its next try is still to come
        7: (Status.QUEUED, 60),
    }
    for n, (status, minutes) in due_since.items():
        OutgoingEmail.objects.filter(pk=rows[n].pk).update(
            status=status, next_attempt_at=now - timedelta(minutes=minutes)
        )
    OutgoingEmail.objects.filter(pk=rows[7].pk).update(  # held by another worker
        claimed_by="other", claimed_until=now + timedelta(minutes=5)
    )
    claimed = outbox._claim("me", now)
    assert [row.pk for row in claimed] == [rows[1].pk, rows[2].pk, rows[3].pk]
    assert [row.pk for row in outbox._claim("me-too", now)] == [rows[0].pk]


def test_django_mail_goes_through_the_outbox(
    client, teacher, django_capture_on_commit_callbacks, smtp_server, immediate_tasks
):
    client.post("/accounts/password_reset/", {"email": teacher.email})
    email = OutgoingEmail.objects.get()
    assert (email.to, email.about, email.status) == (teacher.email, "django", Status.QUEUED)
    assert "/accounts/reset/" in email.body
    assert smtp_server.connections == 0  # the request did not talk to the mail server
    deliver()
    assert smtp_server.recipients == [teacher.email]
    assert b"/accounts/reset/" in smtp_server.messages[0][2]
    # Once delivered, the reset link no longer sits in the database; the record of the email stays.
    email.refresh_from_db()
    assert (email.status, email.body, email.html, email.to) == (Status.SENT, "", "", teacher.email)


def test_errors_mailed_to_the_admins_go_through_the_outbox_too(settings, smtp_server):
    from django.core.mail import mail_admins

    settings.ADMINS = [("Ops", "ops@symphony.test")]
    mail_admins("Server error", "Traceback ...")
    email = OutgoingEmail.objects.get()
    assert (email.to, email.about, email.status) == ("ops@symphony.test", "django", Status.QUEUED)
    assert email.subject.endswith("Server error")
    deliver()
    assert smtp_server.recipients == ["ops@symphony.test"]


def test_it_records_accepted_messages_together_not_one_update_each(settings, servers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    addresses = queue_people(60)
    server = use(SMTPServer(refuse={"person007@symphony.test"}), settings)
    servers.append(server)
    with CaptureQueriesContext(connection) as queries:
        run = deliver()
    assert (run.sent, run.failed) == (59, 1)
    assert Counter(server.recipients) == Counter(a for a in addresses if a != "person007@symphony.test")
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    sent_updates = [sql for sql in updates if "'sent'" in sql or "sent_at" in sql]
    # Two batches (50 + 10): the first recorded as sent at 25 and 50 accepted messages, the second at its
    # end; the refusal on its own; the two claims. One UPDATE per message was 60.
    assert len(sent_updates) == 3, sent_updates
    assert len(updates) == 3 + 1 + 2, updates
    sent = OutgoingEmail.objects.filter(status=Status.SENT)
    assert sent.count() == 59
    assert not sent.exclude(body="").exists() and not sent.filter(sent_at=None).exists()
    assert set(sent.values_list("attempts", "claimed_by", "claimed_until").distinct()) == {(1, "", None)}
    refused = OutgoingEmail.objects.get(to="person007@symphony.test")
    assert refused.status == Status.FAILED and refused.server_answer.startswith("550")


class Killed(BaseException):
    """The worker's process killed outright (SIGKILL): nothing after this point runs, not even `finally`."""


def test_a_killed_worker_leaves_at_most_record_every_messages_to_be_sent_again(
    settings, servers, monkeypatch
):
    from django.core.mail.backends.smtp import EmailBackend

    addresses = queue_people(60)
    server = use(SMTPServer(), settings)
    servers.append(server)
    killed_after = outbox.RECORD_EVERY + 12  # sent, of which the last 12 not yet recorded
    real_record_sent, real_send = outbox._record_sent, EmailBackend.send_messages
    state = {"sent": 0, "dead": False}

    def record_sent(*args):
        if not state["dead"]:  # a dead process writes nothing more
            real_record_sent(*args)

    def send_messages(self, messages):
        if state["sent"] == killed_after:
            state["dead"] = True
            raise Killed
        state["sent"] += len(messages)
        return real_send(self, messages)

    monkeypatch.setattr(outbox, "_record_sent", record_sent)
    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    with pytest.raises(Killed):
        deliver()
    monkeypatch.undo()
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == outbox.RECORD_EVERY
    # The dead worker's batch (the first CLAIM_BATCH rows) is held until its lease ends: only the rest go...
    assert deliver().sent == 60 - outbox.CLAIM_BATCH
    run = deliver(now=timezone.now() + outbox.lease() + timedelta(minutes=1))  # ...then another sends them
    received = Counter(server.recipients)
    assert set(received) == set(addresses) and all(n <= 2 for n in received.values())
    duplicates = sum(n - 1 for n in received.values())
    assert duplicates == 12 <= outbox.RECORD_EVERY  # documented: at most RECORD_EVERY per killed worker
    assert run.sent == outbox.CLAIM_BATCH - outbox.RECORD_EVERY  # the 12 sent unrecorded, the 13 never sent
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == 60
