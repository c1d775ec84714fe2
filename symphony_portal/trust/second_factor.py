"""The second factor: who must use one, and the gate that holds them until they have and have used it.

django-allauth's mfa app keeps the authenticators (TOTP with recovery codes) and asks for a code between
the password and the session (its sign-in stage, reached from trust/account_views.py). This module adds
what allauth leaves to the site: people who must use a second factor (permissions.must_use_second_factor)
reach no page until this session has passed one. Without an authenticator they are sent to set one up;
with one (a session from before it was set up, or a sign-in that skipped the stage, such as the admin's
own form), to enter a code. Only those pages, signing out and the browser's own reports stay open.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import views as totp_views
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from . import permissions, single_sign_on

# Pages open to someone held at the gate: setting up or entering a code, signing out, and what browsers
# and load balancers call on their own.
SET_UP_PAGES = frozenset({"mfa_activate_totp", "account_reauthenticate"})
CODE_PAGES = frozenset({"mfa_reauthenticate"})
ALWAYS_OPEN = frozenset({"logout", "healthz", "csp_report"})


def passed_second_factor(request: HttpRequest) -> bool:
    """Whether this session's sign-in included a second factor (a code, or setting one up here)."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(
        user_id=user.pk, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


class SecondFactorMiddleware:
    """Holds a person who must use a second factor at set-up (or the code) until this session passed one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if not settings.SECOND_FACTOR_REQUIRED or user is None or not user.is_authenticated:
            return None
        if not permissions.must_use_second_factor(user) or passed_second_factor(request):
            return None
        name = request.resolver_match.url_name if request.resolver_match else None
        if name in ALWAYS_OPEN:
            return None
        # The pages below draw no menu for someone held here: every link would lead back.
        request.held_at_second_factor = True
        if has_second_factor(user):
            if name in CODE_PAGES:
                return None
            # The code page returns to the page asked for (a GET: a POST's form is not replayed).
            following = request.get_full_path() if request.method == "GET" else ""
            query = f"?{urlencode({'next': following})}" if following and following != "/" else ""
            return HttpResponseRedirect(reverse("mfa_reauthenticate") + query)
        if name in SET_UP_PAGES:
            return None
        messages.info(
            request,
            "Your role lets you read confidential reports or manage people, so your account needs a "
            "second factor: set up an authenticator app to continue.",
            fail_silently=True,
        )
        # Set-up ends on the recovery codes, then the home page.
        return HttpResponseRedirect(reverse("mfa_activate_totp"))


class ActivateTOTPView(totp_views.ActivateTOTPView):
    """allauth's set-up of the authenticator app; checking its first code passes the second factor for
    this session (allauth's own signal for it fires only after commit, too late to trust in tests)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        record_authentication(
            self.request, self.request.user, "mfa", type=Authenticator.Type.TOTP, added=True
        )
        return response


activate_totp = ActivateTOTPView.as_view()


class PortalAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up (people come from HR's import), and the portal's own words for signing in and out."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def add_message(
        self, request, level, message_template=None, message_context=None, extra_tags="", message=None
    ):
        # The home page greets the person; "Successfully signed in as ..." would say it twice.
        if message_template in {"account/messages/logged_in.txt", "account/messages/logged_out.txt"}:
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def get_login_stages(self) -> list[str]:
        # A sign-in whose provider used a second factor is not asked for the portal's own code.
        return [
            "symphony_portal.trust.single_sign_on.SecondFactorStage"
            if stage == "allauth.mfa.stages.AuthenticateStage"
            else stage
            for stage in super().get_login_stages()
        ]

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # Signing in through the trust's provider confirmed the person, as a password just typed does
        # (trust/account_views.py); someone without a password here could not confirm it otherwise.
        if app == "allauth.mfa" and single_sign_on.signed_in_through_provider(self.request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def reauthenticate(self, user, password) -> bool:
        """Confirming one's password before changing one's second factor (the person is signed in)."""
        return bool(user.is_active and user.check_password(password))


class PortalMFAAdapter(DefaultMFAAdapter):
    """Those who must use a second factor cannot switch theirs off (a trust administrator can reset it)."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        return not permissions.must_use_second_factor(authenticator.user)
