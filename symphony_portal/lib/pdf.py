"""PDF documents: the ONLY place WeasyPrint is called, and where PDFs are signed and verified.

Every export renders a Django template to an HTML string and hands it to ``render_pdf``:

- WeasyPrint fetches nothing but the project's own static files (``/static/...`` URLs found by the
  staticfiles FileSystemFinder under STATICFILES_DIRS). ``file:``, ``http(s):``, ``data:`` and every other
  URL is refused, so HTML that slipped into a document (a clause, a name) can neither read the server's
  files nor reach the network.
- Rendering runs in a child process (the ``forkserver`` start method: no copy of the parent's threads or
  database connections) that is killed after a time limit; the caller gets ``PDFRenderError`` and never a
  half-made PDF. As with any multiprocessing code, a script that calls it must keep its work under
  ``if __name__ == "__main__":`` (manage.py, gunicorn and pytest do). The PDF is built in memory;
  ``write_atomically`` is for callers that keep files.
- The output is PDF/A-3b (archival, fonts embedded), with optional file attachments (``PDFAttachment``).
- ``sign_pdf`` adds an invisible PAdES signature when SYMPHONY_SIGNING_KEY and SYMPHONY_SIGNING_CERT are
  configured, and ``verify_pdf`` says whether a file's signature is intact, whole and trusted.

Fonts come from fontconfig: the stylesheets name "DejaVu Sans" (Debian package fonts-dejavu-core) and
WeasyPrint embeds the glyphs it uses, as PDF/A requires.
"""

import asyncio
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.utils._os import safe_join

# The HTML's base URL: root-relative links such as {% static %} output (/static/css/pdf.css) resolve
# against it, and the fetcher serves only this origin. ".invalid" can never resolve (RFC 2606), so even a
# mistake in the fetcher could not reach a real host through it.
BASE_URL = "https://symphony-portal.invalid/"

PDF_A_3B = "pdf/a-3b"


class PDFRenderError(Exception):
    """The PDF could not be made (too slow, or WeasyPrint failed). Views turn it into a clear message."""


class PDFSigningError(Exception):
    """Signing was configured but could not be done (unreadable key or certificate)."""


@dataclass(frozen=True)
class PDFAttachment:
    """A file embedded in the PDF (PDF/A-3 allows it), e.g. the register as CSV."""

    name: str
    content: bytes | str
    description: str = ""
    relationship: str = "Data"  # ISO 32000-2 7.11.3: Source, Data, Alternative, Supplement, Unspecified


# --- Rendering --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaticAllowList:
    """Where the fetcher may read: the static URL prefix and the project's static folders.

    Plain data, so that it crosses into the rendering process; built in the parent from settings.
    """

    static_path: str
    roots: tuple[str, ...]

    @classmethod
    def from_settings(cls) -> "StaticAllowList":
        from django.contrib.staticfiles.finders import FileSystemFinder

        static_path = urlsplit(settings.STATIC_URL).path
        if not static_path.startswith("/"):
            static_path = "/" + static_path
        # FileSystemFinder is the finder for STATICFILES_DIRS (the project's static/ folder); apps'
        # static folders (the admin's) are deliberately not offered to documents.
        roots = tuple(str(Path(root).resolve()) for _prefix, root in FileSystemFinder().locations)
        return cls(static_path=static_path, roots=roots)

    def find(self, url: str) -> Path | None:
        """The file a URL names, if it is one of the project's static files; None otherwise."""
        parts = urlsplit(url)
        base = urlsplit(BASE_URL)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or parts.query:
            return None
        path = unquote(parts.path)
        if not path.startswith(self.static_path):
            return None
        relative = path[len(self.static_path) :]
        for root in self.roots:
            try:
                candidate = Path(safe_join(root, relative)).resolve()
            except (SuspiciousFileOperation, ValueError, OSError):  # ../ escapes, NUL bytes
                continue
            if candidate.is_relative_to(root) and candidate.is_file():
                return candidate
        return None


def _allow_listing_fetcher(allow_list: StaticAllowList):
    """A WeasyPrint URL fetcher serving only ``allow_list``'s files (WeasyPrint 70 needs a URLFetcher)."""
    import mimetypes

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            found = allow_list.find(url)
            if found is None:
                raise ValueError(
                    f"Refused to fetch {url[:200]!r}: documents may use only the portal's static files."
                )
            mime_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": mime_type})

    # No handlers are ever used (fetch never calls urllib), and nothing is followed or retried.
    return StaticOnlyFetcher(allowed_protocols=("https",), allow_redirects=False, timeout=1)


def _render(
    html: str, allow_list: StaticAllowList, attachments: Sequence[PDFAttachment], pdf_variant, tagged=True
):
    """Lay the HTML out and write the PDF (runs in the child process)."""
    import weasyprint

    fetcher = _allow_listing_fetcher(allow_list)
    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
        pdf_variant=pdf_variant,
        pdf_tags=tagged,
        attachments=[
            weasyprint.Attachment(
                string=a.content,
                name=a.name,
                description=a.description or None,
                relationship=a.relationship,
                url_fetcher=fetcher,
            )
            for a in attachments
        ],
    )


def _render_in_child(connection, html, allow_list, attachments, pdf_variant, tagged) -> None:
    try:
        connection.send(("ok", _render(html, allow_list, attachments, pdf_variant, tagged)))
    except Exception as error:  # noqa: BLE001 - every failure goes back to the parent as a message
        connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        connection.close()


def _context():
    context = multiprocessing.get_context("forkserver")
    # The fork server imports WeasyPrint once; each render then starts from a warm copy (~0.1 s instead
    # of ~1 s for a fresh interpreter).
    context.set_forkserver_preload(["weasyprint", __name__])
    return context


def render_pdf(
    html: str,
    *,
    attachments: Iterable[PDFAttachment] = (),
    pdf_variant: str | None = PDF_A_3B,
    tagged: bool = True,
    timeout: float | None = None,
    heartbeat: Callable[[], object] | None = None,
    heartbeat_every: float = 5.0,
) -> bytes:
    """Render an HTML document to PDF bytes in a child process killed after ``timeout`` seconds.

    ``tagged`` adds the document structure (headings, paragraphs, tables) for screen readers; it costs
    little here. ``timeout`` defaults to settings.PDF_RENDER_TIMEOUT_SECONDS. Raises PDFRenderError on a
    timeout or any rendering failure; nothing is written anywhere. ``heartbeat``, if given, is called
    every ``heartbeat_every`` seconds while the child works (a task says it is alive); an exception it
    raises stops the child and reaches the caller.
    """
    timeout = settings.PDF_RENDER_TIMEOUT_SECONDS if timeout is None else timeout
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_render_in_child,
        args=(sender, html, StaticAllowList.from_settings(), tuple(attachments), pdf_variant, tagged),
        daemon=True,
    )
    try:
        process.start()
    except Exception as error:
        receiver.close()
        raise PDFRenderError(f"The PDF renderer could not be started ({error}).") from error
    finally:
        sender.close()  # the child has its own copy; closing ours lets recv() see the child's end
    try:
        give_up_at = time.monotonic() + timeout
        step = heartbeat_every if heartbeat is not None else timeout
        while not receiver.poll(max(0, min(give_up_at - time.monotonic(), step))):
            if time.monotonic() >= give_up_at:
                raise PDFRenderError(f"Making the PDF took longer than {timeout:g} seconds and was stopped.")
            if heartbeat is not None:
                heartbeat()
        try:
            outcome, payload = receiver.recv()
        except EOFError as error:
            raise PDFRenderError("Making the PDF failed: the renderer stopped unexpectedly.") from error
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if outcome != "ok":
        raise PDFRenderError(f"Making the PDF failed ({payload}).")
    return payload


# --- Files and responses ----------------------------------------------------------------------------------


def write_atomically(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def pdf_response(pdf_bytes: bytes, filename: str) -> HttpResponse:
    """A download of finished PDF bytes under ``filename`` (a plain ASCII name, e.g. from slugify)."""
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(pdf_bytes))
    response["Cache-Control"] = "private, no-store"
    return response


# --- Signing and verifying --------------------------------------------------------------------------------


def _outside_any_event_loop(function: Callable, *args, **kwargs):
    """Call one of pyHanko's synchronous functions, which use asyncio.run().

    asyncio.run() refuses to start inside a running event loop (an ASGI server; Playwright's sync API in
    the tests), so there the call gets a thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def signing_configured() -> bool:
    """Whether a signing key and certificate are configured (SYMPHONY_SIGNING_KEY/_CERT)."""
    return bool(settings.SYMPHONY_SIGNING_KEY and settings.SYMPHONY_SIGNING_CERT)


def _configured_signer():
    from pyhanko.sign import signers

    passphrase = settings.SYMPHONY_SIGNING_KEY_PASSPHRASE
    signer = signers.SimpleSigner.load(
        settings.SYMPHONY_SIGNING_KEY,
        settings.SYMPHONY_SIGNING_CERT,
        key_passphrase=passphrase.encode() if passphrase else None,
    )
    if signer is None:  # pyHanko logs the cause and returns None
        raise PDFSigningError(
            "The signing key or certificate (SYMPHONY_SIGNING_KEY, SYMPHONY_SIGNING_CERT) could not be read."
        )
    return signer


def sign_pdf(pdf_bytes: bytes, *, reason: str | None = None) -> bytes:
    """Add an invisible PAdES signature when signing is configured; otherwise return the bytes unchanged.

    Check ``signing_configured()`` to tell the reader whether the result is signed. The signature is
    invisible because a visible stamp would use a font that is not embedded, which breaks PDF/A.
    """
    if not signing_configured():
        return pdf_bytes
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = _configured_signer()
    metadata = signers.PdfSignatureMetadata(
        field_name="Signature1",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=settings.TRUST_NAME,
    )
    output = BytesIO()
    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
    _outside_any_event_loop(signers.sign_pdf, writer, metadata, signer=signer, output=output)
    return output.getvalue()


@dataclass
class SignatureCheck:
    """What ``verify_pdf`` found in a file."""

    readable: bool = True
    signed: bool = False
    intact: bool = False  # every signature's hash matches the bytes it covers, and the signature is valid
    whole_file: bool = False  # the last signature covers the entire file: nothing was added after it
    trusted: bool = False  # the signer's certificate chains to a trust root
    signer: str = ""  # the subject's common name
    signed_at: datetime | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        """Signed, and not one byte changed or added since."""
        return self.readable and self.signed and self.intact and self.whole_file

    @property
    def ok(self) -> bool:
        """Signed by a trusted signer, and unchanged since."""
        return self.unchanged and self.trusted


def _load_certificates(sources: Iterable) -> list:
    from pyhanko.keys import load_cert_from_pemder

    return [
        load_cert_from_pemder(str(source)) if isinstance(source, str | Path) else source for source in sources
    ]


def verify_pdf(path_or_bytes: str | Path | bytes, trust_roots: Iterable | None = None) -> SignatureCheck:
    """Check a PDF's signatures: present, intact, covering the whole file, and by a trusted signer.

    ``trust_roots`` are certificates (paths to PEM/DER files, or asn1crypto certificates); by default the
    configured signing certificate (SYMPHONY_SIGNING_CERT), if any.
    """
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    data = (
        bytes(path_or_bytes)
        if isinstance(path_or_bytes, bytes | bytearray)
        else Path(path_or_bytes).read_bytes()
    )
    check = SignatureCheck()
    try:
        signatures = PdfFileReader(BytesIO(data), strict=False).embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        check.readable = False
        check.problems.append(f"The file is not a readable PDF ({error}).")
        return check
    if not signatures:
        return check
    check.signed = True

    if trust_roots is None:
        trust_roots = [settings.SYMPHONY_SIGNING_CERT] if settings.SYMPHONY_SIGNING_CERT else []
    roots = _load_certificates(trust_roots)
    if not roots:
        check.problems.append("No trusted certificate is configured to check the signer against.")
    # Nothing is fetched: the trust roots are all we trust, and verification works offline.
    context = ValidationContext(trust_roots=roots, allow_fetching=False)

    statuses = []
    for signature in signatures:
        try:
            statuses.append(_outside_any_event_loop(validate_pdf_signature, signature, context))
        except Exception as error:  # noqa: BLE001 - a mangled signature is a broken one, whatever the cause
            check.problems.append(f"A signature could not be checked ({type(error).__name__}: {error}).")
            return check
    last = statuses[-1]
    check.intact = all(status.intact and status.valid for status in statuses)
    check.whole_file = last.coverage == SignatureCoverageLevel.ENTIRE_FILE
    check.trusted = bool(roots) and all(status.trusted for status in statuses)
    check.signer = last.signing_cert.subject.native.get("common_name", "") if last.signing_cert else ""
    check.signed_at = last.signer_reported_dt
    if not check.intact:
        check.problems.append("The signed content was changed after signing.")
    elif not check.whole_file:
        check.problems.append("Something was added to the file after it was signed.")
    if roots and not check.trusted:
        check.problems.append("The signer's certificate is not the trust's signing certificate.")
    return check
