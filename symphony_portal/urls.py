from django.contrib import admin
from django.urls import include, path

from symphony_portal import health

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
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
