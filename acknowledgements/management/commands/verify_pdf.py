from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from symphony_portal.lib.pdf import verify_pdf

# Exit codes, so that scripts can tell the cases apart.
INTACT = 0
CHANGED = 1
UNTRUSTED = 2
UNSIGNED = 3


class Command(BaseCommand):
    help = (
        "Check an exported PDF's digital signature: whether it is intact, covers the whole file, and who "
        "signed it. Exit status: 0 signed and unchanged, 1 changed since signing (or not a readable PDF), "
        "2 unchanged but not signed with the trust's certificate, 3 unsigned."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The PDF to check.")
        parser.add_argument(
            "--trust-root",
            action="append",
            dest="trust_roots",
            metavar="CERT",
            help="A certificate (PEM or DER) to trust; repeatable. Default: SYMPHONY_SIGNING_CERT.",
        )

    def handle(self, *args, file, trust_roots, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        check = verify_pdf(path, trust_roots=trust_roots)
        code, message = self.verdict(path.name, check)
        style = self.style.SUCCESS if code == INTACT else self.style.ERROR
        self.stdout.write(style(message))
        if code != INTACT:
            raise SystemExit(code)

    @staticmethod
    def verdict(name: str, check) -> tuple[int, str]:
        problems = " ".join(check.problems)
        if not check.readable:
            return CHANGED, f"BROKEN: {name}: {problems}"
        if not check.signed:
            return (
                UNSIGNED,
                f"UNSIGNED: {name} carries no digital signature, so it cannot be checked for changes.",
            )
        signed = f"signed by {check.signer or 'an unknown signer'}"
        if check.signed_at:
            signed += f" on {check.signed_at:%-d %B %Y at %H:%M %Z}"
        if not check.unchanged:
            return CHANGED, f"CHANGED: {name} was {signed}. {problems}"
        if not check.trusted:
            return UNTRUSTED, f"UNTRUSTED: {name} is unchanged since it was {signed}. {problems}"
        return INTACT, f"INTACT: {name} is unchanged since it was {signed}, with the trust's certificate."
