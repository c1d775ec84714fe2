"""When the database is down or hung, every page answers the portal's own "temporarily unavailable" (503).

PostgreSQL connections carry a connect timeout and a statement timeout (settings.DATABASES, from
DATABASE_CONNECT_TIMEOUT and DATABASE_STATEMENT_TIMEOUT), so a dead or stuck database ends in
`OperationalError`/`InterfaceError` within seconds instead of holding a worker. The error can surface in
the view or in any middleware before it (the session and the signed-in user are read from the database),
and Django turns an exception raised in a middleware into a 500 response where it happens. So:

- `got_request_exception` (sent for every uncaught exception, wherever it was raised) marks the request;
- `DatabaseUnavailableMiddleware`, first in MIDDLEWARE, swaps whatever response came back for the 503
  page, rendered without the database (no context processors, no user, no session), and logs one line;
- `HideDatabaseUnavailableTraceback` keeps Django's own "Internal Server Error" traceback out of the log
  for these (the one line above says it all).

Nothing needs restarting: Django drops a connection that failed and opens a new one on the next request.
"""

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
_MARK = "_database_unavailable"


def _mark_request(sender, request: HttpRequest | None = None, **kwargs) -> None:
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        setattr(request, _MARK, error)


def is_database_unavailable(request: HttpRequest) -> bool:
    """Whether a database failure was seen while answering this request."""
    return getattr(request, _MARK, None) is not None


FALLBACK_PAGE = (
    '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Temporarily unavailable</title>'
    "</head><body><main><h1>The portal is temporarily unavailable</h1><p>Please try again in a minute or "
    "two.</p></main></body></html>"
)


def unavailable_response() -> HttpResponse:
    """The 503 page: the portal's look, and nothing that needs the database."""
    try:
        page = render_to_string("503.html")
    except Exception:  # e.g. static files not collected: the page must still be served, plainly
        logger.exception("The 503 page could not be rendered; serving the plain one.")
        page = FALLBACK_PAGE
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # DatabaseUnavailableMiddleware logs it once, in its own words
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with the portal's own page when the database failed anywhere in the request."""

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_mark_request, dispatch_uid="symphony_database_unavailable")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except DATABASE_ERRORS as error:  # only if something re-raised past Django's own conversion
            setattr(request, _MARK, error)
            response = None
        error = getattr(request, _MARK, None)
        if error is None:
            return response
        logger.error(
            "Database unavailable: %s %s answered 503 (%s: %s)",
            request.method,
            request.path,
            type(error).__name__,
            str(error).strip().splitlines()[0] if str(error).strip() else "",
        )
        return unavailable_response()


class HideDatabaseUnavailableTraceback(logging.Filter):
    """Drop django.request's traceback for a database outage: DatabaseUnavailableMiddleware logs it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DATABASE_ERRORS))
