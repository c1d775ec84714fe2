"""The portal's own error pages: 400 (a request Django refuses), 403, 404 and 500, in plain words.

Each keeps the portal's header, the menu for a signed-in person and a way back (the page they came from,
if it is one of the portal's own, and the home page). The 500 page must appear whatever broke, the
database included: it renders with the menu when it can and falls back to a page that needs nothing but
static files (no user, no session, no query) when it cannot.

400 Bad Request:
Django refuses a request with more files than DATA_UPLOAD_MAX_NUMBER_FILES, more fields than
DATA_UPLOAD_MAX_NUMBER_FIELDS or a body over DATA_UPLOAD_MAX_MEMORY_SIZE while reading it, so nothing
that was typed reaches the form. The page says what happened in plain words and offers the way back to
the page the person came from (only if it is one of the portal's own), signed in as they were.
"""

import logging

from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .unavailable import DATABASE_ERRORS, is_database_unavailable, unavailable_response

EXPLANATIONS = [
    (
        TooManyFilesSent,
        "You chose more files than the portal accepts at once (a report takes up to 5), so nothing was "
        "sent or saved.",
    ),
    (
        RequestDataTooBig,
        "What you sent was too large for the portal to accept (files can be up to 10 MB each, 5 per "
        "report), so nothing was sent or saved.",
    ),
    (TooManyFieldsSent, "The form sent more fields than the portal accepts, so nothing was saved."),
]
GENERAL = "The portal could not read what your browser sent, so nothing was saved."


logger = logging.getLogger(__name__)

# What a refusal may say about itself: the rules' own sentences ("Only HR can import people.") are written
# for people; anything longer or not a sentence is left out.
MAX_REASON = 200
PLAIN_500 = (
    '<!doctype html><html lang="en-GB"><title>Something went wrong</title><h1>Something went wrong</h1>'
    '<p>The portal could not show this page. Please try again in a minute or two.</p><p><a href="/">'
    "Go to the portal's home page</a></p></html>"
)


def _way_back(request: HttpRequest, *, back: str | None = None) -> tuple[str, str]:
    """The page the person came from (only one of the portal's own) and the home page (or sign-in).

    ``back`` is the candidate (the Referer unless given); it is offered only if it is on this host, with
    the request's scheme, and not the page that failed.
    """
    if back is None:
        back = request.headers.get("Referer", "")
    try:
        host = request.get_host()
    except DisallowedHost:  # refused for its Host header: no way "back" to it
        host = None
    if (
        host is None
        or back == request.build_absolute_uri()
        or not url_has_allowed_host_and_scheme(back, allowed_hosts={host}, require_https=request.is_secure())
    ):
        back = ""
    user = getattr(request, "user", None)
    home = reverse("policies:home") if user is not None and user.is_authenticated else reverse("login")
    return back, home


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    explanation = next((text for kind, text in EXPLANATIONS if isinstance(exception, kind)), GENERAL)
    # A refused form goes back to the form itself (its address), anything else to where it came from.
    back, home = _way_back(request, back=request.path if request.method == "POST" else None)
    context = {"explanation": explanation, "back": back, "home": home}
    return render(request, "400.html", context, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: the page exists but is not for this person; the rule's own sentence says who it is for."""
    reason = str(exception) if exception is not None else ""
    if len(reason) > MAX_REASON or not reason.endswith("."):
        reason = ""
    back, home = _way_back(request)
    return render(request, "403.html", {"reason": reason, "back": back, "home": home}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: the same words whether the page never existed or is hidden from this person (never say which)."""
    back, home = _way_back(request)
    return render(request, "404.html", {"back": back, "home": home}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: with the menu if the portal can still draw it; otherwise a page that needs no database.

    A database outage is the "temporarily unavailable" page's (503, unavailable.py), logged there once.
    """
    if is_database_unavailable(request):
        return unavailable_response()
    try:
        back, home = _way_back(request)
        return render(request, "500.html", {"back": back, "home": home}, status=500)
    except DATABASE_ERRORS as error:  # the database failed while drawing the menu: one line, no traceback
        logger.error("The 500 page could not be drawn with the menu (%s); serving the one without.", error)
    except Exception:  # whatever broke the page may break its error page too (a template, a setting)
        logger.exception("The 500 page could not be drawn with the menu; serving the one without.")
    try:
        page = render_to_string("500_no_database.html")
    except Exception:
        logger.exception("The 500 page without the menu could not be drawn either; serving plain text.")
        page = PLAIN_500
    return HttpResponse(page, status=500)
