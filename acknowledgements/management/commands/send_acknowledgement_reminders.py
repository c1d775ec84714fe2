from django.conf import settings
from django.core.management.base import BaseCommand

from acknowledgements.services import plan_reminders, queue_reminders


class Command(BaseCommand):
    help = (
        "Queue a reminder to each person who has not acknowledged the current policy (at most once every "
        "ACKNOWLEDGEMENT_REMINDER_DAYS days), and a note to Heads about who is still outstanding after "
        "ACKNOWLEDGEMENT_REMINDERS_BEFORE_HEAD reminders. The outbox delivers them. For cron; safe to run "
        "as often as you like, on several hosts at once. Queued in parts, each committed on its own, so "
        "the outbox starts sending while the rest are written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be queued; queue nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        plan = plan_reminders(with_messages=False) if dry_run else queue_reminders(in_parts=True)
        summary = (
            f"{plan.people} reminder{'s' if plan.people != 1 else ''} to people, "
            f"{plan.heads} note{'s' if plan.heads != 1 else ''} to Heads "
            f"(every {settings.ACKNOWLEDGEMENT_REMINDER_DAYS} days; Heads told after "
            f"{settings.ACKNOWLEDGEMENT_REMINDERS_BEFORE_HEAD} reminders)"
        )
        if dry_run:
            for line in plan.lines:
                self.stdout.write(f"would queue {line}")
            self.stdout.write(f"Dry run: would queue {summary}. Nothing queued, nothing recorded.")
            return
        if not plan.messages:
            self.stdout.write("Nothing to queue: nobody is due a reminder.")
            return
        self.stdout.write(f"Queued {summary}; the outbox delivers them.")
