"""Response headers every page carries: the Content-Security-Policy and, for signed-in people, no-store."""

from csp.constants import UNSAFE_HASHES
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import empty

from symphony_portal.trust.single_sign_on import sign_in_provider_origins

# Django's admin (5.2) runs under the strict policy: its scripts are files and it sets styles through
# the DOM. django-simple-history's history page has one style attribute (`style="border-top: 0"`);
# under /admin/ only, exactly that attribute is allowed by its hash (tests/browser/test_csp_journey.py
# opens the page). Nothing else is relaxed, and scripts stay 'self' there too.
SIGN_IN_PATHS = ("/accounts/login/", "/accounts/oidc/")
ADMIN_STYLE_ATTR_SRC = [UNSAFE_HASHES, "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"]


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the one allowance the admin needs, scoped to the admin's URLs."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(reverse("admin:index")):
            parts.update = {**(parts.update or {}), "style-src-attr": ADMIN_STYLE_ATTR_SRC}
        # "Sign in with ..." posts here and is redirected to the trust's provider: browsers hold a form's
        # redirect to form-action too, so the sign-in pages also allow the configured providers' origins.
        if not report_only and request.path_info.startswith(SIGN_IN_PATHS):
            origins = sign_in_provider_origins()
            if origins:
                parts.update = {**(parts.update or {}), "form-action": ["'self'", *origins]}
        return parts


class PrivateNoStoreMiddleware:
    """Every response to a signed-in person is `Cache-Control: no-store, private`.

    What a signed-in person sees is theirs (their acknowledgements, a school's compliance, a report),
    so no browser cache or proxy may keep it: the back button after signing out on a shared staff-room
    computer must not show it. Static files never reach this middleware (WhiteNoise answers them first).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self._maybe_signed_in(request):
            patch_cache_control(response, no_store=True, private=True)
        return response

    @staticmethod
    def _maybe_signed_in(request: HttpRequest) -> bool:
        """Decided without the database: a request that carries a session, or whose user was already
        read and is signed in. Reading the user here could wait on a database that is down a second
        time, after the request already failed on it (the 503 page must come within one timeout)."""
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return True
        user = getattr(request, "user", None)
        loaded = user is not None and getattr(user, "_wrapped", None) is not empty
        return bool(loaded and user.is_authenticated)
