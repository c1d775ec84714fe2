"""Add a policy to the library from a provider's document: its first version as a draft for HR's review.

    manage.py import_policy FILE --title "Staff Code of Conduct" [--label 2026-2029] [--review "autumn 2029"]
                            [--by hr@example.org] [--dry-run] [--allow-missing]

The same reading, checks and service as the web page (policies/importing.py, services.create_policy):
a file refused there is refused here with the same message, and nothing is created.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from policies import importing, services
from policies.models import Season
from symphony_portal.lib.terms import Term
from symphony_portal.trust.models import User


class Command(BaseCommand):
    help = "Add a policy from a Word document (.docx), text or Markdown file, as a draft for HR's review."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--title", required=True, help="The policy's title.")
        parser.add_argument(
            "--label", help="The first version's label (default: this year to three years on)."
        )
        parser.add_argument(
            "--review", help='When it is due for review, e.g. "autumn 2029" (default: in 3 years).'
        )
        parser.add_argument("--by", help="The email of the HR person adding it (recorded in the history).")
        parser.add_argument("--dry-run", action="store_true", help="Show what would be made; save nothing.")
        parser.add_argument(
            "--allow-missing",
            action="store_true",
            help="Create the draft even if the fidelity check misses text.",
        )

    def handle(self, *args, file: Path, title: str, **options):
        this_year = timezone.localdate().year
        label = options["label"] or f"{this_year}-{this_year + 3}"
        review_term = self._review_term(options["review"], default_year=this_year + 3)
        by = self._person(options["by"])
        try:
            document = importing.read_document(importing.read_path(file), filename=file.name)
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except ValidationError as error:
            raise CommandError(f"{file.name}: {error.messages[0]} Nothing was created.") from None

        fidelity = document.fidelity()
        self.stdout.write(
            f"{file.name}: {len(document.sections)} sections, {document.clause_count} clauses. "
            f"Fidelity: {fidelity.found} of {fidelity.total} sentences found in the clauses, in order."
        )
        for warning in document.warnings:
            self.stdout.write(f"Warning: {warning}")
        for sentence in fidelity.missing:
            self.stdout.write(f"Missing: {sentence}")
        if fidelity.missing and not options["allow_missing"]:
            raise CommandError(
                f"{len(fidelity.missing)} sentences are missing; nothing was created "
                "(--allow-missing creates the draft anyway)."
            )
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was created.")
            return
        try:
            draft = services.create_policy(
                title=title, label=label, review_term=review_term, document=document, by=by
            )
        except (ValidationError, PermissionDenied) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            raise CommandError(f"{message} Nothing was created.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Added the {draft.policy.title} with draft {draft.label} (only HR see it until it is "
                f"published): {draft.get_draft_url()}"
            )
        )

    def _review_term(self, value: str | None, *, default_year: int) -> Term:
        if not value:
            return Term(Season.AUTUMN, default_year)
        parts = value.lower().split()
        if len(parts) != 2 or parts[0] not in Season.values or not parts[1].isdigit():
            raise CommandError('Give the review term as a season and a year, e.g. --review "autumn 2029".')
        return Term(parts[0], int(parts[1]))

    def _person(self, email: str | None) -> User | None:
        if not email:
            return None
        person = User.objects.filter(email__iexact=email).first()
        if person is None:
            raise CommandError(f"Nobody has the email {email}.")
        return person
