"""Work for the trust app that runs off the request, on Django's task framework."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django_tasks import task


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
