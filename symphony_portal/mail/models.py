"""The outbox: one row per message per person, written in the transaction of the action that causes it.

A task (``symphony_portal.mail.tasks.deliver_mail``) sends the rows; the row says how it went: queued,
sent, retrying (the server said "try later" or the connection was lost: it is tried again after a
back-off) or failed (the server refused it for good: its answer is kept, and HR can try again).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self, now) -> "OutgoingEmailQuerySet":
        """Rows a worker may send now: waiting, their time come, and not held by another worker."""
        return self.filter(
            Q(status__in=[OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.RETRYING]),
            Q(next_attempt_at__lte=now),
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        )

    def needing_attention(self) -> "OutgoingEmailQuerySet":
        """What HR's delivery page lists: refused for good, or tried and not yet delivered."""
        return self.filter(status__in=[OutgoingEmail.Status.FAILED, OutgoingEmail.Status.RETRYING])


class OutgoingEmail(models.Model):
    """One email to one address, kept from the moment it is caused until the server accepts it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RETRYING = "retrying", "Retrying"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    created_at = models.DateTimeField(default=timezone.now)
    about = models.CharField(
        max_length=100, help_text="The email's template name, or django for Django's own."
    )
    to = models.CharField(max_length=320)
    from_email = models.CharField(max_length=320)
    subject = models.CharField(max_length=998)
    body = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    # Idempotency: a second reminder run (or two at once) writes nothing for a key already there.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker holds the rows it is sending until this time; if it dies, another takes them after it.
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    server_answer = models.TextField(blank=True, help_text="What the mail server said on the last attempt.")

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="mail_outgoing_due"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to} ({self.get_status_display()})"
