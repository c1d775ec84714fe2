from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from symphony_portal.trust import people_import, services


class Command(BaseCommand):
    help = (
        "Import people from a CSV file (the same as HR's upload page). Without --commit it only shows "
        "what would change; with --commit it writes everything in one transaction and invites new people."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help=(
                "Deactivate active people who are not in the file (they are never deleted). Refused for a "
                "file without rows, and for more than 10%% of the active people without --confirm-deactivate."
            ),
        )
        parser.add_argument(
            "--confirm-deactivate",
            type=int,
            metavar="N",
            dest="confirm_deactivate",
            help="With --deactivate-missing: the exact number of people it deactivates (as previewed).",
        )
        parser.add_argument(
            "--commit", action="store_true", help="Write the changes (default: preview only)."
        )

    def handle(
        self, *args, file: Path, deactivate_missing: bool, commit: bool, confirm_deactivate=None, **options
    ):
        if confirm_deactivate is not None and not deactivate_missing:
            raise CommandError("--confirm-deactivate goes with --deactivate-missing.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            text = people_import.decode(data)
            plan = people_import.plan(text)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

        for problem in plan.problems:
            self.stderr.write(f"Row {problem.row}: {problem.email or '(no email)'}: {problem.reason}")
        missing = f"{len(plan.missing)} not in the file" + (" (to deactivate)" if deactivate_missing else "")
        self.stdout.write(
            f"{plan.rows} row{pluralize(plan.rows)}: "
            f"{len(plan.to_create)} new, {len(plan.to_update)} updated, "
            f"{len(plan.unchanged)} unchanged, {missing}, "
            f"{len(plan.problems)} problem{pluralize(len(plan.problems))}."
        )
        if plan.has_problems:
            raise CommandError("Nothing was imported: fix the rows above and run the command again.")
        if deactivate_missing:
            for person, roles in plan.leavers:
                roles = roles or "no role"
                self.stdout.write(
                    f"To deactivate: {person.full_name} <{person.email}>, {roles}, {person.school_name}"
                )
            for person in plan.kept:
                self.stdout.write(f"Not deactivated (a trust administrator records their leaving): {person}.")
            try:
                services.check_deactivation(plan, confirmed_count=confirm_deactivate)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        if not commit:
            self.stdout.write("Preview only: nothing was written. Run again with --commit to import.")
            return
        record = services.upload_people_import(text, filename=file.name, by=None)
        try:
            record = services.confirm_people_import(
                record,
                deactivate_missing=deactivate_missing,
                by=None,
                confirmed_deactivate_count=confirm_deactivate,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Imported: {record.created_count} created, {record.updated_count} updated, "
            f"{record.deactivated_count} deactivated, {record.unchanged_count} unchanged; "
            f"{record.invitations_sent} invitation{pluralize(record.invitations_sent)} sent."
        )
        if record.invitation_problem:
            self.stderr.write(record.invitation_problem)
