"""Applying a confirmed people import off the request path: HR confirms, a worker applies it.

- ``request_import`` records the job and enqueues its task (``tasks.apply_people_import``) in one
  transaction: a rollback leaves neither. While a job of the same import waits or runs, that one is
  returned and nothing is created (the database's one-job-per-import constraint settles two clicks at the
  same moment).
- ``run_import_job`` is the task's body: claim the job, apply the import in one transaction
  (``services.confirm_people_import``) while reporting its progress, and record how it ended.
- A job past its deadline, or whose worker has gone silent, has failed: pages show it so at once
  (``PeopleImportJob.shown_state``) and ``fail_stalled_jobs`` records it (the next confirmation does).
  Since the import is one transaction, a dead worker wrote nothing; a slow one that comes back after its
  deadline finds its job taken from it and rolls its work back, so an import is never applied twice.

Progress: the import's writes are one transaction, invisible to others until it commits, so the rows
done are written on a second connection of their own (PostgreSQL). SQLite has one writer at a time,
so there the page shows the job running and then its result.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from . import permissions, services
from .models import PeopleImport, PeopleImportJob, User

logger = logging.getLogger(__name__)


class ImportJobAbandoned(Exception):
    """The job was marked failed (stalled, past its deadline) while this worker was still applying it."""


def _limit() -> timedelta:
    """How long a job may wait for a worker, and how long applying it may take."""
    return timedelta(seconds=settings.PEOPLE_IMPORT_TIMEOUT_SECONDS)


@transaction.atomic
def request_import(
    record: PeopleImport,
    *,
    deactivate_missing: bool,
    confirmed_deactivate_count: int | None,
    by: User,
) -> tuple[PeopleImportJob, bool]:
    """Queue the application of a pending import HR confirmed: (job, created).

    A job of this import already waiting or running is returned with created False; one that has
    stalled is first recorded as failed, so HR can always confirm again. Refuses an import already done.
    """
    permissions.check_can_import_people(by)
    # Not locked: a worker applying this import holds its row until it commits, and a second click must
    # not wait for that. Two confirmations at once are settled by the one-job-per-import constraint.
    record = PeopleImport.objects.get(pk=record.pk)
    if not record.is_pending:
        raise ValidationError("This file has already been imported.")
    fail_stalled_jobs(people_import=record)
    current = PeopleImportJob.objects.unfinished().filter(people_import=record).first()
    if current is not None:
        return current, False
    now = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: losing a race below rolls back only this insert
            job = PeopleImportJob.objects.create(
                people_import=record,
                requested_by=by,
                requested_at=now,
                deadline_at=now + _limit(),
                deactivate_missing=deactivate_missing,
                confirmed_deactivate_count=confirmed_deactivate_count if deactivate_missing else None,
            )
    except IntegrityError:
        # Another request created this import's job between our look and our insert.
        return PeopleImportJob.objects.unfinished().get(people_import=record), False
    from . import tasks  # tasks imports this module

    # The task's row is written in this transaction (the database backend): no commit, no task.
    result = tasks.apply_people_import.enqueue(job.pk)
    PeopleImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job, True


@transaction.atomic
def fail_stalled_jobs(
    *, people_import: PeopleImport | None = None, now: datetime | None = None
) -> list[PeopleImportJob]:
    """Record as failed the unfinished jobs that missed their deadline or whose worker went silent."""
    now = now or timezone.now()
    stalled = PeopleImportJob.objects.stalled(now).select_for_update()
    if people_import is not None:
        stalled = stalled.filter(people_import=people_import)
    failed = list(stalled)
    for job in failed:
        job.message = job.stall_reason(now)
        job.state, job.finished_at = PeopleImportJob.State.FAILED, now
        job.save(update_fields=["state", "finished_at", "message"])
    if failed:
        logger.warning("People import jobs %s stalled and were marked failed", [job.pk for job in failed])
    return failed


def start_import_job(job: PeopleImportJob) -> bool:
    """Claim a waiting job for this worker; False if another has it, it is finished or it waited too long."""
    now = timezone.now()
    Job = PeopleImportJob
    waiting = Job.objects.filter(pk=job.pk, state=Job.State.PENDING, deadline_at__gte=now)
    claimed = waiting.update(
        state=PeopleImportJob.State.RUNNING, started_at=now, heartbeat_at=now, deadline_at=now + _limit()
    )
    if not claimed:
        fail_stalled_jobs(people_import=job.people_import)
    job.refresh_from_db()
    return bool(claimed)


class ProgressReporter:
    """Writes a running job's rows done and heartbeat where other requests can read them at once.

    The import's own connection is inside its transaction, so on PostgreSQL a connection of its own,
    in autocommit, writes them (with a short lock timeout: progress is never worth waiting for). On SQLite
    the one writer is the import: nothing is written until it ends.
    """

    def __init__(self, job: PeopleImportJob):
        self.job = job
        self.side = None
        if connection.vendor == "postgresql":
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, done: int, total: int) -> None:
        self.job.rows_done, self.job.rows_total = done, total
        if self.side is None:
            return
        table = PeopleImportJob._meta.db_table
        try:
            with self.side.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
                cursor.execute(
                    f"UPDATE {table} SET rows_done = %s, rows_total = %s, heartbeat_at = %s "  # noqa: S608
                    "WHERE id = %s AND state = %s",
                    [done, total, timezone.now(), self.job.pk, PeopleImportJob.State.RUNNING],
                )
        except Exception:  # noqa: BLE001 - progress is a courtesy: the import goes on without it
            logger.warning("People import job %s: progress could not be recorded", self.job.pk, exc_info=True)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _finish(job: PeopleImportJob) -> Callable[[PeopleImport], None]:
    """What the import does just before it commits: mark its job done, or roll back if it was taken."""

    def finish(record: PeopleImport) -> None:
        # Locked: a request marking the job failed waits for this commit (and then finds it done),
        # or has marked it already (and this import rolls back).
        locked = PeopleImportJob.objects.select_for_update().filter(pk=job.pk).first()
        now = timezone.now()
        if locked is None or locked.state != PeopleImportJob.State.RUNNING or locked.deadline_at < now:
            raise ImportJobAbandoned(f"People import job {job.pk} stalled before it could finish.")
        locked.state, locked.finished_at = PeopleImportJob.State.DONE, now
        locked.rows_done = locked.rows_total = job.rows_total
        locked.heartbeat_at = now
        locked.message = outcome(record)
        locked.save()

    return finish


def outcome(record: PeopleImport) -> str:
    """The result of an applied import, in one sentence."""
    words = (
        f"Imported: {record.created_count} created, {record.updated_count} updated, "
        f"{record.deactivated_count} deactivated, {record.unchanged_count} unchanged."
    )
    if record.invitations_sent:
        words += (
            f" {record.invitations_sent} invitation{pluralize(record.invitations_sent)} to choose a password "
            "queued: they are sent in the next minutes, and any the mail server refuses are listed under "
            "Mail delivery."
        )
    return words


def fail_import_job(job: PeopleImportJob, *, message: str) -> PeopleImportJob:
    """Mark an unfinished job failed with a message HR can act on."""
    PeopleImportJob.objects.filter(pk=job.pk, state__in=PeopleImportJob.UNFINISHED).update(
        state=PeopleImportJob.State.FAILED, finished_at=timezone.now(), message=message
    )
    job.refresh_from_db()
    return job


def run_import_job(job_pk: int) -> PeopleImportJob | None:
    """The task's work: apply the import a waiting job asks for, once, and record how it ended.

    A job another worker has claimed, one already finished, or one that waited past its deadline is left
    alone. A file that has problems now, a wrong deactivation count, an importer no longer in HR: the job
    fails with the reason and nothing is written.
    """
    job = PeopleImportJob.objects.select_related("people_import", "requested_by").filter(pk=job_pk).first()
    if job is None or not start_import_job(job):
        return job
    reporter = ProgressReporter(job)
    try:
        services.confirm_people_import(
            job.people_import,
            deactivate_missing=job.deactivate_missing,
            by=job.requested_by,
            confirmed_deactivate_count=job.confirmed_deactivate_count,
            progress=reporter,
            before_commit=_finish(job),
        )
    except ImportJobAbandoned:
        logger.warning("People import job %s overran its deadline; its work was rolled back", job.pk)
        fail_stalled_jobs(people_import=job.people_import)
    except (ValidationError, PermissionDenied) as error:
        words = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        if not words.startswith("Nothing was imported"):
            words = f"Nothing was imported: {words[0].lower()}{words[1:]}"
        fail_import_job(job, message=words)
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the job must say so and not hang
        logger.exception("People import job %s failed", job.pk)
        fail_import_job(
            job,
            message=f"Nothing was imported: the import could not be applied ({type(error).__name__}). "
            "Please confirm it again; if it fails again, ask the portal's administrator to look at the "
            "server log.",
        )
    finally:
        reporter.close()
    job.refresh_from_db()
    return job
