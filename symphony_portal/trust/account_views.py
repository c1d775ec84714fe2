"""Asking for a password reset: throttled, and the same answer and work for every address."""

from axes.helpers import get_client_ip_address
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordResetForm

from .tasks import send_password_reset
from .throttling import record_password_reset_request


class QueuedPasswordResetForm(PasswordResetForm):
    """Records the request and, under the hourly limits, queues the email; never looks the address up."""

    def save(self, *, request=None, **kwargs) -> None:
        email = self.cleaned_data["email"]
        ip_address = get_client_ip_address(request) if request is not None else None
        if record_password_reset_request(email=email, ip_address=ip_address):
            send_password_reset.enqueue(email=email)


password_reset = login_not_required(auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm))
