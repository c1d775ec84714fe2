"""An email backend that writes to the outbox, so Django's own mail (password resets, errors to the
admins) is delivered, retried and shown to HR like the portal's. It is ``EMAIL_BACKEND``; the delivery
task sends through ``PORTAL_SENDING_EMAIL_BACKEND`` (SMTP in production, the console in development)."""

from django.core.mail.backends.base import BaseEmailBackend

from . import outbox


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        """Write each message (one row per recipient) in the current transaction; none is sent here."""
        written = 0
        for message in email_messages:
            try:
                if outbox.queue(message, about=getattr(message, "about", "django")):
                    written += 1
            except Exception:
                if not self.fail_silently:
                    raise
        return written
