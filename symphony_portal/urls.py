from django.contrib import admin
from django.urls import include, path

from symphony_portal import health
from symphony_portal.csp_reports import csp_report
from symphony_portal.trust.account_views import password_reset

urlpatterns = [
    # For load balancers and monitoring: no sign-in, no personal data (symphony_portal/health.py, whose
    # middleware answers it before any other; the route names it for reverse() and the URL table).
    path("healthz", health.healthz, name="healthz"),
    path("", include("policies.urls")),
    path("acknowledgements/", include("acknowledgements.urls")),
    path("reports/", include("reports.urls")),
    path("approvals/", include("approvals.urls")),
    path("people/", include("symphony_portal.trust.urls")),
    path("mail/", include("symphony_portal.mail.urls")),
    # Before Django's own: the reset request is throttled and its email queued (trust/account_views.py).
    path("accounts/password_reset/", password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("csp-report/", csp_report, name="csp_report"),
]

# Requests Django refuses while reading them (too many files, too large) get the portal's own page.
handler400 = "symphony_portal.errors.bad_request"
# The portal's own pages for refusals, missing pages and failures (symphony_portal/errors.py).
handler403 = "symphony_portal.errors.permission_denied"
handler404 = "symphony_portal.errors.page_not_found"
handler500 = "symphony_portal.errors.server_error"
