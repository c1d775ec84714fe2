"""Make the signed-off review pack of a policy version from a shell or cron.

    python manage.py build_signoff_pack --version <pk> [--output FILE]

The pack is made here, in this process, as the same kind of job HR's "Prepare the pack" makes (HR's
page lists it, "asked for" by the command line): its file is kept in the private storage with the
version's other packs (the last three are kept), the export is recorded, and with --output a copy is
also written (atomically) to FILE. While another build of the version waits or runs, nothing is started.
A failed render leaves no file and exits non-zero.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from acknowledgements.models import PackJob
from acknowledgements.pack_jobs import request_pack, run_pack_job
from policies.models import PolicyVersion
from symphony_portal.lib.pdf import write_atomically


class Command(BaseCommand):
    help = "Make the signed-off review pack (PDF/A-3b, signed when a key is configured) of a version."

    def add_arguments(self, parser):
        # Django's own --version (print Django's version) gives way to ours: the policy version.
        parser.conflict_handler = parser._optionals.conflict_handler = "resolve"
        parser.add_argument(
            "--version", dest="version_pk", type=int, required=True, help="A published or superseded version."
        )
        parser.add_argument("--output", help="Also write the PDF to this file.")

    def handle(self, *args, version_pk, output=None, **options):
        version = PolicyVersion.objects.adopted().select_related("policy").filter(pk=version_pk).first()
        if version is None:
            raise CommandError(f"There is no published or superseded version {version_pk}.")
        job, created = request_pack(version, by=None, queue=False)
        if not created:
            raise CommandError(
                f"A sign-off pack of {version} is already being made (job {job.pk}): nothing was started."
            )
        job = run_pack_job(job.pk)
        if job.state != PackJob.State.DONE:
            raise CommandError(job.message or f"Job {job.pk}: {job.get_state_display()}.")
        with job.file.open("rb") as file:
            content = file.read()
        where = job.file.name
        if output:
            write_atomically(Path(output), content)
            where = output
        state = "signed" if job.export.signed else "unsigned"
        self.stdout.write(
            f"Wrote {where} ({len(content)} bytes, {job.register_rows} people, {state}); job {job.pk}."
        )
