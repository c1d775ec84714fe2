"""Work of the trust app that outlasts a request (see symphony_portal/mail/outbox.py: ``enqueue``)."""

from django_tasks import task


@task()
def invite_people(people_import_pk: int, person_pks: list[int]) -> int:
    """Queue the invitation of each of these people still without a password (an import's new people)."""
    from .models import User
    from .services import send_invitations

    return send_invitations(list(User.objects.filter(pk__in=person_pks).order_by("pk")))
