"""The portal's own page for a request Django refuses before any view sees it (400 Bad Request).

Django refuses a request with more files than DATA_UPLOAD_MAX_NUMBER_FILES, more fields than
DATA_UPLOAD_MAX_NUMBER_FIELDS or a body over DATA_UPLOAD_MAX_MEMORY_SIZE while reading it, so nothing
that was typed reaches the form. The page says what happened in plain words and offers the way back to
the page the person came from (only if it is one of the portal's own), signed in as they were.
"""

from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

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


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    explanation = next((text for kind, text in EXPLANATIONS if isinstance(exception, kind)), GENERAL)
    back = request.path if request.method == "POST" else request.headers.get("Referer", "")
    try:
        host = request.get_host()
    except DisallowedHost:  # the request was refused for its Host header: offer no way "back" there
        host = None
    if host is None or not url_has_allowed_host_and_scheme(back, allowed_hosts={host}, require_https=False):
        back = ""
    user = getattr(request, "user", None)
    home = reverse("policies:home") if user is not None and user.is_authenticated else reverse("login")
    context = {"explanation": explanation, "back": back, "home": home}
    return render(request, "400.html", context, status=400)
