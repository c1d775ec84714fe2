"""Downloads of finished files from permission-checked views, with single byte ranges (RFC 9110 §14).

A download manager or a browser resuming a download asks for parts of a file (``Range: bytes=N-``);
answering those parts, rather than the whole file each time, lets it finish, and lets the view tell the
request that starts a download (one that includes the first byte) from the ones that continue it, so that
a download is recorded once.
"""

import re

from django.http import HttpRequest, HttpResponse

SINGLE_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def requested_range(request: HttpRequest, size: int, etag: str) -> tuple[int, int] | None | bool:
    """The (first, last) byte asked for; None for the whole file; False when no byte can be given (416).

    Several ranges, a malformed header, or an If-Range naming another version of the file give the whole
    file, as the RFC allows.
    """
    header = request.headers.get("Range", "")
    match = SINGLE_RANGE.match(header.strip())
    if not match or request.headers.get("If-Range", f'"{etag}"') != f'"{etag}"':
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":  # the last N bytes
        if int(last) == 0:
            return False
        return max(size - int(last), 0), size - 1
    first = int(first)
    last = size - 1 if last == "" else min(int(last), size - 1)
    if first >= size:
        return False
    if first > last:
        return None
    return first, last


def ranged_pdf_response(
    request: HttpRequest, content: bytes, filename: str, *, etag: str
) -> tuple[HttpResponse, bool]:
    """A private PDF attachment (whole, or the one range asked for) and whether it starts a download.

    ``etag`` names this exact file (its SHA-256). ``filename`` must be plain ASCII (e.g. from slugify).
    """
    size = len(content)
    wanted = requested_range(request, size, etag)
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        starts = False
    elif wanted is None:
        response = HttpResponse(content, content_type="application/pdf")
        starts = True
    else:
        first, last = wanted
        response = HttpResponse(content[first : last + 1], content_type="application/pdf", status=206)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        starts = first == 0
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(response.content))
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = f'"{etag}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response, starts
