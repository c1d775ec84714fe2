"""Production settings: `check --deploy` is clean, and missing secrets stop the portal from starting."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "a-long-random-secret-key-for-this-test-only-0123456789-abcdefghijklmnop",
    "DJANGO_ALLOWED_HOSTS": "policies.symphony.example",
    "DATABASE_URL": "postgres://app:app@127.0.0.1:1/app",
    "EMAIL_HOST": "smtp.symphony.example",
}


def manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "EMAIL_", "AWS_", "SYMPHONY_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deploy_check_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_it_refuses_to_start_in_production_without_a_database_url():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DATABASE_URL"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DATABASE_URL must be set" in result.stderr


SEVERAL_HOSTS_ENV = {
    **PRODUCTION_ENV,
    "AWS_STORAGE_BUCKET_NAME": "symphony-portal-private",
    "AWS_S3_ENDPOINT_URL": "https://objects.symphony.example",
    "AWS_S3_REGION_NAME": "eu-west-2",
    "AWS_ACCESS_KEY_ID": "test-access-key",
    "AWS_SECRET_ACCESS_KEY": "test-secret-key",
}

SHOW_STORAGE = (
    "from django.conf import settings; from symphony_portal.lib.storage import private_storage; "
    "s = private_storage(); print(type(s).__name__, s.bucket_name, s.endpoint_url, s.region_name, "
    "s.default_acl, s.querystring_auth, s.file_overwrite, settings.SESSION_ENGINE, settings.TASKS); "
    "from axes.conf import settings as axes; print(axes.AXES_HANDLER); "
    "from django.core.cache import caches; c = caches['default']; print(type(c).__name__, c._table)\n"
    "try:\n    s.url('evidence/x')\nexcept ValueError as error:\n    print('no url:', error)"
)


def test_it_passes_the_deploy_check_on_several_hosts_with_a_bucket():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=SEVERAL_HOSTS_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_keeps_private_files_in_the_private_bucket_and_request_state_in_the_database():
    result = manage("shell", "--no-imports", "-c", SHOW_STORAGE, env=SEVERAL_HOSTS_ENV)
    assert result.returncode == 0, result.stderr
    storage, axes_handler, cache, no_url = result.stdout.strip().splitlines()
    assert storage.startswith(
        "PrivateS3Storage symphony-portal-private https://objects.symphony.example eu-west-2 "
        "private True False "
        "django.contrib.sessions.backends.db {'default': {'BACKEND': 'django_tasks_db.DatabaseBackend'"
    ), storage
    # The portal's handler (its own limits per account and per address) keeps its counts in the database.
    assert axes_handler == "symphony_portal.trust.throttling.PortalAxesHandler"
    # The one cache is a table in the shared database, not each process's memory.
    assert cache == "DatabaseCache portal_cache"
    assert no_url.startswith("no url: Private files have no address")


def test_it_keeps_private_files_on_the_local_disk_without_a_bucket():
    show = "from symphony_portal.lib.storage import private_storage; print(type(private_storage()).__name__)"
    result = manage("shell", "--no-imports", "-c", show, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "PrivateFileSystemStorage"
