"""Work of the policies app that outlasts a request (see symphony_portal/mail/outbox.py: ``enqueue``)."""

from django_tasks import task


@task()
def notify_new_version(version_pk: int, previous_pk: int | None) -> int:
    """Queue the "a new version awaits you" email to every active person (once each, whatever reruns it)."""
    from .models import PolicyVersion
    from .services import email_new_version

    version = PolicyVersion.objects.select_related("policy").get(pk=version_pk)
    previous = PolicyVersion.objects.get(pk=previous_pk) if previous_pk else None
    return email_new_version(version, previous=previous)
