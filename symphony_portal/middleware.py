"""Response headers every page carries: the Content-Security-Policy and, for signed-in people, no-store."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.cache import patch_cache_control

# Django's admin writes one inline <style> (the change list of a model without actions) and sets
# style attributes from its scripts; its scripts are all files. Only under /admin/ are inline styles
# allowed; scripts stay 'self' there too.
ADMIN_STYLE_SRC = [SELF, UNSAFE_INLINE]


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the one relaxation the admin needs, scoped to the admin's URLs."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(reverse("admin:index")):
            parts.replace = {**(parts.replace or {}), "style-src": ADMIN_STYLE_SRC}
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
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
