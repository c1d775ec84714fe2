"""Writing emails into the outbox, and delivering what is due.

``queue`` turns each email into one row per recipient, in the caller's transaction, and asks for a
delivery task: a rolled-back action emails nobody, and a committed one is sent even if the web process
dies the next moment. ``deliver_due`` (run by the task) sends due rows over one SMTP connection:

- the server accepts: sent;
- it answers 4xx, or the connection is lost or cannot be opened: retrying, after a back-off that doubles
  each time (``PORTAL_MAIL_RETRY_SECONDS``, ``PORTAL_MAIL_MAX_ATTEMPTS`` tries in all, then failed);
- it answers 5xx (the address does not exist, the message is refused): failed, with the server's answer,
  and the next person's message goes on as if nothing happened.

Two workers never send the same row: each claims a batch of due rows (``SELECT ... FOR UPDATE SKIP
LOCKED``, then marks them as held for a lease) and only the holder may mark them sent. A worker that dies
mid-batch leaves its rows held until the lease ends; another worker then sends them.

Speed: a batch goes over one connection, and the messages the server accepted are recorded together, one
UPDATE (one commit) per ``RECORD_EVERY`` messages and at the end of each batch, instead of one per
message; a refusal or a retry is recorded at once, on its own (it carries the server's answer).

Duplicates, the two cases: the server received a message but the connection dropped before its "250 OK"
reached us, so we cannot know it arrived and send it again (at most one duplicate per dropped connection;
the messages sent before the drop are recorded as sent). And a worker killed outright (SIGKILL, the host
lost) between sending and recording: the messages it had sent but not yet recorded, at most
``RECORD_EVERY`` of them, are sent again by the worker that takes its rows over after the lease. A worker
asked to stop (SIGTERM) finishes its task, so records everything.
"""

import hashlib
import logging
import smtplib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import OperationalError, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from symphony_portal.lib.db import writing_atomic

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

CLAIM_BATCH = 50  # rows a worker holds at once: a dead worker delays at most these until its lease ends
# Accepted messages recorded as sent in one UPDATE: the most a killed worker can leave sent but unrecorded.
RECORD_EVERY = 25
KEY_LENGTH = OutgoingEmail._meta.get_field("dedupe_key").max_length


def _key_for(dedupe_key: str | None, address: str) -> str | None:
    if not dedupe_key:
        return None
    key = f"{dedupe_key}:{address.lower()}"
    # Long keys (long addresses) are hashed: still unique, and they fit the column.
    return key if len(key) <= KEY_LENGTH else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def rows_for(message: EmailMessage, *, about: str, dedupe_key: str | None = None) -> list[OutgoingEmail]:
    """One unsaved outbox row per recipient of ``message`` (to, cc and bcc each get their own copy)."""
    if message.attachments:
        raise ValueError("The outbox does not carry attachments: link to the portal instead.")
    html = next(
        (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), ""
    )
    body = message.body
    if message.content_subtype == "html":
        html, body = message.body, ""
    recipients = list(dict.fromkeys(message.recipients()))
    return [
        OutgoingEmail(
            about=about[:100],
            to=address,
            from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
            subject=message.subject,
            body=body,
            html=html,
            headers=dict(message.extra_headers),
            reply_to=list(message.reply_to),
            dedupe_key=_key_for(dedupe_key, address),
        )
        for address in recipients
    ]


def queue_rows(rows: list[OutgoingEmail]) -> int:
    """Write outbox rows in the current transaction and ask for their delivery; returns how many were new.

    A row whose ``dedupe_key`` is already in the outbox is skipped (whether or not it was sent).
    """
    if not rows:
        return 0
    keys = [row.dedupe_key for row in rows if row.dedupe_key]
    with transaction.atomic():
        existing = set()
        if keys:
            for start in range(0, len(keys), 500):
                existing |= set(
                    OutgoingEmail.objects.filter(dedupe_key__in=keys[start : start + 500]).values_list(
                        "dedupe_key", flat=True
                    )
                )
        new = [row for row in rows if not row.dedupe_key or row.dedupe_key not in existing]
        # ignore_conflicts: a run racing this one may have written the same key a moment ago.
        OutgoingEmail.objects.bulk_create(new, batch_size=500, ignore_conflicts=bool(keys))
        request_delivery()
    return len(new)


def queue(message: EmailMessage, *, about: str, dedupe_key: str | None = None) -> int:
    """Put one email in the outbox (one row per recipient); returns the number of rows written."""
    return queue_rows(rows_for(message, about=about, dedupe_key=dedupe_key))


def _delivery_task():
    from .tasks import deliver_mail

    return deliver_mail.using(backend=settings.PORTAL_MAIL_TASK_BACKEND)


def _runs_inline(task) -> bool:
    from django_tasks.backends.immediate import ImmediateBackend

    return isinstance(task.get_backend(), ImmediateBackend)


def enqueue(task, *args, **kwargs) -> None:
    """Enqueue a mail task (on ``PORTAL_MAIL_TASK_BACKEND``) in the current transaction: it exists only
    if the transaction commits, and survives the web process dying the moment after.

    A backend that runs tasks at once (the immediate backend, in tests) would run it before the commit:
    there it is enqueued when the transaction commits instead.
    """
    task = task.using(backend=settings.PORTAL_MAIL_TASK_BACKEND)
    if _runs_inline(task):
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs), robust=True)
    else:
        task.enqueue(*args, **kwargs)


def request_delivery() -> None:
    """Ask for a delivery task (see ``enqueue``)."""
    from .tasks import deliver_mail

    enqueue(deliver_mail)


# --- Delivery -----------------------------------------------------------------------------------------


@dataclass
class DeliveryRun:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    server_unreachable: bool = False
    answers: list[str] = field(default_factory=list)


class _Outcome:
    SENT, RETRY, FAIL = "sent", "retry", "fail"


def _answer(code: int | None, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip() if code else str(text)


def classify(error: Exception, address: str) -> tuple[str, str, bool]:
    """(outcome, the server's answer, whether the connection must be opened again) for a failed send."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = error.recipients.get(address, next(iter(error.recipients.values()), (None, str(error))))
        return (_Outcome.FAIL if 500 <= (code or 0) < 600 else _Outcome.RETRY), _answer(code, text), False
    if isinstance(error, smtplib.SMTPAuthenticationError):
        # Our credentials, not this message: never fail a person's email for it.
        return _Outcome.RETRY, _answer(error.smtp_code, error.smtp_error), True
    if isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        outcome = _Outcome.FAIL if 500 <= code < 600 else _Outcome.RETRY
        return outcome, _answer(code, error.smtp_error), outcome == _Outcome.RETRY
    if isinstance(error, (smtplib.SMTPException, OSError)):  # disconnected, refused, timed out, reset
        return _Outcome.RETRY, f"{error.__class__.__name__}: {error}".strip(": "), True
    # Anything else is about this message (an address Python cannot encode, say): it will never go.
    return _Outcome.FAIL, f"{error.__class__.__name__}: {error}", False


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` tries: doubling, at most six hours."""
    return timedelta(seconds=min(settings.PORTAL_MAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0), 6 * 3600))


def lease() -> timedelta:
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or 30
    return timedelta(seconds=max(300, CLAIM_BATCH * timeout))


def _claim(worker: str, now: datetime) -> list[OutgoingEmail]:
    """Hold a batch of due rows for this worker; rows another worker has locked or holds are skipped."""
    for attempt in range(5):
        try:
            with writing_atomic():  # SQLite: waits for a writer (the reminders' command) instead of failing
                rows = list(
                    OutgoingEmail.objects.due(now)
                    .select_for_update(skip_locked=True)
                    .order_by("next_attempt_at", "pk")[:CLAIM_BATCH]
                )
                if not rows:
                    return []
                # The condition is checked again by the UPDATE itself, so that where row locks do not
                # exist (SQLite) two workers still cannot both hold a row.
                held = (
                    OutgoingEmail.objects.due(now)
                    .filter(pk__in=[row.pk for row in rows])
                    .update(claimed_by=worker, claimed_until=now + lease())
                )
            if held == len(rows):  # all of them ours (always so with row locks): no need to read them again
                return rows
            return list(
                OutgoingEmail.objects.filter(pk__in=[row.pk for row in rows], claimed_by=worker).order_by(
                    "next_attempt_at", "pk"
                )
            )
        except OperationalError:  # SQLite: another writer got there first; take the next batch
            if attempt == 4:
                raise
    return []


def _release(rows: list[OutgoingEmail], worker: str) -> None:
    OutgoingEmail.objects.filter(pk__in=[r.pk for r in rows], claimed_by=worker).update(
        claimed_by="", claimed_until=None
    )


def _done_fields(now: datetime) -> dict:
    return {"attempts": F("attempts") + 1, "last_attempt_at": now, "claimed_by": "", "claimed_until": None}


def _record_sent(ids: list[int], worker: str, now: datetime) -> None:
    """Mark the messages the server accepted as sent, in one UPDATE (only rows this worker still holds).

    server_answer keeps what the server said on an earlier try (why it took more than one). The text
    goes: it may hold a sign-in link (a password reset, an invitation) that must not outlive its delivery
    in the database; who was sent what about what stays.
    """
    if ids:
        OutgoingEmail.objects.filter(pk__in=ids, claimed_by=worker).update(
            **_done_fields(now), status=OutgoingEmail.Status.SENT, sent_at=now, body="", html=""
        )


def _record(row: OutgoingEmail, worker: str, outcome: str, answer: str, now: datetime) -> None:
    """Record one message's try that the server did not accept: retrying after a back-off, or failed."""
    attempts = row.attempts + 1
    fields = _done_fields(now)
    if outcome == _Outcome.RETRY and attempts < settings.PORTAL_MAIL_MAX_ATTEMPTS:
        fields.update(
            status=OutgoingEmail.Status.RETRYING,
            next_attempt_at=now + backoff(attempts),
            server_answer=answer,
        )
    else:
        if outcome == _Outcome.RETRY:
            answer = f"{answer} (gave up after {attempts} tries)"
        fields.update(status=OutgoingEmail.Status.FAILED, server_answer=answer)
        logger.warning("Email %s to %s failed: %s", row.pk, row.to, answer)
    OutgoingEmail.objects.filter(pk=row.pk, claimed_by=worker).update(**fields)


def message_of(row: OutgoingEmail) -> EmailMessage:
    """The email a row stands for, addressed to its one recipient."""
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=row.from_email,
        to=[row.to],
        headers=row.headers or None,
        reply_to=row.reply_to or None,
    )
    if row.html:
        message.attach_alternative(row.html, "text/html")
    return message


def _close(connection) -> None:
    try:
        connection.close()
    except Exception:  # a connection that broke cannot always say goodbye
        logger.debug("Closing a broken mail connection failed", exc_info=True)


def deliver_due(*, now: datetime | None = None) -> DeliveryRun:
    """Send every due outbox row (over one connection, opened again when it breaks); see the module doc.

    ``now`` fixes the clock (tests); otherwise each batch reads the time.
    """
    run = DeliveryRun()
    worker = uuid.uuid4().hex
    connection = None
    sent: list[int] = []  # accepted by the server, not yet recorded (see RECORD_EVERY)

    def record_sent() -> None:
        _record_sent(sent, worker, now or timezone.now())
        sent.clear()

    try:
        while not run.server_unreachable:
            current = now or timezone.now()
            rows = _claim(worker, current)
            if not rows:
                break
            margin = lease() / 5
            for position, row in enumerate(rows):
                moment = now or timezone.now()
                if moment >= current + lease() - margin:  # our hold is ending: let another worker take over
                    record_sent()
                    _release(rows[position:], worker)
                    break
                if connection is None:
                    connection = get_connection(settings.PORTAL_SENDING_EMAIL_BACKEND, fail_silently=False)
                    try:
                        connection.open()
                    except Exception as error:  # the server is down or will not talk to us
                        outcome, answer, _ = classify(error, row.to)
                        _record(row, worker, _Outcome.RETRY, answer, moment)
                        run.retrying += 1
                        run.server_unreachable = True
                        run.answers.append(answer)
                        _release(rows[position + 1 :], worker)
                        connection = None
                        break
                try:
                    connection.send_messages([message_of(row)])
                except Exception as error:
                    outcome, answer, reconnect = classify(error, row.to)
                    run.answers.append(answer)
                    if reconnect:
                        _close(connection)
                        connection = None
                else:
                    sent.append(row.pk)
                    run.sent += 1
                    if len(sent) >= RECORD_EVERY:
                        record_sent()
                    continue
                _record(row, worker, outcome, answer, moment)
                if outcome == _Outcome.FAIL:
                    run.failed += 1
                else:
                    run.retrying += 1
            record_sent()  # before the next claim: a batch is recorded before another is taken
    finally:
        try:
            record_sent()  # whatever ended the run (an error, the database gone), what was sent is said so
        finally:
            if connection is not None:
                _close(connection)
    schedule_follow_up(now=now or timezone.now(), server_unreachable=run.server_unreachable)
    logger.info(
        "Mail delivery: %s sent, %s to retry, %s failed%s",
        run.sent,
        run.retrying,
        run.failed,
        " (the mail server could not be reached)" if run.server_unreachable else "",
    )
    return run


def schedule_follow_up(*, now: datetime, server_unreachable: bool = False) -> None:
    """Enqueue one delivery for when the next waiting row is due (a retry, or a dead worker's lease).

    Only for backends that can wait (the database one); an equal or earlier delivery already waiting is
    enough. A server that could not be reached is tried again no sooner than one back-off step later.
    """
    waiting = OutgoingEmail.objects.filter(
        status__in=[OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.RETRYING]
    )
    free = waiting.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    times = [
        free.aggregate(at=Min("next_attempt_at"))["at"],
        waiting.filter(claimed_until__gte=now).aggregate(at=Min("claimed_until"))["at"],
    ]
    times = [t for t in times if t is not None]
    if not times:
        return
    wake = max(min(times), now + (backoff(1) if server_unreachable else timedelta(seconds=1)))
    task = _delivery_task()
    backend = task.get_backend()
    if not backend.supports_defer:
        return
    from django_tasks_db.models import DBTaskResult, get_date_max

    already = DBTaskResult.objects.filter(
        status="READY", task_path=task.module_path, backend_name=backend.alias
    ).filter(Q(run_after__lte=wake) | Q(run_after=get_date_max()))
    if not already.exists():
        task.using(run_after=wake).enqueue()


def queue_all(messages: Iterable[tuple[EmailMessage, str, str | None]]) -> int:
    """Put many emails in the outbox at once: (message, about, dedupe key) each; returns rows written."""
    rows = []
    for message, about, dedupe_key in messages:
        rows += rows_for(message, about=about, dedupe_key=dedupe_key)
    return queue_rows(rows)
