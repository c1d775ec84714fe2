"""Work of the trust app that outlasts a request (see symphony_portal/mail/outbox.py: ``enqueue``)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django_tasks import task


@task()
def invite_people(people_import_pk: int, person_pks: list[int]) -> int:
    """Queue the invitation of each of these people still without a password (an import's new people)."""
    from .models import User
    from .services import send_invitations

    return send_invitations(list(User.objects.filter(pk__in=person_pks).order_by("pk")))


@task()
def send_password_reset(email: str) -> None:
    """Email a reset link to the active account(s) with this address, if there is one; nothing if not.

    Run off the request, so that asking for a reset takes the same time whether or not the address is
    registered: the request only records itself and queues this task.
    """
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    site = urlsplit(settings.SITE_URL)
    form.save(
        domain_override=site.netloc,
        use_https=site.scheme == "https",
        subject_template_name="registration/password_reset_subject.txt",
        email_template_name="registration/password_reset_email.html",
        extra_email_context={"TRUST_NAME": settings.TRUST_NAME},
    )


@task()
def apply_people_import(job_pk: int) -> str | None:
    """Apply the people import a job asks for (``import_jobs.run_import_job``); returns its final state.

    Safe to run twice or late: a job already claimed, finished or stalled is left alone.
    """
    from . import import_jobs

    job = import_jobs.run_import_job(job_pk)
    return job.state if job else None
