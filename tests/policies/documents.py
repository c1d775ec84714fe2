"""Word documents written by the tests with python-docx, and the bad files an importer must refuse."""

import io
import re
import zipfile
from pathlib import Path

import docx

ROOT = Path(__file__).resolve().parents[2]
SEED_SOURCE = ROOT / "fixtures" / "source" / "social-media-policy-2016-2019.txt"
SEED_BODY_START = "This policy applies to all staff"
SEED_HEADINGS = {
    "Purpose",
    "Definition of Social Media",
    "Use of Social Media",
    "Employee Responsibility",
    "Disciplinary Action",
    "Social Media Security",
    "Monitoring the Use of Social Media Websites",
    "Employee Groups / Networks",
}
_EMPHASIS = re.compile(r"(\*[^*\n]+\*)")


def to_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def add_runs(paragraph, text: str) -> None:
    """Write text whose *asterisked* stretches become italic runs, as Word would hold them."""
    for piece in _EMPHASIS.split(text):
        if not piece:
            continue
        if _EMPHASIS.fullmatch(piece):
            paragraph.add_run(piece[1:-1]).italic = True
        else:
            paragraph.add_run(piece)


def seed_body_lines() -> list[str]:
    lines = [line.strip() for line in SEED_SOURCE.read_text(encoding="utf-8-sig").splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith(SEED_BODY_START))
    return [line for line in lines[start:] if line]


def seed_docx() -> bytes:
    """The Social Media Policy's body as a provider's Word document: Heading 1, List Bullet, italics."""
    document = docx.Document()
    for line in seed_body_lines():
        if line in SEED_HEADINGS:
            document.add_heading(line, level=1)
        elif line.startswith("- "):
            add_runs(document.add_paragraph(style="List Bullet"), line[2:].strip())
        else:
            add_runs(document.add_paragraph(), line)
    return to_bytes(document)


def small_docx() -> bytes:
    """A short policy with a heading, typed numbering, a list, italic and bold."""
    document = docx.Document()
    document.add_heading("1. Purpose", level=1)
    paragraph = document.add_paragraph("1.1 Staff must read this policy. ")
    paragraph.add_run("It applies at all times").italic = True
    paragraph.add_run(", including ")
    paragraph.add_run("school trips").bold = True
    paragraph.add_run(".")
    document.add_heading("2. Rules", level=1)
    document.add_paragraph("Staff must:")
    document.add_paragraph("lock their screens;", style="List Bullet")
    document.add_paragraph("report a lost badge.", style="List Number")
    return to_bytes(document)


def table_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Contacts", level=1)
    document.add_paragraph("Ask these people.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Role"
    table.cell(0, 1).text = "Who"
    table.cell(1, 0).text = "Safeguarding lead"
    table.cell(1, 1).text = "Ms Jones."
    document.add_paragraph("After the table.")
    return to_bytes(document)


def headings_only_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Only a heading", level=1)
    document.add_paragraph("")
    return to_bytes(document)


def ole_file() -> bytes:
    """The start of an OLE compound file: what Word writes for an encrypted document (and for .doc)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096


def zip_without_word() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("hello.txt", "not a Word document")
    return out.getvalue()


def zip_bomb() -> bytes:
    """A real .docx with an extra part of 200 MB of zeros, compressed to about 200 KB."""
    out = io.BytesIO(small_docx())
    with (
        zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("word/media/padding.bin", "w", force_zip64=True) as part,
    ):
        for _ in range(200):
            part.write(b"\x00" * (1024 * 1024))
    return out.getvalue()


def tracked_changes_docx() -> bytes:
    document = docx.Document()
    paragraph = document.add_paragraph("Kept. ")
    inserted = docx.oxml.parse_xml(
        '<w:ins xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:id="1" '
        'w:author="A" w:date="2026-01-01T00:00:00Z"><w:r><w:t>Inserted.</w:t></w:r></w:ins>'
    )
    paragraph._p.append(inserted)
    return to_bytes(document)


def hyperlink_docx() -> bytes:
    """A paragraph whose middle is an italic hyperlink (its runs sit inside <w:hyperlink>)."""
    document = docx.Document()
    paragraph = document.add_paragraph("See ")
    paragraph._p.append(
        docx.oxml.parse_xml(
            '<w:hyperlink xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'w:anchor="g">'
            "<w:r><w:rPr><w:i/></w:rPr><w:t>the guidance</w:t></w:r></w:hyperlink>"
        )
    )
    paragraph.add_run(" now.")
    return to_bytes(document)


def damaged_docx() -> bytes:
    """A real .docx whose main part is not XML."""
    source = zipfile.ZipFile(io.BytesIO(small_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for entry in source.infolist():
            archive.writestr(
                entry, b"<not xml" if entry.filename == "word/document.xml" else source.read(entry)
            )
    return out.getvalue()


def with_main_part(xml: bytes) -> bytes:
    """A real .docx whose main part is replaced by ``xml``."""
    source = zipfile.ZipFile(io.BytesIO(small_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for entry in source.infolist():
            archive.writestr(entry, xml if entry.filename == "word/document.xml" else source.read(entry))
    return out.getvalue()


def external_entity_docx() -> bytes:
    """A main part that declares an external entity (XXE) pointing at a file on the server."""
    return with_main_part(
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        b"<w:p><w:r><w:t>Before &secret; after.</w:t></w:r></w:p></w:body></w:document>"
    )
