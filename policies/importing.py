"""Reading a policy from the document a provider sends: Word (.docx), plain text or Markdown.

Pure functions of the file's bytes (no database, no request), used by the web import and by
``manage.py import_policy`` alike, so both refuse the same files with the same messages:

- the file is judged by its content, not its name: a .docx is a zip file with a Word main part; an
  OLE compound file is an encrypted (or pre-2007 .doc) document; text must be UTF-8;
- its size is checked before it is read whole, and a zip is opened only after every part has been
  decompressed under a running cap (a zip bomb is refused whatever its headers claim);
- headings become sections, paragraphs and list items clauses (list items as bullets), italic and bold
  are kept as the clause markup's one emphasis (``*words*``, shown in italics), numbering typed into the
  text ("1.2", "a)", "iv.") is dropped because the portal numbers clauses itself; tables are flattened
  one row to a clause, with a warning.

The fidelity check reads the document's text a second way (every paragraph's and cell's plain text, as
python-docx gives it, or the file's lines) and looks for each of its sentences, in order, in what the
import made of it.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from symphony_portal.lib.text import clean_text

MAX_BYTES = 10 * 1024 * 1024  # the largest file read at all
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024  # all the parts of a .docx together, decompressed
MAX_ZIP_ENTRIES = 2_000
MAX_CLAUSES = 3_000
HEADING_MAX_CHARS = 200  # Section.heading's length
HEADING_GUESS_MAX_WORDS = 12

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORD_MAIN_PART = "word/document.xml"
# Files that are plainly something else even when named .txt: PDF, PNG, JPEG, GIF, RTF, gzip.
OTHER_SIGNATURES = (b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf", b"\x1f\x8b")
TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}

DOCX, TEXT, MARKDOWN = "docx", "text", "markdown"
PARAGRAPH, BULLET = "paragraph", "bullet"  # Clause.Style's values (this module imports no model)

# Numbering typed at the start of a heading or paragraph: "1.", "1.2", "1.2.3)", "(a)", "a)", "iv.",
# "Section 4:" is left alone (it is wording). A single letter needs its bracket or dot and a space after.
TYPED_NUMBERING = re.compile(
    r"^\s*(?:\(?\d{1,3}(?:\.\d{1,3})*[.)]|\d{1,3}(?:\.\d{1,3})+|\(?[a-z][.)]|\([a-z]{1,2}\)"
    r"|\(?[ivxlc]{1,6}[.)])\s+(?=\S)",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+")
BULLET_SYMBOL = re.compile(r"^\s*[-*+\u2022\u2023\u25e6\u2043\u2013]\s+")
BULLET_MARK = re.compile(r"^\s*(?:[-*+\u2022\u2023\u25e6\u2043\u2013]|\d{1,3}[.)])\s+")
MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
MD_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)([^*_\n]+?)(?<=\S)\1(?![\w*])")
MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
MD_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")


@dataclass
class ImportedClause:
    style: str
    text: str


@dataclass
class ImportedSection:
    heading: str
    clauses: list[ImportedClause] = field(default_factory=list)


@dataclass
class Fidelity:
    """Every sentence of the document looked for, in order, in the headings and clauses made of it."""

    total: int
    found: int
    missing: list[str]

    @property
    def complete(self) -> bool:
        return self.found == self.total


@dataclass
class ImportedDocument:
    kind: str
    sections: list[ImportedSection]
    warnings: list[str]
    # The document's text read the second, plainer way: one string per paragraph, cell or line.
    source_paragraphs: list[str]

    @property
    def clause_count(self) -> int:
        return sum(len(section.clauses) for section in self.sections)

    def fidelity(self) -> Fidelity:
        return check_fidelity(self.source_paragraphs, self.sections)


def refuse(problem: str, code: str) -> ValidationError:
    return ValidationError(problem, code=code)


def display_name(upload: UploadedFile) -> str:
    """The file's name as HR chose it: a client may send a path, so only its last part, not too long."""
    name = Path(str(upload.name or "").replace("\\", "/")).name
    return " ".join(clean_text(name).split())[:200] or "the document"


# --- The file ------------------------------------------------------------------------------------------


def read_upload(upload: UploadedFile) -> bytes:
    """The uploaded file's bytes, refused if empty or too large before it is read whole."""
    if upload.size == 0:
        raise refuse("The file is empty.", "empty")
    if upload.size > MAX_BYTES:
        raise refuse(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; a policy document can be up to "
            f"{MAX_BYTES // 1024 // 1024} MB.",
            "too_large",
        )
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:  # the declared size was wrong
        raise refuse(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.", "too_large")
    return data


def read_path(path: Path) -> bytes:
    """A file on disk (the command's), with the same size checks as an upload."""
    size = path.stat().st_size
    if size == 0:
        raise refuse("The file is empty.", "empty")
    if size > MAX_BYTES:
        raise refuse(
            f"The file is {size / 1024 / 1024:.1f} MB; a policy document can be up to "
            f"{MAX_BYTES // 1024 // 1024} MB.",
            "too_large",
        )
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise refuse(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.", "too_large")
    return data


def read_document(data: bytes, *, filename: str) -> ImportedDocument:
    """The policy in these bytes, or a ValidationError saying plainly why it cannot be imported.

    The kind is decided by the content; the name only tells plain text from Markdown.
    """
    if not data:
        raise refuse("The file is empty.", "empty")
    if len(data) > MAX_BYTES:
        raise refuse(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.", "too_large")
    if data.startswith(OLE_SIGNATURE):
        raise refuse(
            "This is an encrypted (password-protected) Word document, or one in the old .doc format. "
            "Open it in Word, remove the password if it has one, and save it as a Word document (.docx).",
            "encrypted",
        )
    suffix = Path(filename).suffix.lower()
    if data.startswith(ZIP_SIGNATURE):
        document = _read_docx(data)
    elif suffix in TEXT_SUFFIXES | MARKDOWN_SUFFIXES and not data.startswith(OTHER_SIGNATURES):
        document = _read_text(data, markdown=suffix in MARKDOWN_SUFFIXES)
    else:  # a .docx (or anything else) that is not a zip; a .txt that is a PDF, a picture, RTF
        raise refuse(NOT_A_DOCUMENT, "not_a_document")
    if document.clause_count == 0:
        raise refuse("The document has no text to make clauses of.", "no_text")
    if document.clause_count > MAX_CLAUSES:
        raise refuse(
            f"The document would make {document.clause_count} clauses; "
            f"a policy can have up to {MAX_CLAUSES}.",
            "too_many_clauses",
        )
    return document


NOT_A_DOCUMENT = (
    "This file is not a Word document (.docx), a text file or a Markdown file (judged by its content, "
    "not its name). Save it from Word as a .docx, or as plain text, and try again."
)


# --- Word ----------------------------------------------------------------------------------------------


def _check_zip(data: bytes) -> None:
    """Refuse a zip that is not a Word document, or that would decompress to too much (a zip bomb).

    Every part is decompressed here under a running cap, whatever sizes its headers declare, before
    python-docx reads any of it.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise refuse(NOT_A_DOCUMENT, "not_a_document") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise refuse(f"The file holds {len(entries)} parts; a Word document has far fewer.", "zip_bomb")
        names = {entry.filename for entry in entries}
        if WORD_MAIN_PART not in names or "[Content_Types].xml" not in names:
            raise refuse(NOT_A_DOCUMENT, "not_a_document")
        if any(entry.flag_bits & 0x1 for entry in entries):
            raise refuse("This Word document is encrypted: save it without a password.", "encrypted")
        budget = MAX_UNZIPPED_BYTES
        try:
            for entry in entries:
                with archive.open(entry) as part:
                    while chunk := part.read(64 * 1024):
                        budget -= len(chunk)
                        if budget < 0:
                            raise refuse(
                                "The file expands to far more than a policy document could hold "
                                "(a compressed bomb), so it was not read.",
                                "zip_bomb",
                            )
        except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, RuntimeError):
            raise refuse("The Word document is damaged and cannot be read.", "damaged") from None


def _read_docx(data: bytes) -> ImportedDocument:
    _check_zip(data)
    try:
        return _read_checked_docx(data)
    except ValidationError:
        raise
    except Exception:  # python-docx and lxml raise many kinds on a malformed part: one message for all
        raise refuse("The Word document is damaged and cannot be read.", "damaged") from None


def _read_checked_docx(data: bytes) -> ImportedDocument:
    import docx  # python-docx: imported here, so the portal starts without paying for it
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    if body.xpath(".//w:ins | .//w:del | .//w:moveFrom | .//w:moveTo"):
        raise refuse(
            "The document has tracked changes. Accept or reject them in Word (Review, Accept all "
            "changes), save it, and upload it again.",
            "tracked_changes",
        )

    builder = _Builder(DOCX)
    tables = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            builder.source_paragraphs.append(block.text)
            text = _emphasised_text(block)
            plain = _normalise(block.text)
            if _is_heading(block, plain):
                builder.heading(plain)
            elif plain:
                builder.clause(BULLET if _is_list_item(block, qn) else PARAGRAPH, text)
        elif isinstance(block, Table):
            tables += 1
            rows = _table_rows(block)
            for cells in rows:
                builder.source_paragraphs.extend(cells)
                row_text = " | ".join(_normalise(cell) for cell in cells if _normalise(cell))
                if row_text:
                    builder.clause(PARAGRAPH, row_text)
            builder.warnings.append(
                f"Table {tables} ({len(rows)} rows) was flattened: each row became one clause, its cells "
                "separated by “|”. Check those clauses, or rewrite the table as text."
            )
    if body.xpath(".//w:txbxContent"):
        builder.warnings.append("The document has text boxes; their text was not imported.")
    pictures = len(body.xpath(".//w:drawing | .//w:pict"))
    if pictures:
        builder.warnings.append(f"The document has {pictures} pictures or drawings; they were not imported.")
    return builder.result()


def _is_heading(paragraph, plain: str) -> bool:
    """A Heading or Title style; or a short line in bold with no final punctuation (a typed heading)."""
    if not plain or len(plain) > HEADING_MAX_CHARS:
        return False
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if style.startswith("Heading") or style in ("Title", "Subtitle"):
        return True
    runs = [run for run in paragraph.runs if run.text.strip()]
    return (
        bool(runs)
        and all(run.bold for run in runs)
        and len(plain.split()) <= HEADING_GUESS_MAX_WORDS
        and plain[-1] not in ".:;,!?"
    )


def _is_list_item(paragraph, qn) -> bool:
    """A list style, or Word's own numbering on the paragraph (whose numbers are not in its text)."""
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if "List" in style:
        return True
    properties = paragraph._p.pPr  # python-docx's element for <w:pPr>
    return properties is not None and properties.find(qn("w:numPr")) is not None


def _is_emphasis(run) -> bool:
    if run.italic or run.bold:
        return True
    style = (run.style.name if run.style is not None else "") or ""
    return style in ("Emphasis", "Strong", "Intense Emphasis", "Book Title")


def _emphasised_text(paragraph) -> str:
    """The paragraph's text with italic and bold runs (hyperlinks' too) marked ``*so*``."""
    pieces: list[tuple[str, bool]] = []
    from docx.text.hyperlink import Hyperlink

    for item in paragraph.iter_inner_content():
        runs = item.runs if isinstance(item, Hyperlink) else [item]  # a hyperlink holds runs
        for run in runs:
            if run.text:
                pieces.append((run.text, _is_emphasis(run)))
    return _mark_emphasis(pieces)


def _mark_emphasis(pieces: list[tuple[str, bool]]) -> str:
    """Join text pieces, wrapping emphasised stretches in asterisks (spaces kept outside them)."""
    merged: list[list] = []
    for text, emphasis in pieces:
        if merged and merged[-1][1] == emphasis:
            merged[-1][0] += text
        else:
            merged.append([text, emphasis])
    out = []
    for text, emphasis in merged:
        text = clean_text(text)
        core = text.strip()
        if emphasis and core and "*" not in core:
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            out.append(f"{lead}*{core}*{trail}")
        else:
            out.append(text)
    return _strip_numbering(" ".join("".join(out).split()))


def _table_rows(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is returned once per grid column it spans
                continue
            seen.add(id(cell._tc))
            cells.append("\n".join(paragraph.text for paragraph in cell.paragraphs))
        rows.append(cells)
    return rows


# --- Text and Markdown ---------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise refuse(NOT_A_DOCUMENT, "not_a_document")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse(NOT_A_DOCUMENT + " (A text file must be saved as UTF-8.)", "not_a_document") from None
    controls = sum(1 for char in text[:8192] if ord(char) < 32 and char not in "\t\r\n\f")
    if controls:
        raise refuse(NOT_A_DOCUMENT, "not_a_document")
    return text


def _read_text(data: bytes, *, markdown: bool) -> ImportedDocument:
    text = _decode(data)
    blocks = _blocks(text.splitlines())
    builder = _Builder(MARKDOWN if markdown else TEXT)
    for index, lines in enumerate(blocks):
        if markdown:
            _markdown_block(builder, lines)
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        _text_block(builder, lines, following)
    return builder.result()


def _blocks(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines, separated by blank lines."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line.rstrip())
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _looks_like_heading(line: str) -> bool:
    """A short line, not a bullet, with no final punctuation ("1. Purpose" is a numbered heading)."""
    line = _strip_numbering(line.strip())
    return (
        bool(line)
        and not BULLET_SYMBOL.match(line)
        and len(line) <= 80
        and len(line.split()) <= 10
        and line[-1] not in ".:;,!?"
    )


def _text_block(builder: "_Builder", lines: list[str], following: list[str] | None) -> None:
    """Plain text: a short unpunctuated line on its own before a paragraph is a heading; "- " a bullet."""
    for line in lines:
        builder.source_paragraphs.append(BULLET_MARK.sub("", line, count=1))
    if (
        len(lines) == 1
        and _looks_like_heading(lines[0])
        and following is not None
        and not (len(following) == 1 and _looks_like_heading(following[0]))
    ):
        builder.heading(_normalise(lines[0]))
        return
    paragraph: list[str] = []
    for line in lines:
        if BULLET_MARK.match(line):
            if paragraph:
                builder.clause(PARAGRAPH, _strip_numbering(_normalise(" ".join(paragraph))))
                paragraph = []
            builder.clause(BULLET, _normalise(BULLET_MARK.sub("", line, count=1)))
        else:
            paragraph.append(line)
    if paragraph:
        builder.clause(PARAGRAPH, _strip_numbering(_normalise(" ".join(paragraph))))


def _markdown_inline(text: str) -> str:
    """Markdown's emphasis (*, _, **, __) as the clause markup's *emphasis*; links keep their words."""
    text = MD_LINK.sub(lambda m: m.group(1), text)
    text = MD_STRONG.sub(lambda m: f"*{m.group(2)}*", text)
    text = MD_EMPHASIS.sub(lambda m: f"*{m.group(2)}*", text)
    return text.replace("\\*", "*").replace("\\_", "_")


def _markdown_plain(text: str) -> str:
    return _markdown_inline(text).replace("*", "")


def _markdown_block(builder: "_Builder", lines: list[str]) -> None:
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            joined = " ".join(paragraph)
            builder.source_paragraphs.append(_markdown_plain(joined))
            builder.clause(PARAGRAPH, _strip_numbering(_normalise(_markdown_inline(joined))))
            paragraph.clear()

    for line in lines:
        heading = MD_HEADING.match(line)
        if heading:
            flush()
            builder.source_paragraphs.append(_markdown_plain(heading.group(2)))
            builder.heading(_normalise(_markdown_plain(heading.group(2))))
        elif MD_RULE.match(line):
            flush()
        elif BULLET_MARK.match(line):
            flush()
            item = BULLET_MARK.sub("", line.lstrip("> "), count=1)
            builder.source_paragraphs.append(_markdown_plain(item))
            builder.clause(BULLET, _normalise(_markdown_inline(item)))
        elif line.lstrip().startswith("|"):
            flush()
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", cell) for cell in cells if cell):
                continue  # the line under a table's header
            builder.source_paragraphs.extend(_markdown_plain(cell) for cell in cells)
            builder.clause(PARAGRAPH, " | ".join(_normalise(_markdown_inline(c)) for c in cells if c))
            builder.table_rows += 1
        else:
            paragraph.append(line.lstrip("> "))
    flush()


# --- Building the outline ------------------------------------------------------------------------------


class _Builder:
    def __init__(self, kind: str):
        self.kind = kind
        self.sections = [ImportedSection(heading="")]
        self.warnings: list[str] = []
        self.source_paragraphs: list[str] = []
        self.table_rows = 0

    def heading(self, text: str) -> None:
        text = _strip_numbering(text)
        if len(text) > HEADING_MAX_CHARS:  # too long for a heading: keep it as a clause
            self.clause(PARAGRAPH, text)
            return
        self.sections.append(ImportedSection(heading=text))

    def clause(self, style: str, text: str) -> None:
        text = " ".join(clean_text(text).split())
        if text.strip("* "):
            self.sections[-1].clauses.append(ImportedClause(style=style, text=text))

    def result(self) -> ImportedDocument:
        sections = self.sections
        # The untitled opening section only if something comes before the first heading.
        if not sections[0].clauses and len(sections) > 1:
            sections = sections[1:]
        empty = [s.heading for s in sections if not s.clauses]
        if empty and len(empty) < len(sections):
            self.warnings.append(
                "These headings have no text under them and became empty sections: "
                + ", ".join(f"“{heading}”" for heading in empty)
                + "."
            )
        if self.table_rows:
            self.warnings.append(
                f"A table ({self.table_rows} rows) was flattened: each row became one clause, its cells "
                "separated by “|”. Check those clauses, or rewrite the table as text."
            )
        return ImportedDocument(
            kind=self.kind,
            sections=sections,
            warnings=self.warnings,
            source_paragraphs=self.source_paragraphs,
        )


def _normalise(text: str) -> str:
    return " ".join(clean_text(text).split())


def _strip_numbering(text: str) -> str:
    """Numbering typed in front of the words ("3.2 ", "(b) "): the portal numbers clauses itself."""
    stripped = TYPED_NUMBERING.sub("", text, count=1)
    return stripped if stripped.strip("* ") else text


# --- The fidelity check --------------------------------------------------------------------------------


def sentences_of(paragraphs: list[str]) -> list[str]:
    """The sentences of the document, read plainly: whitespace made single, typed numbering dropped."""
    sentences = []
    for paragraph in paragraphs:
        text = _strip_numbering(_normalise(paragraph)).replace("*", "")
        sentences.extend(part for part in SENTENCE_END.split(text) if part.strip())
    return sentences


def check_fidelity(source_paragraphs: list[str], sections: list[ImportedSection]) -> Fidelity:
    """Look for every sentence of the document, in order, in the headings and clauses made of it."""
    parts = []
    for section in sections:
        if section.heading:
            parts.append(section.heading)
        parts.extend(clause.text for clause in section.clauses)
    made = "\n".join(part.replace("*", "") for part in parts)
    sentences = sentences_of(source_paragraphs)
    cursor, found, missing = 0, 0, []
    for sentence in sentences:
        at = made.find(sentence, cursor)
        if at == -1:
            missing.append(sentence)
            continue
        found += 1
        cursor = at + len(sentence)
    return Fidelity(total=len(sentences), found=found, missing=missing)
