"""`/healthz`: whether this host can serve, for load balancers and monitoring.

No sign-in, no personal data, never cached. It answers JSON, 200 when the database, the private storage
and the task queue all answer, 503 otherwise, with the age of the oldest task waiting in the queue (a
growing age means no worker is running). Each check is bounded in time: the database by its connect and
statement timeouts (settings.DATABASES), the storage by STORAGE_TIMEOUT_SECONDS, so a load balancer
gets its answer within seconds even when a dependency hangs.
"""

import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection
from django.db.models import Min, Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from symphony_portal.lib.storage import private_storage

logger = logging.getLogger(__name__)

# Probe files are written (and deleted at once) here, apart from every real file.
HEALTH_PREFIX = "healthz"
# One thread per probe of the storage, so a storage that does not answer cannot hold the request.
_STORAGE_PROBES = ThreadPoolExecutor(max_workers=2, thread_name_prefix="healthz-storage")


def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return False, type(error).__name__
    return True, "ok"


def _check_queue() -> tuple[bool, str, float | None]:
    """Whether the task queue (a database table) answers, and how long its oldest ready task has waited.

    A ready task waits from when it was enqueued, or from its run_after if it was put off (a mail retry).
    """
    now = timezone.now()
    try:
        oldest = DBTaskResult.objects.filter(status=TaskResultStatus.READY).aggregate(
            enqueued=Min("enqueued_at", filter=Q(run_after=get_date_max())),
            due=Min("run_after", filter=Q(run_after__lte=now)),
        )
    except DatabaseError as error:
        return False, type(error).__name__, None
    waiting_since = [moment for moment in oldest.values() if moment is not None]
    if not waiting_since:
        return True, "ok", None
    return True, "ok", round(max(0.0, (now - min(waiting_since)).total_seconds()), 1)


def _probe_storage() -> None:
    storage = private_storage()
    name = storage.save(f"{HEALTH_PREFIX}/probe-{uuid.uuid4().hex}", ContentFile(b"ok"))
    storage.delete(name)


def _check_storage() -> tuple[bool, str]:
    future = _STORAGE_PROBES.submit(_probe_storage)
    try:
        future.result(timeout=settings.STORAGE_TIMEOUT_SECONDS)
    except FutureTimeout:
        return False, "timeout"
    except Exception as error:  # any failure of the backend (OSError, botocore's errors) means unreachable
        logger.warning("Health check: the private storage failed (%s: %s)", type(error).__name__, error)
        return False, type(error).__name__
    return True, "ok"


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def healthz(request):
    started = time.monotonic()
    database_ok, database = _check_database()
    queue_ok, queue, oldest_age = _check_queue() if database_ok else (False, "database unavailable", None)
    storage_ok, storage = _check_storage()
    healthy = database_ok and queue_ok and storage_ok
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": database,
        "storage": storage,
        "task_queue": queue,
        "oldest_queued_task_age_seconds": oldest_age,
        "took_seconds": round(time.monotonic() - started, 3),
    }
    response = JsonResponse(body, status=200 if healthy else 503)
    response["X-Content-Type-Options"] = (
        "nosniff"  # SecurityMiddleware, after HealthCheckMiddleware, is skipped
    )
    return response


class HealthCheckMiddleware:
    """Answer /healthz before any other middleware runs (first in settings.MIDDLEWARE).

    Sessions, the signed-in user and messages are read from the database by the middleware after this
    one, and DatabaseUnavailableMiddleware turns a database error there into the HTML 503 page: the
    health check must give its own JSON answer whatever cookie the caller sends. It is also answered
    whatever Host the load balancer asks for (often the host's own address, not in ALLOWED_HOSTS).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)
