"""`manage.py check_evidence [--repair]`: the evidence files in the store against the evidence rows.

Files are written only after a report's transaction commits, so the two agree unless the process stopped
between the commit and the write (a row without its file) or a file was put in the store by hand (a file
without a row). This lists both and exits 1 if there are any; `--repair` removes a row without its file
(with a note on the case's timeline, as when a write fails) and a file without a row. Rows younger than
`--grace-minutes` are left alone: their file may be being written at this very moment.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize
from django.utils import timezone

from reports import evidence, services
from reports.models import Evidence
from symphony_portal.lib.storage import private_storage


class Command(BaseCommand):
    help = "Compare the evidence files in the private storage with the evidence rows; --repair fixes both."

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="Remove rows without file, files without row."
        )
        parser.add_argument("--grace-minutes", type=int, default=10, help="Skip rows younger than this.")

    def handle(self, *args, repair: bool, grace_minutes: int, **options):
        try:
            _, stored = private_storage().listdir(evidence.FOLDER)
        except FileNotFoundError:
            stored = []
        stored = set(stored)
        cutoff = timezone.now() - timedelta(minutes=grace_minutes)
        rows = list(Evidence.objects.values_list("report_id", "stored_name", "uploaded_at"))
        known = {name for _, name, _ in rows}
        without_file = [(report, name) for report, name, at in rows if name not in stored and at < cutoff]
        without_row = sorted(stored - known)
        for report, name in without_file:
            self.stdout.write(f"Row without its file: evidence {name} of report id {report}")
        for name in without_row:
            self.stdout.write(f"File without a row: {evidence.FOLDER}/{name}")
        self.stdout.write(
            f"{len(rows)} evidence row{pluralize(len(rows))}, {len(stored)} file{pluralize(len(stored))}: "
            f"{len(without_file)} row{pluralize(len(without_file))} without a file, "
            f"{len(without_row)} file{pluralize(len(without_row))} without a row."
        )
        if not (without_file or without_row):
            return
        if not repair:
            raise CommandError("The evidence store and its rows differ: run again with --repair to fix it.")
        by_report: dict[int, list[str]] = {}
        for report, name in without_file:
            by_report.setdefault(report, []).append(name)
        for report, names in by_report.items():
            services.take_back_evidence(report, names, reason="were missing from the store")
        for name in without_row:
            private_storage().delete(f"{evidence.FOLDER}/{name}")
        self.stdout.write("Repaired: the evidence store and its rows agree.")
