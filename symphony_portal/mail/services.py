"""HR's action on the outbox: trying an email again."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import outbox
from .models import OutgoingEmail
from .permissions import check_can_see_mail_delivery

logger = logging.getLogger(__name__)


@transaction.atomic
def try_again(email: OutgoingEmail, *, by) -> OutgoingEmail:
    """Queue a failed or retrying email again now, with a fresh count of tries (HR's "try again")."""
    check_can_see_mail_delivery(by)
    email = OutgoingEmail.objects.select_for_update().get(pk=email.pk)
    if email.status not in (OutgoingEmail.Status.FAILED, OutgoingEmail.Status.RETRYING):
        raise ValidationError(
            f"This email is {email.get_status_display().lower()}: there is nothing to try again."
        )
    email.status, email.attempts, email.next_attempt_at = OutgoingEmail.Status.QUEUED, 0, timezone.now()
    email.claimed_by, email.claimed_until = "", None
    email.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_by", "claimed_until"])
    outbox.request_delivery()
    logger.info("Email %s to %s queued again by %s", email.pk, email.to, by)
    return email
