"""Make the signed-off review pack of a policy version, off the request path.

    python manage.py build_signoff_pack --job <id>          # a pack HR asked for on the portal
    python manage.py build_signoff_pack --version <pk> [--output FILE]   # from a shell or cron

With --job the file goes to PRIVATE_MEDIA_ROOT/exports/ and the job is marked done or failed (HR's page
shows which). With --version the file is written (atomically) to --output, or to the exports folder under
its usual name, and the export is recorded. Either way a failed render leaves no file.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from acknowledgements.pack import build_pack_for_job, build_signoff_pack, exports_dir
from policies import services as policy_services
from policies.models import ExportKind, PackJob, PolicyVersion
from symphony_portal.lib.pdf import PDFRenderError, PDFSigningError, write_atomically


class Command(BaseCommand):
    help = "Make the signed-off review pack (PDF/A-3b, signed when a key is configured) of a version."

    def add_arguments(self, parser):
        # Django's own --version (print Django's version) gives way to ours: the policy version.
        parser.conflict_handler = parser._optionals.conflict_handler = "resolve"
        parser.add_argument("--job", type=int, help="A pack job queued from the portal.")
        parser.add_argument(
            "--version", dest="version_pk", type=int, help="A published or superseded version."
        )
        parser.add_argument("--output", help="Where to write the PDF (with --version).")

    def handle(self, *args, job=None, version_pk=None, output=None, **options):
        if (job is None) == (version_pk is None):
            raise CommandError("Give either --job <id> or --version <pk>.")
        if job is not None:
            found = PackJob.objects.select_related("version__policy", "requested_by").filter(pk=job).first()
            if found is None:
                raise CommandError(f"There is no pack job {job}.")
            done = build_pack_for_job(found)
            if done.state == PackJob.State.FAILED:
                raise CommandError(done.message)
            self.stdout.write(f"Job {done.pk}: {done.get_state_display()}. {done.message}")
            return
        version = PolicyVersion.objects.adopted().select_related("policy").filter(pk=version_pk).first()
        if version is None:
            raise CommandError(f"There is no published or superseded version {version_pk}.")
        try:
            pack = build_signoff_pack(version)
        except (PDFRenderError, PDFSigningError) as error:
            raise CommandError(str(error)) from error
        path = Path(output) if output else exports_dir() / pack.filename
        write_atomically(path, pack.content)
        policy_services.record_export(
            version,
            kind=ExportKind.SIGNOFF_PACK,
            content=pack.content,
            filename=pack.filename,
            signed=pack.signed,
            by=None,
        )
        state = "signed" if pack.signed else "unsigned"
        self.stdout.write(f"Wrote {path} ({len(pack.content)} bytes, {pack.register_rows} people, {state}).")
