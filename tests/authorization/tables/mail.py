"""HR's mail delivery page and its "try again": HR only (403 for everyone else, who can see it exists)."""

from django.core.mail import EmailMessage

from symphony_portal.mail import outbox
from symphony_portal.mail.models import OutgoingEmail
from tests.authorization.world import Row

HR_ONLY = {"anonymous": 302, "staff": 403, "governor": 403, "head": 403, "exec_head": 403, "hr": 200}


def build(world) -> None:
    outbox.queue(EmailMessage(subject="Refused", body="x", to=["gone@symphony.test"]), about="test")
    email = OutgoingEmail.objects.get(to="gone@symphony.test")
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.FAILED, server_answer="550 no"
    )
    world.objects["failed_email"] = email


ROWS = {
    "mail:delivery": Row(expect=HR_ONLY),
    "mail:try_again": Row(
        method="post", args=lambda w: [w.objects["failed_email"].pk], expect={**HR_ONLY, "hr": 302}
    ),
}
