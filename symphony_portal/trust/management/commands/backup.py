"""`manage.py backup DEST`: one archive of the database and the private files (see lib/backup.py)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from symphony_portal.lib import backup


class Command(BaseCommand):
    help = (
        "Write one .tar.gz archive of the database (pg_dump, or SQLite's backup API) and the private files "
        "(evidence, exports), with a manifest of SHA-256 checksums. DEST is a folder (the archive is named "
        "by date and time) or the archive's file name."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path, metavar="DEST")

    def handle(self, *args, destination: Path, **options):
        started = time.monotonic()
        try:
            summary = backup.backup(destination)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backup written: {summary.path} ({summary.size:,} bytes; {summary.tables} tables, "
            f"{summary.rows:,} rows; {summary.files} private files) in {time.monotonic() - started:.1f} s."
        )
