"""Tasks of the acknowledgements app, run by Django's task framework (django-tasks; the database backend
in production: any number of ``manage.py db_worker`` processes, on any host)."""

from django_tasks import task

from . import pack_jobs


@task()
def make_signoff_pack(job_pk: int) -> str | None:
    """Build the sign-off pack a job asks for (``pack_jobs.run_pack_job``); returns the job's final state.

    Safe to run twice or late: a job that is already claimed, finished or stalled is left alone.
    """
    job = pack_jobs.run_pack_job(job_pk)
    return job.state if job else None
