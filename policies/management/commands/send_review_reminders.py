from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from policies import services


class Command(BaseCommand):
    help = (
        "Queue for HR the policy review reminders due today: 90, 30 and 7 days before each review term "
        "starts, then every 14 days while the review is overdue. Each is queued once (the outbox delivers "
        "it, retrying while the mail server is away); run it daily from cron, on any number of hosts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would be sent; send nothing.")
        parser.add_argument(
            "--today", type=date.fromisoformat, help="Run as on this day (YYYY-MM-DD) instead of today."
        )

    def handle(self, *args, dry_run: bool = False, today: date | None = None, **options):
        today = today or timezone.localdate()
        try:
            run = services.send_review_reminders(today=today, dry_run=dry_run)
        except services.ReminderDeliveryError as failure:
            self.stdout.write(failure.run.summary(dry_run=False))
            raise CommandError(
                f"Review reminders could not be queued: {failure.error}. The reminders not queued were not "
                "recorded; the next run queues them."
            ) from failure
        for reminder in run.sent:
            prefix = "Would queue" if dry_run else "Queued"
            self.stdout.write(
                f"{prefix}: {reminder.version} - {reminder.get_kind_display()} (due {reminder.due_on})"
            )
        self.stdout.write(run.summary(dry_run=dry_run))
