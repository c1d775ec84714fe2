"""Settings for the Symphony policy portal, read from the environment.

`DJANGO_ENV` chooses the defaults: "development" (the default, used by `make run` and the tests) runs
with SQLite under var/, the console email backend and DEBUG on; "production" refuses to start without
a secret key, allowed hosts and a database URL, and turns on every HTTPS protection. Every variable is
listed in README.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def required(name: str) -> str:
    value = env(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production (see README.md).")
    return value


ENVIRONMENT = env("DJANGO_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = ENVIRONMENT == "production"

if PRODUCTION:
    SECRET_KEY = required("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or [required("DJANGO_ALLOWED_HOSTS")]
    DEBUG = False
else:
    # Only ever used on a developer's machine: production refuses to start without its own key.
    SECRET_KEY = env("DJANGO_SECRET_KEY") or "development-only-insecure-key-do-not-use-in-production"
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    DEBUG = env_bool("DJANGO_DEBUG", True)

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
TRUST_NAME = "Symphony Learning Trust"

INSTALLED_APPS = [
    "symphony_portal.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "csp",
    # Sign-in stages and the second factor (TOTP with recovery codes): django-allauth's account and mfa
    # apps. The password form stays the portal's own (symphony_portal/trust/account_views.py).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Single sign-on with the trust's Microsoft or Google accounts (OpenID Connect), matched to people by
    # email and never creating one (symphony_portal/trust/single_sign_on.py).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "symphony_portal.trust",
    "symphony_portal.mail",
    "policies",
    "reports",
    "acknowledgements",
    "approvals",
]

MIDDLEWARE = [
    # /healthz, for load balancers, answers before anything reads the session or the database's user.
    "symphony_portal.health.HealthCheckMiddleware",
    # First, so that it sees a database failure in any middleware after it (sessions, the signed-in
    # user) as well as in the view, and answers the portal's own 503 page.
    "symphony_portal.unavailable.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A strict Content-Security-Policy on every response (see CONTENT_SECURITY_POLICY below).
    "symphony_portal.middleware.PortalCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs sign-in unless its view is marked login_not_required (sign-in, password reset).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Nothing shown to a signed-in person is kept by a browser or a shared cache.
    "symphony_portal.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # django-allauth's sign-in stages (the second factor asked between password and session).
    "allauth.account.middleware.AccountMiddleware",
    # Those who must use a second factor reach nothing else until they have one and have used it
    # (symphony_portal/trust/second_factor.py).
    "symphony_portal.trust.second_factor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # WhiteNoise serves the collected static files in production; in development runserver does.
    MIDDLEWARE.insert(3, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "symphony_portal.urls"
WSGI_APPLICATION = "symphony_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "symphony_portal.trust.context_processors.trust",
            ],
        },
    },
]

VAR_DIR = Path(env("SYMPHONY_VAR_DIR", str(BASE_DIR / "var")))

# A database that is down or hung must not hold a worker: PostgreSQL connections give up connecting after
# DATABASE_CONNECT_TIMEOUT seconds and cancel any statement running longer than DATABASE_STATEMENT_TIMEOUT
# seconds (0: no limit, e.g. for a long migration); the portal then answers its "temporarily unavailable"
# page (symphony_portal/unavailable.py).
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 5)
DATABASE_STATEMENT_TIMEOUT = env_int("DATABASE_STATEMENT_TIMEOUT", 5)


def with_timeouts(database: dict) -> dict:
    """Add the connect and statement timeouts to a PostgreSQL database's OPTIONS (others unchanged)."""
    if not database["ENGINE"].endswith("postgresql"):
        return database
    options = dict(database.get("OPTIONS") or {})
    options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
    # A connection whose packets go unanswered (the database host unreachable mid-request) is dropped
    # by the kernel after this long instead of waiting for TCP's retries (about 15 minutes).
    options.setdefault("tcp_user_timeout", DATABASE_CONNECT_TIMEOUT * 1000)
    # JIT compilation off: it pays only for long analytical queries, and the portal's are short ones
    # whose estimates cross jit_above_cost. The reminder run's one query for everyone waiting (30
    # policies, 5,000 people) took 6.4 s with it, past the statement timeout, and 0.9 s without.
    statement = f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT * 1000} -c jit=off"
    options["options"] = f"{options['options']} {statement}" if options.get("options") else statement
    # A kept connection is checked before a request reuses it, so one broken by a database restart is
    # replaced instead of failing that request.
    return {**database, "OPTIONS": options, "CONN_HEALTH_CHECKS": True}


if PRODUCTION:
    DATABASES = {"default": with_timeouts(dj_database_url.parse(required("DATABASE_URL"), conn_max_age=60))}
elif env("DATABASE_URL"):
    DATABASES = {"default": with_timeouts(dj_database_url.parse(env("DATABASE_URL")))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # Wait for a writer rather than failing at once when two requests overlap (SQLite's busy
            # timeout, in seconds).
            "OPTIONS": {"timeout": 20},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "trust.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-allauth: nobody signs up (people come from HR's import), people sign in by email, and the only
# sign-in stage it adds is the second factor (symphony_portal/trust/second_factor.py).
ACCOUNT_ADAPTER = "symphony_portal.trust.second_factor.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_REAUTHENTICATION_METHODS = ["password", "mfa"]
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
MFA_ADAPTER = "symphony_portal.trust.second_factor.PortalMFAAdapter"
# TOTP with recovery codes. Passkeys (WebAuthn) need allauth's inline scripts, which the strict
# Content-Security-Policy refuses: not offered yet.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = TRUST_NAME
MFA_TRUST_ENABLED = False
# Off only in tests that are not about the second factor (tests/conftest.py); on everywhere else.
SECOND_FACTOR_REQUIRED = True
# Single sign-on (README, "Single sign-on"): each provider is offered only when its client id, secret and
# tenant / domain come from the environment. Both use allauth's OpenID Connect provider, whose server URL
# the tests point at a provider on loopback.
SOCIALACCOUNT_ADAPTER = "symphony_portal.trust.single_sign_on.PortalSocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_ONLY = False
SSO_MICROSOFT_TENANT_ID = env("SSO_MICROSOFT_TENANT_ID", "")
SSO_GOOGLE_HOSTED_DOMAIN = (env("SSO_GOOGLE_HOSTED_DOMAIN", "") or "").lower()
_sign_in_apps = []
if env("SSO_MICROSOFT_CLIENT_ID") and env("SSO_MICROSOFT_CLIENT_SECRET") and SSO_MICROSOFT_TENANT_ID:
    _sign_in_apps.append(
        {
            "provider_id": "microsoft",
            "name": "Microsoft",
            "client_id": env("SSO_MICROSOFT_CLIENT_ID"),
            "secret": env("SSO_MICROSOFT_CLIENT_SECRET"),
            "settings": {
                "server_url": env(
                    "SSO_MICROSOFT_SERVER_URL",
                    f"https://login.microsoftonline.com/{SSO_MICROSOFT_TENANT_ID}/v2.0",
                ),
                "fetch_userinfo": False,
                "tenant": SSO_MICROSOFT_TENANT_ID,
            },
        }
    )
if env("SSO_GOOGLE_CLIENT_ID") and env("SSO_GOOGLE_CLIENT_SECRET") and SSO_GOOGLE_HOSTED_DOMAIN:
    _sign_in_apps.append(
        {
            "provider_id": "google",
            "name": "Google",
            "client_id": env("SSO_GOOGLE_CLIENT_ID"),
            "secret": env("SSO_GOOGLE_CLIENT_SECRET"),
            "settings": {
                "server_url": env("SSO_GOOGLE_SERVER_URL", "https://accounts.google.com"),
                "fetch_userinfo": False,
                "hosted_domain": SSO_GOOGLE_HOSTED_DOMAIN,
                # Google shows only the trust's domain's accounts; the hd claim is still checked.
                "auth_params": {"hd": SSO_GOOGLE_HOSTED_DOMAIN},
            },
        }
    )
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": _sign_in_apps}}
# Off: employees sign in only through the trust's Microsoft or Google account; governors, trustees (who
# have no trust account) and superusers (to repair single sign-on) keep the password.
PASSWORD_SIGN_IN_FOR_EMPLOYEES = env_bool("PASSWORD_SIGN_IN_FOR_EMPLOYEES", True)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "policies:home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
# Reset emails: at most this many an hour to one email address, requests from one client address.
PASSWORD_RESET_EMAILS_PER_HOUR = env_int("PASSWORD_RESET_EMAILS_PER_HOUR", 3)
PASSWORD_RESET_REQUESTS_PER_IP_PER_HOUR = env_int("PASSWORD_RESET_REQUESTS_PER_IP_PER_HOUR", 20)

# Failed sign-ins are counted per account and address, per account and per address, each against its
# own limit (symphony_portal/trust/throttling.py); any one reached pauses sign-in until the cool-off.
AXES_HANDLER = "symphony_portal.trust.throttling.PortalAxesHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_FAILURE_LIMIT_PER_ACCOUNT = env_int("AXES_FAILURE_LIMIT_PER_ACCOUNT", 10)
AXES_FAILURE_LIMIT_PER_ADDRESS = env_int("AXES_FAILURE_LIMIT_PER_ADDRESS", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_CALLABLE = "symphony_portal.trust.backends.axes_username"
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0) or None

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Private files (evidence, the sign-off packs) go through Django's storage API: another backend here
    # (an S3-compatible bucket when AWS_STORAGE_BUCKET_NAME is set, below): symphony_portal/lib/storage.py.
    "private": {"BACKEND": "symphony_portal.lib.storage.PrivateFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# A request stores at most UPLOAD_MAX_STORED_FILES uploaded files; the rest are read, dropped and
# counted (symphony_portal/uploads.py), so a form can say how many were chosen and keep what was typed.
# More than DATA_UPLOAD_MAX_NUMBER_FILES, or a body over DATA_UPLOAD_MAX_MEMORY_SIZE, gets the portal's
# own 400 page (symphony_portal/errors.py).
FILE_UPLOAD_HANDLERS = [
    "symphony_portal.uploads.BoundedFileCountHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
UPLOAD_MAX_STORED_FILES = 10
DATA_UPLOAD_MAX_NUMBER_FILES = 1000
# Uploaded evidence lives here, outside anything served publicly; files leave only through views
# that check permission.
PRIVATE_MEDIA_ROOT = Path(env("SYMPHONY_PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))

# On several hosts (README.md, "Running on several hosts") private files live in one S3-compatible bucket
# that every web host and worker reads and writes, through django-storages. The bucket is never public:
# objects are written with a private ACL, the portal never hands out their addresses (PrivateS3Storage has
# no url()), and downloads are streamed through the views that check permission.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", "")
# Each call to the bucket (and /healthz's check of it) gives up after this many seconds.
STORAGE_TIMEOUT_SECONDS = env_int("STORAGE_TIMEOUT_SECONDS", 5)
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["private"] = {
        "BACKEND": "symphony_portal.lib.s3_storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # Empty for AWS itself; the address of any other S3-compatible service (MinIO, Ceph, ...).
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            # Unset: boto3's own chain (instance role, ~/.aws) finds the credentials.
            "access_key": env("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY") or None,
            # "path" for services that do not answer bucket.host addresses; empty: boto3 chooses.
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE") or None,
            "default_acl": "private",
            "querystring_auth": True,
            # Two hosts saving the same name get two objects, never one overwriting the other.
            "file_overwrite": False,
        },
    }

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

DEFAULT_FROM_EMAIL = env(
    "DJANGO_DEFAULT_FROM_EMAIL", "Symphony policy portal <policies@symphonylearning.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Every email, Django's own included, is written to the outbox (symphony_portal/mail) in the transaction
# that causes it; the delivery task sends it through PORTAL_SENDING_EMAIL_BACKEND. Web requests never
# talk to the mail server.
EMAIL_BACKEND = "symphony_portal.mail.backends.OutboxBackend"
if env("EMAIL_HOST"):
    PORTAL_SENDING_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
elif PRODUCTION:
    raise ImproperlyConfigured("EMAIL_HOST must be set when DJANGO_ENV=production (see README.md).")
else:
    PORTAL_SENDING_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
PORTAL_SENDING_EMAIL_BACKEND = env("PORTAL_SENDING_EMAIL_BACKEND", PORTAL_SENDING_EMAIL_BACKEND)
# A message the server answers 4xx (or that a lost connection interrupts) is tried again after
# PORTAL_MAIL_RETRY_SECONDS, then twice as long each time (at most six hours), PORTAL_MAIL_MAX_ATTEMPTS
# tries in all (the default gives up after about 17 hours); a 5xx answer fails it at once.
PORTAL_MAIL_RETRY_SECONDS = env_int("PORTAL_MAIL_RETRY_SECONDS", 60)
PORTAL_MAIL_MAX_ATTEMPTS = env_int("PORTAL_MAIL_MAX_ATTEMPTS", 10)
# `manage.py prune_sent_mail` (cron, daily) deletes sent emails older than this from the outbox; failed,
# retrying and queued ones are never deleted.
PORTAL_MAIL_KEEP_SENT_DAYS = env_int("PORTAL_MAIL_KEEP_SENT_DAYS", 90)
if PORTAL_MAIL_KEEP_SENT_DAYS < 2:
    raise ImproperlyConfigured("PORTAL_MAIL_KEEP_SENT_DAYS must be at least 2 (reminders are keyed by day).")
# The task backend (an alias of TASKS) that runs the delivery task.
PORTAL_MAIL_TASK_BACKEND = env("PORTAL_MAIL_TASK_BACKEND", "default")

# Nothing a request needs is kept on one host, so any host can answer any request (README.md, "Running on
# several hosts"): sessions are in the database (Django's default engine, sessions.backends.db),
# so are django-axes' failed sign-in counters (its default database handler), the task queue
# (django-tasks-db) and the cache (Django's DatabaseCache, in the table PORTAL_CACHE_TABLE, which the
# migration policies 0007 creates, so every `migrate` makes it); messages ride in the cookie or the session.
# The cache holds only what is computed from adopted policy text, which never changes (an adopted version's
# fingerprint and its rendered clauses, keyed by the version and its creation time), so what one host
# computed is served by every other, and an entry can be missing but never wrong. Entries never expire;
# past MAX_ENTRIES a third are dropped (an adopted version is two entries, so this is ample for any trust).
PORTAL_CACHE_TABLE = "portal_cache"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": PORTAL_CACHE_TABLE,
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 3},
    },
    # Each process's own memory, in front of the table for what never changes under its key and is cheaper
    # to keep than to ask the database for: an adopted version's fingerprint and rendered clauses, home's
    # list of live policies (keyed by each live version and its creation time, the day and the person's
    # kind). Nothing to invalidate, so nothing is shared. Never for what changes (allauth's rate limits
    # and used TOTP codes live in "default", shared by every process).
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "symphony-local",
        "TIMEOUT": 60 * 60 * 24,
        "OPTIONS": {"MAX_ENTRIES": 300},
    },
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The portal loads only its own static files: no inline script or style anywhere (the admin alone may
# use one style attribute of django-simple-history's: symphony_portal/middleware.py), no plugins, no
# framing, forms post only here.
# Browsers report violations to the csp_report view, which logs them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "report-uri": ["/csp-report/"],
    },
}
# A violation report bigger than this is not read (browsers send a few hundred bytes).
CSP_REPORT_MAX_BYTES = 8 * 1024

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# Work that outlasts a request (mail, the sign-off pack) runs on Django's task framework with its
# database backend: a task enqueued inside a transaction exists only if that transaction commits.
# Workers are `manage.py db_worker` processes (any number, on any host); `db_worker --batch` drains
# the queue once and exits.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "database_unavailable": {"()": "symphony_portal.unavailable.HideDatabaseUnavailableTraceback"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "symphony_portal.csp": {"level": "WARNING"},
        # A database outage is logged once, without a traceback, by symphony_portal.unavailable.
        "django.request": {"filters": ["database_unavailable"]},
    },
}

# --- acknowledgements ---
# A reminder goes to each person at most once every N days; their Head hears once they have had M.
ACKNOWLEDGEMENT_REMINDER_DAYS = env_int("ACKNOWLEDGEMENT_REMINDER_DAYS", 7)
ACKNOWLEDGEMENT_REMINDERS_BEFORE_HEAD = env_int("ACKNOWLEDGEMENT_REMINDERS_BEFORE_HEAD", 3)

# --- PDF exports (symphony_portal/lib/pdf.py) ---
# Rendering is stopped after this many seconds and the person is told; keep it below the web server's
# request timeout.
PDF_RENDER_TIMEOUT_SECONDS = env_int("SYMPHONY_PDF_TIMEOUT_SECONDS", 25)
# Paths to PEM files: with both set, exported PDFs carry a PAdES signature; without them they are
# unsigned and say so.
# The sign-off pack is made off the request path (a task run by `manage.py db_worker`), so it may take
# longer; a build not finished within this (plus a minute) counts as failed and can be prepared again.
SIGNOFF_PACK_TIMEOUT_SECONDS = env_int("SYMPHONY_SIGNOFF_PACK_TIMEOUT_SECONDS", 600)
# Confirming a people import is applied by a task (`manage.py db_worker`); a job not finished within this
# counts as failed (nothing is written: the import is one transaction) and HR can confirm it again.
PEOPLE_IMPORT_TIMEOUT_SECONDS = env_int("SYMPHONY_PEOPLE_IMPORT_TIMEOUT_SECONDS", 300)
# A build's other time limits: it says it is alive this often while it works; one silent for
# SIGNOFF_PACK_STALE_AFTER_SECONDS (several heartbeats: a worker killed or restarted) has failed; reading
# the register, signing and storing get SIGNOFF_PACK_GRACE_SECONDS beyond the PDF's own limit.
SIGNOFF_PACK_HEARTBEAT_SECONDS = env_int("SYMPHONY_SIGNOFF_PACK_HEARTBEAT_SECONDS", 5)
SIGNOFF_PACK_STALE_AFTER_SECONDS = env_int("SYMPHONY_SIGNOFF_PACK_STALE_AFTER_SECONDS", 60)
SIGNOFF_PACK_GRACE_SECONDS = env_int("SYMPHONY_SIGNOFF_PACK_GRACE_SECONDS", 60)
if SIGNOFF_PACK_STALE_AFTER_SECONDS < 2 * SIGNOFF_PACK_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "SYMPHONY_SIGNOFF_PACK_STALE_AFTER_SECONDS must be at least twice "
        "SYMPHONY_SIGNOFF_PACK_HEARTBEAT_SECONDS, or a working build would be taken for dead."
    )
SYMPHONY_SIGNING_KEY = env("SYMPHONY_SIGNING_KEY", "")
SYMPHONY_SIGNING_CERT = env("SYMPHONY_SIGNING_CERT", "")
SYMPHONY_SIGNING_KEY_PASSPHRASE = env("SYMPHONY_SIGNING_KEY_PASSPHRASE", "")
if bool(SYMPHONY_SIGNING_KEY) != bool(SYMPHONY_SIGNING_CERT):
    raise ImproperlyConfigured("Set both SYMPHONY_SIGNING_KEY and SYMPHONY_SIGNING_CERT, or neither.")
