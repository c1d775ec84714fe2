"""Delete sent emails older than PORTAL_MAIL_KEEP_SENT_DAYS from the outbox (cron, daily).

A sent row keeps only who was sent what subject about what, and when (its text is cleared when it is
sent); past the keeping period it goes. Failed, retrying and queued rows are never touched: they are
either still to be sent or HR's to look at (the delivery page). The reminders' idempotency keys are per
day or per event, long over by then, so deleting a row never lets a reminder be queued twice.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.template.defaultfilters import pluralize
from django.utils import timezone

from symphony_portal.mail.models import OutgoingEmail

CHUNK = 1000  # rows per DELETE: a large backlog never holds a long lock


def prune_sent(*, now=None) -> int:
    """Delete sent rows whose sending is older than the keeping period; returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.PORTAL_MAIL_KEEP_SENT_DAYS)
    old_sent = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT, sent_at__lt=cutoff)
    deleted = 0
    while ids := list(old_sent.order_by("pk").values_list("pk", flat=True)[:CHUNK]):
        # The status is asked again by the DELETE itself: a row HR put back in the queue meanwhile stays.
        deleted += old_sent.filter(pk__in=ids).delete()[0]
    return deleted


class Command(BaseCommand):
    help = "Delete sent emails older than PORTAL_MAIL_KEEP_SENT_DAYS (never failed, retrying or queued ones)."

    def handle(self, *args, **options):
        deleted, days = prune_sent(), settings.PORTAL_MAIL_KEEP_SENT_DAYS
        self.stdout.write(
            f"Deleted {deleted} sent email{pluralize(deleted)} older than {days} days from the outbox."
        )
