import smtplib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from acknowledgements.services import plan_reminders, send_reminders


class Command(BaseCommand):
    help = (
        "Email each person who has not acknowledged the current policy (at most once every "
        "ACKNOWLEDGEMENT_REMINDER_DAYS days), and tell Heads who is still outstanding after "
        "ACKNOWLEDGEMENT_REMINDERS_BEFORE_HEAD reminders. For cron; safe to run as often as you like."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be sent; send nothing.")

    def handle(self, *args, dry_run=False, **options):
        plan = plan_reminders()
        summary = (
            f"{plan.people} reminder{'s' if plan.people != 1 else ''} to people, "
            f"{plan.heads} note{'s' if plan.heads != 1 else ''} to Heads "
            f"(every {settings.ACKNOWLEDGEMENT_REMINDER_DAYS} days; Heads told after "
            f"{settings.ACKNOWLEDGEMENT_REMINDERS_BEFORE_HEAD} reminders)"
        )
        if dry_run:
            for line in plan.lines:
                self.stdout.write(f"would send {line}")
            self.stdout.write(f"Dry run: would send {summary}. Nothing sent, nothing recorded.")
            return
        if not plan.messages:
            self.stdout.write("Nothing to send: nobody is due a reminder.")
            return
        try:
            send_reminders(plan)
        except (OSError, smtplib.SMTPException) as error:
            # Nothing was recorded, so the next run sends every one of these again.
            raise CommandError(
                f"The mail server could not be reached or refused the reminders ({error}). "
                f"Nothing was recorded as sent: the next run will send all {len(plan.messages)}."
            ) from error
        self.stdout.write(f"Sent {summary}.")
