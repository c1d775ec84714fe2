from allauth.account import views as allauth_account_views
from allauth.mfa.base import views as mfa_views
from allauth.mfa.recovery_codes import views as recovery_code_views
from allauth.mfa.totp import views as totp_views
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from symphony_portal import health
from symphony_portal.csp_reports import csp_report
from symphony_portal.trust import second_factor
from symphony_portal.trust.account_views import login, password_reset

# The second factor (django-allauth's mfa views, with the portal's templates in templates/mfa/). Entering
# the code comes between password and session, so it is open before sign-in (allauth checks that a
# password sign-in is waiting for it).
second_factor_urls = [
    path("", mfa_views.index, name="mfa_index"),
    path("authenticate/", login_not_required(mfa_views.authenticate), name="mfa_authenticate"),
    path("reauthenticate/", mfa_views.reauthenticate, name="mfa_reauthenticate"),
    path("totp/activate/", second_factor.activate_totp, name="mfa_activate_totp"),
    path("totp/deactivate/", totp_views.deactivate_totp, name="mfa_deactivate_totp"),
    path("recovery-codes/", recovery_code_views.view_recovery_codes, name="mfa_view_recovery_codes"),
    path(
        "recovery-codes/generate/",
        recovery_code_views.generate_recovery_codes,
        name="mfa_generate_recovery_codes",
    ),
    path(
        "recovery-codes/download/",
        recovery_code_views.download_recovery_codes,
        name="mfa_download_recovery_codes",
    ),
]

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
    # Sign-in: Django's form and django-axes, then allauth's stages (trust/account_views.py). allauth's
    # own views name it "account_login".
    path("accounts/login/", login, name="login"),
    path("accounts/login/", login, name="account_login"),
    # Confirming one's password before changing one's second factor (allauth's view).
    path("accounts/reauthenticate/", allauth_account_views.reauthenticate, name="account_reauthenticate"),
    path("accounts/2fa/", include(second_factor_urls)),
    # Single sign-on: allauth's OpenID Connect views, one provider id per configured provider
    # ("microsoft", "google"); who they let in is trust/single_sign_on.py.
    path("accounts/", include("allauth.socialaccount.providers.openid_connect.urls")),
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
