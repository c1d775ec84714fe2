"""How hard the portal makes guessing passwords and flooding people with reset emails.

Sign-in (django-axes, with this handler): failures are counted three ways over the cool-off
(AXES_COOLOFF_TIME), each with its own limit, and any one of them reached pauses sign-in:
- one account from one address (AXES_FAILURE_LIMIT): someone mistyping their own password;
- one account from any address (AXES_FAILURE_LIMIT_PER_ACCOUNT): guessing spread over many addresses;
- one address for any account (AXES_FAILURE_LIMIT_PER_ADDRESS): one password tried over many accounts.
Failures are counted for whatever email was typed, registered or not, and the pause page is the same,
so the pause says nothing about whether an account exists.

Password reset: each request is recorded; an email address gets at most PASSWORD_RESET_EMAILS_PER_HOUR
reset emails an hour, a client address asks at most PASSWORD_RESET_REQUESTS_PER_IP_PER_HOUR times. The
answer is the same either way.
"""

import hashlib
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from .models import PasswordResetRequest


def _limit_for(parameter, request, credentials) -> int:
    names = (parameter,) if isinstance(parameter, str) else tuple(parameter)
    if names == ("username",):
        return settings.AXES_FAILURE_LIMIT_PER_ACCOUNT
    if names == ("ip_address",):
        return settings.AXES_FAILURE_LIMIT_PER_ADDRESS
    return get_failure_limit(request, credentials)


class PortalAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler with a limit of its own for each lockout parameter.

    django-axes compares the largest count over AXES_LOCKOUT_PARAMETERS with one AXES_FAILURE_LIMIT.
    Here each count is measured against its own limit: get_failures answers AXES_FAILURE_LIMIT plus the
    largest (count - limit), so "get_failures >= AXES_FAILURE_LIMIT", the test django-axes makes, holds
    exactly when some count has reached its own limit.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        worst = max(
            (qs.aggregate(total=Sum("failures_since_start"))["total"] or 0)
            - _limit_for(parameter, request, credentials)
            for parameter, qs in zip(parameters, attempts, strict=True)
        )
        return max(0, get_failure_limit(request, credentials) + worst)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """A successful sign-in clears that account's failures, from every address, and nothing else.

        django-axes would also clear every failure from the address the person signed in from: then anyone
        with an account could spray other accounts and clear the address's count by signing in as
        themselves in between.
        """
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def record_password_reset_request(*, email: str, ip_address: str | None) -> bool:
    """Record a request for a reset email; True if it may be sent (under both hourly limits).

    The row is written (and committed: requests run in autocommit) before the counts are read, so two
    requests at the same moment each see the other: at worst both are refused, never both sent over
    the limit. Counts are the same whether or not the email belongs to anyone.
    """
    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    digest = email_digest(email)
    PasswordResetRequest.objects.filter(requested_at__lt=now - timedelta(days=1)).delete()
    PasswordResetRequest.objects.create(email_digest=digest, ip_address=ip_address, requested_at=now)
    recent = PasswordResetRequest.objects.filter(requested_at__gte=hour_ago)
    counts = recent.aggregate(
        for_email=Count("pk", filter=Q(email_digest=digest)),
        from_ip=Count("pk", filter=Q(ip_address=ip_address)),
    )
    return counts["for_email"] <= settings.PASSWORD_RESET_EMAILS_PER_HOUR and (
        ip_address is None or counts["from_ip"] <= settings.PASSWORD_RESET_REQUESTS_PER_IP_PER_HOUR
    )
