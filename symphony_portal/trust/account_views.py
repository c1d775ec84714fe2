"""Signing in (with a second factor for those who have one) and asking for a password reset: throttled,
and the same answer and work for every address."""

from allauth.account.internal.flows.login import perform_login, record_authentication
from allauth.account.models import Login
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordResetForm

from .permissions import can_sign_in_with_password
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


class PortalLoginView(auth_views.LoginView):
    """Django's sign-in form (django-axes throttles it), then django-allauth's sign-in stages.

    The password is checked here as before; instead of starting the session at once, the sign-in goes
    through allauth's stages, which ask for the second factor of a person who has one set up.
    """

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["password_sign_in_for_employees"] = settings.PASSWORD_SIGN_IN_FOR_EMPLOYEES
        return context

    def form_valid(self, form):
        user = form.get_user()
        if not can_sign_in_with_password(user):
            form.add_error(
                None,
                "Staff sign in with the trust's Microsoft or Google account (the buttons on this page), "
                "not with a password.",
            )
            return self.form_invalid(form)
        login = Login(user=user, redirect_url=self.get_success_url(), email=user.email)
        # The password was typed just now: it also confirms the person for allauth's "confirm it is you"
        # pages for a few minutes (ACCOUNT_REAUTHENTICATION_TIMEOUT), so setting up the second factor
        # straight after signing in does not ask for it again.
        record_authentication(self.request, user, "password", email=user.email, reauthenticated=True)
        return perform_login(self.request, login)


login = login_not_required(PortalLoginView.as_view(redirect_authenticated_user=False))
