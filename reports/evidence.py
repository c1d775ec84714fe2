"""Checking and storing evidence files: by their content, never by their name or declared type.

Images (PNG, JPEG) are decoded under a pixel limit and re-encoded from their pixels alone, which drops
EXIF (location included), comments and anything appended after the image. PDFs must parse, and must not
be encrypted or carry JavaScript, automatic actions or embedded files; they are stored as uploaded.
Everything else is refused with a message that names the file.
"""

import hashlib
import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from symphony_portal.lib.storage import private_storage

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024
# A screenshot of a tall page on a large screen is well under this; a "decompression bomb" is not.
MAX_PIXELS = 40_000_000

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PDF_SIGNATURE = b"%PDF-"

# Keys whose presence anywhere in a PDF means script, automatic actions or files inside it. /OpenAction
# alone is ordinary ("open at page 1"); one that runs JavaScript is caught by its /S or /JS.
FORBIDDEN_PDF_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/AA": "automatic actions",
    "/Launch": "an action that starts a program",
    "/EmbeddedFiles": "embedded files",
    "/EmbeddedFile": "embedded files",
    "/RichMedia": "embedded media",
}
FORBIDDEN_PDF_SUBTYPES = {"/FileAttachment": "an attached file", "/RichMedia": "embedded media"}
# The same names written out in the file, for objects the document's structure does not reach.
RAW_PDF_PATTERN = re.compile(rb"/(JavaScript|JS|EmbeddedFiles?|Launch|RichMedia)(?![A-Za-z0-9])")


def refuse(name: str, problem: str) -> ValidationError:
    return ValidationError(f"“{name}” {problem}", code="evidence")


@dataclass
class CheckedFile:
    """A file that passed the checks: the bytes to store (re-encoded for images) and their facts."""

    original_name: str
    kind: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def display_name(upload: UploadedFile) -> str:
    # Browsers send a bare name, but a client may send a path: keep only the last part, and not too much.
    return Path(str(upload.name or "unnamed file").replace("\\", "/")).name[:200] or "unnamed file"


def check_files(uploads: list[UploadedFile]) -> list[CheckedFile]:
    """All the files, checked; raises one ValidationError listing every file refused and why."""
    if len(uploads) > MAX_FILES:
        raise ValidationError(
            f"You chose {len(uploads)} files; up to {MAX_FILES} can be attached to one report.", code="count"
        )
    checked, problems = [], []
    for upload in uploads:
        try:
            checked.append(check_file(upload))
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError(problems)
    return checked


def check_file(upload: UploadedFile) -> CheckedFile:
    """One file, checked by its content. The size is checked before anything is read."""
    name = display_name(upload)
    if upload.size == 0:
        raise refuse(name, "is empty.")
    if upload.size > MAX_BYTES:
        raise refuse(name, f"is {upload.size / 1024 / 1024:.1f} MB; files can be up to 10 MB.")
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:  # the declared size was wrong
        raise refuse(name, "is larger than 10 MB.")
    if data.startswith(PNG_SIGNATURE) or data.startswith(JPEG_SIGNATURE):
        return CheckedFile(name, *_reencode_image(name, data))
    if data.startswith(PDF_SIGNATURE):
        _check_pdf(name, data)
        return CheckedFile(name, "pdf", data)
    raise refuse(name, "is not a PNG, JPEG or PDF file (judged by its content, not its name).")


def _reencode_image(name: str, data: bytes) -> tuple[str, bytes]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise refuse(name, "is not a PNG or JPEG image.")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise refuse(name, f"is too large an image ({width} × {height} pixels).")
            image.load()
            fmt = image.format
            # Keep the picture the right way up, then keep only its pixels.
            image = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if fmt == "PNG":
                mode = image.mode if image.mode in ("1", "L", "LA", "RGB", "RGBA", "P") else "RGBA"
                clean = image.convert(mode)
                clean.info = {}
                clean.save(out, format="PNG", optimize=False)
                return "png", out.getvalue()
            clean = image.convert("RGB") if image.mode not in ("RGB", "L") else image
            clean.info = {}
            clean.save(out, format="JPEG", quality=92)
            return "jpeg", out.getvalue()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        raise refuse(name, "could not be read as an image: it may be damaged.") from error


def _check_pdf(name: str, data: bytes) -> None:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise refuse(name, "is a password-protected (encrypted) PDF; please attach an unprotected copy.")
        if len(reader.pages) == 0:
            raise refuse(name, "is a PDF without any page.")
        problem = _forbidden_in(reader.trailer)
    except ValidationError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise refuse(name, "could not be read as a PDF: it may be damaged.") from error
    if problem is None and RAW_PDF_PATTERN.search(data):
        problem = "JavaScript, automatic actions or embedded files"
    if problem:
        raise refuse(name, f"is a PDF that contains {problem}, which is not allowed.")


def _forbidden_in(root) -> str | None:
    """Walk every object the PDF's structure reaches; name the first forbidden feature found."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            ident = (node.idnum, node.generation)
            if ident in seen:
                continue
            seen.add(ident)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            for key, value in node.items():
                if key in FORBIDDEN_PDF_KEYS:
                    return FORBIDDEN_PDF_KEYS[key]
                if key == "/Subtype" and value in FORBIDDEN_PDF_SUBTYPES:
                    return FORBIDDEN_PDF_SUBTYPES[value]
                if key == "/S" and value in ("/JavaScript", "/Launch"):
                    return "JavaScript"
                stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return None


# --- Storage -------------------------------------------------------------------------------------------
# Files go through the private storage (symphony_portal/lib/storage.py), under "evidence/<random name>".
# They are written only after the report's transaction has committed (reports.services.submit), so a
# rolled-back report leaves no file behind.

FOLDER = "evidence"


def new_stored_name() -> str:
    """A fresh random name for a file: nothing about the report or the file is in it."""
    return secrets.token_hex(20)


def storage_name(stored_name: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{40}", stored_name):
        raise ValueError("not a stored evidence name")
    return f"{FOLDER}/{stored_name}"


def write(stored_name: str, data: bytes) -> None:
    """Store the bytes under this name; never overwrites (FileSystemStorage creates the file exclusively)."""
    name = storage_name(stored_name)
    saved = private_storage().save(name, ContentFile(data))
    if saved != name:  # the storage found the name taken and chose another: refuse rather than guess
        private_storage().delete(saved)
        raise FileExistsError(f"an evidence file named {stored_name} already exists")


def remove(stored_name: str) -> None:
    """Delete a stored file if it is there."""
    private_storage().delete(storage_name(stored_name))


def exists(stored_name: str) -> bool:
    return private_storage().exists(storage_name(stored_name))


def open_stored(stored_name: str):
    """The stored file, opened for reading (the caller closes it; FileResponse does)."""
    return private_storage().open(storage_name(stored_name), "rb")


def read(stored_name: str) -> bytes:
    with open_stored(stored_name) as handle:
        return handle.read()
