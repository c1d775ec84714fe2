"""Single sign-on with the trust's Microsoft (Entra ID) or Google Workspace accounts.

django-allauth's socialaccount runs the OpenID Connect flow (one provider app per configured provider,
settings.SOCIALACCOUNT_PROVIDERS); this module holds the trust's rules for who it lets in. Nobody is
created by signing in: a sign-in from the trust's tenant (Microsoft, the ``tid`` claim) or domain (Google,
the ``hd`` claim) is matched by its email to one existing, active person, or refused. No social account
is stored either: the email in the ID token, which the trust's directory vouches for, is the key every time.

A sign-in counts as a second factor when the ID token's ``amr`` says the provider used one
(STRONG_METHODS); then neither allauth's code stage nor the SecondFactorMiddleware asks for the
portal's own. Otherwise those who must use a second factor are asked for it as after a password.
"""

import time
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.stages import AuthenticateStage
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from .models import User

# RFC 8176 authentication method references that mean more than a password: "mfa" (Entra ID and most
# providers say this), a one-time code ("otp"), a hardware key ("hwk") or a FIDO security key ("fido",
# Entra ID's own value). Google sends no amr: its sign-ins never count as a second factor.
STRONG_METHODS = frozenset({"mfa", "otp", "hwk", "fido"})

NOT_THE_TRUSTS_ACCOUNT = (
    "That account does not belong to the trust. Sign in with the Microsoft or Google account your school "
    "gave you."
)
# The same words whatever the reason the directory has no match (no email, an unverified one, nobody).
NOT_IN_THE_DIRECTORY = (
    "We could not find you among the portal's people. Ask HR to add you (or to correct your email address)."
)
DEACTIVATED = "Your account on the portal has been closed. If you still work for the trust, ask HR."
SIGN_IN_FAILED = "Signing in with your trust account did not work. Try again, or sign in with your password."


class SignInRefused(Exception):
    """The plain reason shown to the person on the sign-in page."""


def _claim_is_true(value) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def person_for_sign_in(provider_settings: dict, claims: dict) -> User:
    """The one active person an ID token from a trust provider signs in, or SignInRefused.

    The token must come from the trust's tenant (``tid`` equal to the configured tenant) or Google domain
    (``hd`` equal to the configured hosted domain). Its email must be verified: Google says so in
    ``email_verified``; Entra ID sends no such claim, and an email in the trust's own tenant is one the
    trust's administrators set, so it is trusted there. The email is matched case-insensitively; no
    match (or no usable email) gets one message whatever the reason, a deactivated person another.
    """
    tenant = provider_settings.get("tenant")
    domain = provider_settings.get("hosted_domain")
    if not tenant and not domain:
        raise SignInRefused(NOT_THE_TRUSTS_ACCOUNT)  # a provider app without its restriction lets nobody in
    if tenant and claims.get("tid") != tenant:
        raise SignInRefused(NOT_THE_TRUSTS_ACCOUNT)
    if domain and str(claims.get("hd") or "").lower() != domain.lower():
        raise SignInRefused(NOT_THE_TRUSTS_ACCOUNT)
    email = str(claims.get("email") or "").strip()
    verified = bool(tenant) or _claim_is_true(claims.get("email_verified"))
    if not email or not verified:
        raise SignInRefused(NOT_IN_THE_DIRECTORY)
    people = list(User.objects.filter(email__iexact=email)[:2])
    if len(people) != 1:
        raise SignInRefused(NOT_IN_THE_DIRECTORY)
    person = people[0]
    if not person.is_active:
        raise SignInRefused(DEACTIVATED)
    return person


def id_token_claims(sociallogin: SocialLogin) -> dict:
    claims = sociallogin.account.extra_data.get("id_token")
    return claims if isinstance(claims, dict) else {}


def strong_at_provider(sociallogin: SocialLogin) -> bool:
    """Whether the provider says this sign-in used more than a password (the ID token's ``amr``)."""
    methods = id_token_claims(sociallogin).get("amr")
    return isinstance(methods, list) and any(method in STRONG_METHODS for method in methods)


def _back_to_sign_in(request: HttpRequest, message: str) -> ImmediateHttpResponse:
    messages.error(request, message)
    return ImmediateHttpResponse(HttpResponseRedirect(reverse("login")))


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in through the trust's providers only matches existing people (person_for_sign_in)."""

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return False

    def pre_social_login(self, request, sociallogin) -> None:
        # Only signing in: nobody connects a provider's account to theirs (allauth's "connect").
        if sociallogin.state.get("process", "login") != "login":
            raise _back_to_sign_in(request, SIGN_IN_FAILED)
        provider = sociallogin.account.get_provider()
        try:
            person = person_for_sign_in(provider.app.settings, id_token_claims(sociallogin))
        except SignInRefused as refused:
            raise _back_to_sign_in(request, str(refused)) from None
        # Existing, so allauth signs this person in (and never offers to sign up).
        sociallogin.user = person

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        # Cancelled at the provider, a bad state or a failed token exchange: back to the sign-in page.
        raise _back_to_sign_in(request, SIGN_IN_FAILED)


class SecondFactorStage(AuthenticateStage):
    """allauth's code stage, skipped when the trust's provider already used a second factor."""

    def _should_handle(self, request: HttpRequest) -> bool:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if sociallogin is not None and strong_at_provider(sociallogin):
            return False
        return super()._should_handle(request)


def record_second_factor_at_provider(sender, request, user, sociallogin=None, **kwargs) -> None:
    """After a sign-in whose provider used a second factor, the session has passed one
    (second_factor.passed_second_factor)."""
    if sociallogin is not None and strong_at_provider(sociallogin):
        record_authentication(request, user, "mfa", type="provider", provider=sociallogin.account.provider)


def signed_in_through_provider(request: HttpRequest | None) -> bool:
    """Whether this session's sign-in went through a trust provider and still confirms the person for
    allauth's "confirm it is you" pages: for a few minutes (as a password just typed does), or for as
    long as the session lasts when the person has no password to confirm it with here."""
    if request is None or not request.user.is_authenticated:
        return False
    records = [
        record
        for record in get_authentication_records(request, request.user)
        if record.get("method") in ("password", "socialaccount")
    ]
    if not records or records[-1].get("method") != "socialaccount":
        return False
    if not request.user.has_usable_password():
        return True
    return time.time() - records[-1].get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT


def sign_in_provider_origins() -> list[str]:
    """The origins of the configured providers' servers (their sign-in pages are there)."""
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    origins = []
    for app in apps:
        url = urlsplit(app.get("settings", {}).get("server_url", ""))
        if url.scheme in ("https", "http") and url.netloc:
            origins.append(f"{url.scheme}://{url.netloc}")
    return sorted(set(origins))
