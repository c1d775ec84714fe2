"""Checking and storing evidence files: by their content, never by their name or declared type.

Images (PNG, JPEG) are decoded under a pixel limit and re-encoded from their pixels alone, which drops
EXIF (location included), comments and anything appended after the image. PDFs must parse, and must not
be encrypted or carry JavaScript, automatic actions (only an /OpenAction that jumps within the document is
allowed), actions of any type but an internal /GoTo, XFA forms or embedded files, anywhere in the file
(compressed object streams included); they are stored as uploaded.
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
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
    TextStringObject,
)

from symphony_portal.lib.storage import private_storage

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024
# A screenshot of a tall page on a large screen is well under this; a "decompression bomb" is not.
MAX_PIXELS = 40_000_000

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PDF_SIGNATURE = b"%PDF-"

# What a PDF may not carry anywhere, found by walking every object pypdf can resolve (the document's
# structure, then every object of the cross-reference tables, compressed object streams included):
# keys whose presence alone is refused ...
FORBIDDEN_PDF_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/AA": "automatic actions (/AA)",
    "/XFA": "an XFA form (/XFA)",
    "/Launch": "an action that starts a program (/Launch)",
    "/EmbeddedFiles": "embedded files",
    "/EmbeddedFile": "embedded files",
    "/RichMedia": "embedded media",
}
FORBIDDEN_PDF_SUBTYPES = {"/FileAttachment": "an attached file", "/RichMedia": "embedded media"}
# ... and every action type but /GoTo (a jump within the document), wherever an action appears: a link,
# an outline item, a form field, /OpenAction, a /Next chain.
FORBIDDEN_PDF_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "an action that starts a program (/Launch)",
    "/URI": "a link or action that opens a web address (/URI)",
    "/SubmitForm": "an action that sends form data (/SubmitForm)",
    "/ImportData": "an action that imports data from a file (/ImportData)",
    "/GoToR": "an action that opens another file (/GoToR)",
    "/GoToE": "an action that opens an embedded file (/GoToE)",
    "/GoToDp": "an action that opens another document part (/GoToDp)",
    "/ResetForm": "an action that resets a form (/ResetForm)",
    "/Rendition": "an action that plays media (/Rendition)",
    "/Sound": "an action that plays a sound (/Sound)",
    "/Movie": "an action that plays a movie (/Movie)",
    "/Hide": "an action that hides parts of the page (/Hide)",
    "/Named": "an action that runs a viewer command (/Named)",
    "/SetOCGState": "an action that changes what is shown (/SetOCGState)",
    "/Thread": "an action that follows an article thread (/Thread)",
    "/Trans": "an action that runs a transition (/Trans)",
    "/GoTo3DView": "an action that changes a 3D view (/GoTo3DView)",
    "/RichMediaExecute": "an action that runs embedded media (/RichMediaExecute)",
}
OPEN_ACTION = "an action that runs when the file is opened (/OpenAction)"
# Bounds the walk: a 10 MB file cannot hold more objects than this worth checking.
MAX_PDF_NODES = 2_000_000
# The same names written out in the file or in a decompressed object stream: a second line, for objects
# the cross-reference tables do not list.
RAW_PDF_PATTERN = re.compile(
    rb"/(JavaScript|JS|EmbeddedFiles?|Launch|RichMedia|XFA|SubmitForm|ImportData|GoToR|GoToE|URI)"
    rb"(?![A-Za-z0-9])"
)


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
        problems = _forbidden_in(reader)
    except ValidationError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise refuse(name, "could not be read as a PDF: it may be damaged.") from error
    if not problems and RAW_PDF_PATTERN.search(data):
        problems = ["JavaScript, automatic actions or embedded files"]
    if problems:
        raise refuse(
            name,
            f"is a PDF that contains {'; '.join(problems[:3])}, which is not allowed. Attach a screenshot "
            "instead, or a PDF without links, forms or scripts.",
        )


def _objects_of(reader: PdfReader):
    """The document's trailer, then every object the cross-reference tables list (object streams too)."""
    yield reader.trailer
    listed = {(idnum, generation) for generation, table in reader.xref.items() for idnum in table}
    listed |= {(idnum, 0) for idnum in reader.xref_objStm}
    for idnum, generation in sorted(listed):
        yield IndirectObject(idnum, generation, reader)


def _is_plain_goto(value) -> bool:
    """An /OpenAction that only opens the document at a place in it: a destination or a /GoTo action."""
    value = value.get_object() if isinstance(value, IndirectObject) else value
    if isinstance(value, ArrayObject | NameObject | TextStringObject | ByteStringObject):
        return True
    return isinstance(value, DictionaryObject) and value.get("/S") == "/GoTo"


def _forbidden_in(reader: PdfReader) -> list[str]:
    """Walk every object pypdf can resolve; what it carries that is forbidden, JavaScript first."""
    found: list[str] = []

    def note(problem: str) -> None:
        if problem not in found:
            found.append(problem)

    seen: set[tuple[int, int]] = set()
    stack = list(_objects_of(reader))
    stack.reverse()
    visited = 0
    while stack:
        visited += 1
        if visited > MAX_PDF_NODES:
            raise ValueError("too many objects to check")
        node = stack.pop()
        if isinstance(node, IndirectObject):
            ident = (node.idnum, node.generation)
            if ident in seen:
                continue
            seen.add(ident)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            is_object_stream = isinstance(node, StreamObject) and node.get("/Type") == "/ObjStm"
            if is_object_stream and RAW_PDF_PATTERN.search(node.get_data()):
                note("JavaScript, automatic actions or embedded files")
            for key, value in node.items():
                name = value.get_object() if isinstance(value, IndirectObject) else value
                name = name if isinstance(name, NameObject) else None
                if key in FORBIDDEN_PDF_KEYS:
                    note(FORBIDDEN_PDF_KEYS[key])
                elif key == "/Subtype" and name in FORBIDDEN_PDF_SUBTYPES:
                    note(FORBIDDEN_PDF_SUBTYPES[name])
                elif key == "/S" and name in FORBIDDEN_PDF_ACTIONS:
                    note(FORBIDDEN_PDF_ACTIONS[name])
                elif key == "/OpenAction" and not _is_plain_goto(value):
                    note(OPEN_ACTION)
                stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return sorted(found, key=lambda problem: problem != "JavaScript")


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
