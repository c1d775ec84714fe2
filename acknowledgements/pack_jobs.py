"""Writes of the sign-off pack's jobs: HR asks for a pack, a worker claims, builds and finishes it.

The services of the pack (kept apart from services.py, which is about acknowledging and reminders):

- ``request_pack`` records the job and enqueues its task (``tasks.make_signoff_pack``) in one transaction:
  a rollback leaves neither. While a build of the version waits or runs, it is returned and nothing is
  created (the database's one-build-per-version constraint settles two clicks at the same moment).
- ``run_pack_job`` is the task's body: claim the job, build the PDF while beating a heartbeat, store the
  file through the private storage, record the export, keep the version's last three packs.
- A job past its deadline, or whose worker has not beaten for ``PackJob.stale_after()``, has failed: pages
  show it so at once (``PackJob.shown_state``), ``fail_stalled_jobs`` records it (the next request does),
  and a builder that comes back after that finds its job taken from it and throws its work away.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from policies import services as policy_services
from policies.models import ExportKind, PolicyExport, PolicyVersion
from symphony_portal.lib.storage import private_storage
from symphony_portal.trust.models import User

from .models import PackJob
from .pack import SignoffPack, build_signoff_pack
from .permissions import check_can_use_signoff_packs

logger = logging.getLogger(__name__)

FOLDER = "exports"


class PackJobAbandoned(Exception):
    """The job was marked failed (stalled) while this builder was still working on it."""


def _limit() -> timedelta:
    """How long a job may wait for a worker, and how long its PDF may take (SIGNOFF_PACK_TIMEOUT_SECONDS)."""
    return timedelta(seconds=settings.SIGNOFF_PACK_TIMEOUT_SECONDS)


@transaction.atomic
def request_pack(version: PolicyVersion, *, by: User | None, queue: bool = True) -> tuple[PackJob, bool]:
    """Ask for the sign-off pack of an adopted version: (job, created).

    ``by`` is the person asking (None from the command line, which then builds it itself with
    ``queue=False``). A build of this version already waiting or running is returned with created False;
    one that has stalled is first recorded as failed, so HR can always prepare it again.
    """
    if by is not None:
        check_can_use_signoff_packs(by)
    if version.is_draft:
        raise ValidationError("A draft has no sign-off pack: publish it first.")
    fail_stalled_jobs(version=version)
    current = PackJob.objects.unfinished().filter(version=version).first()
    if current is not None:
        return current, False
    now = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: losing the race below rolls back only this insert
            job = PackJob.objects.create(
                version=version, requested_by=by, requested_at=now, deadline_at=now + _limit()
            )
    except IntegrityError:
        # Another request created the version's job between our look and our insert (PostgreSQL makes
        # us wait for it to commit): that one is the build.
        return PackJob.objects.unfinished().get(version=version), False
    if queue:
        from . import tasks  # tasks imports this module

        # The task's row is written in this transaction (the database backend): no commit, no task.
        result = tasks.make_signoff_pack.enqueue(job.pk)
        PackJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
        job.refresh_from_db()
    return job, True


@transaction.atomic
def fail_stalled_jobs(*, version: PolicyVersion | None = None, now: datetime | None = None) -> list[PackJob]:
    """Record as failed the unfinished jobs that missed their deadline or whose worker went silent.

    Files a dead builder may have half-stored are deleted after commit.
    """
    now = now or timezone.now()
    stalled = PackJob.objects.stalled(now).select_for_update()
    if version is not None:
        stalled = stalled.filter(version=version)
    failed = list(stalled)
    for job in failed:
        job.message = job.stall_reason(now)
        job.state, job.finished_at, job.progress = PackJob.State.FAILED, now, ""
        job.save(update_fields=["state", "finished_at", "progress", "message"])
    if failed:
        pks = [job.pk for job in failed]
        logger.warning("Sign-off pack jobs %s stalled and were marked failed", pks)
        transaction.on_commit(lambda: [_delete_leftovers(pk) for pk in pks])
    return failed


def _stored_name(job: PackJob, filename: str) -> str:
    return f"{FOLDER}/job-{job.pk}-{filename}"


def _delete_leftovers(job_pk: int) -> None:
    """Delete any file a failed job's builder stored before it died (no row points at it)."""
    storage = private_storage()
    try:
        _folders, files = storage.listdir(FOLDER)
    except FileNotFoundError:
        return
    for name in files:
        if name.startswith(f"job-{job_pk}-"):
            storage.delete(f"{FOLDER}/{name}")


def start_pack_job(job: PackJob) -> bool:
    """Claim a waiting job for this builder; False if another has it, it is finished or it waited too long."""
    now = timezone.now()
    claimed = PackJob.objects.filter(pk=job.pk, state=PackJob.State.PENDING, deadline_at__gte=now).update(
        state=PackJob.State.RUNNING,
        started_at=now,
        heartbeat_at=now,
        deadline_at=now + _limit() + PackJob.grace(),
        progress="Starting",
    )
    if not claimed:
        fail_stalled_jobs(version=job.version)
    job.refresh_from_db()
    return bool(claimed)


def beat(job: PackJob, progress: str = "") -> None:
    """The builder is alive (doing ``progress``). Raises PackJobAbandoned if the job was taken from it."""
    now = timezone.now()
    alive = PackJob.objects.filter(pk=job.pk, state=PackJob.State.RUNNING, deadline_at__gte=now)
    if not alive.update(heartbeat_at=now, progress=progress[:100]):
        raise PackJobAbandoned(f"Sign-off pack job {job.pk} is no longer this builder's.")


def finish_pack_job(job: PackJob, pack: SignoffPack) -> PackJob:
    """Store the file, record the export and mark the job ready; keep only the version's newest packs.

    A job that stalled in the meantime (marked failed, or past its deadline) is not revived: its file is
    deleted and PackJobAbandoned raised.
    """
    beat(job, "Storing the file")
    storage = private_storage()
    name = storage.save(_stored_name(job, pack.filename), ContentFile(pack.content))
    try:
        with transaction.atomic():
            running = PackJob.objects.select_for_update().filter(state=PackJob.State.RUNNING)
            locked = running.filter(pk=job.pk).first()
            if locked is None or locked.deadline_at < timezone.now():
                raise PackJobAbandoned(f"Sign-off pack job {job.pk} stalled before it could finish.")
            export = policy_services.record_export(
                locked.version,
                kind=ExportKind.SIGNOFF_PACK,
                content=pack.content,
                filename=_unique_filename(pack.filename),
                signed=pack.signed,
                by=locked.requested_by,
            )
            locked.state, locked.finished_at, locked.progress = PackJob.State.DONE, timezone.now(), ""
            locked.file, locked.export, locked.register_rows = name, export, pack.register_rows
            signed = "signed" if pack.signed else "unsigned"
            locked.message = f"{pack.register_rows} people in the register; {signed}."
            locked.save()
            _keep_newest_packs(locked.version_id)
    except BaseException:
        storage.delete(name)
        raise
    return locked


def _unique_filename(filename: str) -> str:
    """The pack's name, with "-2", "-3"... if a pack of that name was made already (the same second).

    Packs of one version are made one at a time (the one-build-per-version constraint), and the name
    carries the version: so no other pack can take the name between this look and the insert.
    """
    taken = set(
        PolicyExport.objects.filter(
            kind=ExportKind.SIGNOFF_PACK, filename__startswith=filename.removesuffix(".pdf")
        ).values_list("filename", flat=True)
    )
    stem, n, candidate = filename.removesuffix(".pdf"), 1, filename
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}.pdf"
    return candidate


def _keep_newest_packs(version_pk: int) -> None:
    """Empty the files of all but the version's newest KEEP_PER_VERSION packs; delete them after commit."""
    older = list(
        PackJob.objects.downloadable()
        .filter(version_id=version_pk)
        .order_by("-finished_at", "-pk")
        .values_list("pk", "file")[PackJob.KEEP_PER_VERSION :]
    )
    if not older:
        return
    PackJob.objects.filter(pk__in=[pk for pk, _name in older]).update(file="")
    storage = private_storage()
    transaction.on_commit(lambda: [storage.delete(name) for _pk, name in older])


def fail_pack_job(job: PackJob, *, message: str) -> PackJob:
    """Mark a running job failed with a message HR can act on; no file is kept."""
    PackJob.objects.filter(pk=job.pk, state__in=PackJob.UNFINISHED).update(
        state=PackJob.State.FAILED, finished_at=timezone.now(), progress="", message=message
    )
    job.refresh_from_db()
    return job


def run_pack_job(job_pk: int) -> PackJob | None:
    """The task's work: build the pack of a waiting job, once, and record how it ended.

    A job another builder has claimed, one already finished, or one that waited past its deadline is
    left alone. Any failure marks the job failed with a message and leaves no file behind.
    """
    job = PackJob.objects.select_related("version__policy", "requested_by").filter(pk=job_pk).first()
    if job is None or not start_pack_job(job):
        return job
    try:
        pack = build_signoff_pack(job.version, progress=lambda words: beat(job, words))
        return finish_pack_job(job, pack)
    except PackJobAbandoned:
        logger.warning("Sign-off pack job %s stalled (past its deadline); its work is thrown away", job.pk)
        fail_stalled_jobs(version=job.version)  # records it, unless the next "Prepare" already has
        job.refresh_from_db()
        return job
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the job must say so and not hang
        logger.exception("Sign-off pack job %s failed", job.pk)
        return fail_pack_job(
            job,
            message=f"The pack could not be made: {str(error).rstrip('.')}. Please try again; if it fails "
            "again, ask the portal's administrator to look at the server log.",
        )
