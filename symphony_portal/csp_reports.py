"""Where browsers report Content-Security-Policy violations: each report is logged, nothing is stored.

Browsers send these reports on their own, without the session's CSRF token and sometimes before anyone
has signed in (the sign-in page has the policy too), so the view needs no sign-in and is CSRF-exempt.
It accepts nothing else: a small body (CSP_REPORT_MAX_BYTES), a bounded number of logged reports a
minute per process (a page in a loop, or someone posting junk, cannot fill the logs), and every value
logged is cut short and made one line.
"""

import json
import logging
import threading
import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("symphony_portal.csp")

REPORTS_LOGGED_PER_MINUTE = 60
LOGGED_FIELDS = (
    "document-uri",
    "documentURL",
    "violated-directive",
    "effectiveDirective",
    "effective-directive",
    "blocked-uri",
    "blockedURL",
    "source-file",
    "sourceFile",
    "line-number",
    "lineNumber",
)


class _MinuteBudget:
    """At most `limit` reports logged in any one clock minute, in this process."""

    def __init__(self, limit: int):
        self.limit, self.minute, self.used = limit, 0, 0
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            minute = int(time.monotonic() // 60)
            if minute != self.minute:
                self.minute, self.used = minute, 0
            if self.used >= self.limit:
                return False
            self.used += 1
            return True


budget = _MinuteBudget(REPORTS_LOGGED_PER_MINUTE)


def _one_line(value, limit: int = 300) -> str:
    return " ".join(str(value).split())[:limit]


def _reports_in(body: bytes) -> list[dict]:
    """The reports in a body: report-uri's {"csp-report": {...}} or report-to's [{"body": {...}}]."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return []
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [data["csp-report"]]
    if isinstance(data, list):
        items = [item for item in data[:10] if isinstance(item, dict)]
        return [item["body"] for item in items if isinstance(item.get("body"), dict)]
    return []


@login_not_required
@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log a browser's Content-Security-Policy violation report; always answer 204 (or 413 if too big)."""
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    limit = settings.CSP_REPORT_MAX_BYTES
    if length > limit:
        return HttpResponse(status=413)
    body = request.read(limit + 1)
    if len(body) > limit:
        return HttpResponse(status=413)
    for report in _reports_in(body):
        if not budget.take():
            break
        fields = {key: _one_line(report[key]) for key in LOGGED_FIELDS if key in report}
        logger.warning("Content-Security-Policy violation: %s", json.dumps(fields, sort_keys=True))
    return HttpResponse(status=204)
