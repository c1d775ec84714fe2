"""`manage.py restore ARCHIVE`: check a backup whole, then load it into an empty database."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from symphony_portal.lib import backup


class Command(BaseCommand):
    help = (
        "Restore an archive made by `backup`: every file is checked against the manifest's SHA-256 first "
        "(a damaged, changed or incomplete archive is refused and nothing is touched), then the database "
        "and the private files are loaded. The database must be empty (no tables) unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, metavar="ARCHIVE")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace everything in a database (and private files folder) that is not empty.",
        )

    def handle(self, *args, archive: Path, replace: bool, **options):
        started = time.monotonic()
        if not archive.is_file():
            raise CommandError(f"{archive} is not a file.")
        try:
            counts = backup.restore(archive, replace=replace)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {archive}: {len(counts)} tables, {sum(counts.values()):,} rows, the same as when it "
            f"was made, in {time.monotonic() - started:.1f} s."
        )
