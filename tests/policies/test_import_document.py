"""Reading a provider's document into sections and clauses (policies/importing.py): no database."""

import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from policies import importing
from tests.policies import documents

ROOT = Path(__file__).resolve().parents[2]
SEED_FIXTURE = ROOT / "fixtures" / "seed_policy.json"
SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+")


def read(data: bytes, filename: str = "policy.docx") -> importing.ImportedDocument:
    return importing.read_document(data, filename=filename)


def refused(data: bytes, filename: str = "policy.docx") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        read(data, filename)
    return caught.value


def outline(document: importing.ImportedDocument) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(s.heading, [(c.style, c.text) for c in s.clauses]) for s in document.sections]


def test_it_makes_sections_of_headings_and_clauses_of_paragraphs_and_list_items():
    document = read(documents.small_docx())

    assert outline(document) == [
        (
            "Purpose",
            [
                (
                    "paragraph",
                    "Staff must read this policy. *It applies at all times*, including *school trips*.",
                )
            ],
        ),
        (
            "Rules",
            [
                ("paragraph", "Staff must:"),
                ("bullet", "lock their screens;"),
                ("bullet", "report a lost badge."),
            ],
        ),
    ]
    assert document.warnings == []
    assert document.fidelity().complete


def test_it_drops_typed_numbering_but_keeps_numbers_that_are_wording():
    text = (
        "1. Purpose\n\n1.2 Staff must act.\n\n(a) Heads decide.\n\n30 days are allowed.\n\n2016 was the year."
    )
    document = read(text.encode(), "policy.txt")

    clauses = [c.text for s in document.sections for c in s.clauses]
    assert document.sections[0].heading == "Purpose"
    assert clauses == ["Staff must act.", "Heads decide.", "30 days are allowed.", "2016 was the year."]


def test_it_keeps_italic_and_bold_from_markdown_as_emphasis():
    text = (
        "# Use of devices\n\nStaff **must** lock screens *at all times* and __never__ share passwords."
        "\n\n- one\n- _two_\n"
    )
    document = read(text.encode(), "policy.md")

    assert outline(document) == [
        (
            "Use of devices",
            [
                ("paragraph", "Staff *must* lock screens *at all times* and *never* share passwords."),
                ("bullet", "one"),
                ("bullet", "*two*"),
            ],
        )
    ]
    assert document.fidelity().complete


def test_it_flattens_a_table_one_row_to_a_clause_with_a_warning():
    document = read(documents.table_docx())

    assert outline(document) == [
        (
            "Contacts",
            [
                ("paragraph", "Ask these people."),
                ("paragraph", "Role | Who"),
                ("paragraph", "Safeguarding lead | Ms Jones."),
                ("paragraph", "After the table."),
            ],
        )
    ]
    assert len(document.warnings) == 1
    assert "Table 1 (2 rows) was flattened" in document.warnings[0]
    assert document.fidelity().complete


def test_it_flattens_a_markdown_table_with_a_warning():
    text = "Intro.\n\n| Role | Who |\n|---|---|\n| Lead | Ms Jones |\n"
    document = read(text.encode(), "policy.md")

    assert [c.text for c in document.sections[0].clauses] == ["Intro.", "Role | Who", "Lead | Ms Jones"]
    assert any("flattened" in warning for warning in document.warnings)


def test_it_treats_a_short_bold_paragraph_as_a_heading():
    import docx

    word = docx.Document()
    word.add_paragraph().add_run("Scope").bold = True
    word.add_paragraph("This applies to everyone.")
    document = read(documents.to_bytes(word))

    assert outline(document) == [("Scope", [("paragraph", "This applies to everyone.")])]


def test_it_keeps_the_words_and_emphasis_of_a_hyperlink():
    document = read(documents.hyperlink_docx())

    assert outline(document) == [("", [("paragraph", "See *the guidance* now.")])]


def test_it_removes_invisible_characters_that_could_disguise_text():
    text = "Staff must report\u202e concerns\u200b promptly.".encode()
    document = read(text, "policy.txt")

    assert document.sections[0].clauses[0].text == "Staff must report concerns promptly."


@pytest.mark.parametrize(
    ("make", "filename", "code", "words"),
    [
        (lambda: b"%PDF-1.7\n" + b"x" * 100, "policy.docx", "not_a_document", "not a Word document"),
        (lambda: b"%PDF-1.7\n" + b"x" * 100, "policy.txt", "not_a_document", "not a Word document"),
        (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "policy.txt", "not_a_document", "not a Word document"),
        (documents.zip_without_word, "policy.docx", "not_a_document", "not a Word document"),
        (documents.ole_file, "policy.docx", "encrypted", "encrypted"),
        (lambda: b"", "policy.docx", "empty", "empty"),
        (documents.headings_only_docx, "policy.docx", "no_text", "no text"),
        (lambda: b"   \n\n\t\n", "policy.txt", "no_text", "no text"),
        (documents.zip_bomb, "policy.docx", "zip_bomb", "bomb"),
        (documents.tracked_changes_docx, "policy.docx", "tracked_changes", "tracked changes"),
        (lambda: "café".encode("latin-1") * 10, "policy.txt", "not_a_document", "UTF-8"),
        (lambda: b"PK\x03\x04" + b"\x00" * 200, "policy.docx", "not_a_document", "not a Word document"),
        (documents.damaged_docx, "policy.docx", "damaged", "damaged"),
    ],
    ids=[
        "pdf",
        "pdf-named-txt",
        "png",
        "zip-not-word",
        "encrypted",
        "empty",
        "headings-only",
        "blank-text",
        "zip-bomb",
        "tracked-changes",
        "not-utf8",
        "broken-zip",
        "damaged-docx",
    ],
)
def test_it_refuses_bad_files_with_a_clear_message(make, filename, code, words):
    error = refused(make(), filename)

    assert error.code == code
    assert words.lower() in error.messages[0].lower()


def test_it_refuses_a_50_mb_file_before_reading_it_whole():
    class Upload(SimpleUploadedFile):
        def read(self, *args):  # pragma: no cover - the point is that it is never called
            raise AssertionError("the whole file was read")

    upload = Upload("huge.docx", b"", content_type="application/octet-stream")
    upload.size = 50 * 1024 * 1024

    with pytest.raises(ValidationError) as caught:
        importing.read_upload(upload)

    assert caught.value.code == "too_large"
    assert "50.0 MB" in caught.value.messages[0]


def test_it_refuses_a_file_whose_declared_size_lies():
    upload = SimpleUploadedFile("policy.txt", b"x" * (importing.MAX_BYTES + 10))
    upload.size = 100

    with pytest.raises(ValidationError) as caught:
        importing.read_upload(upload)

    assert caught.value.code == "too_large"


def test_it_reports_sentences_missing_from_the_clauses():
    document = read(b"One sentence. Two sentence.\n\nThree sentence.", "policy.txt")
    document.sections[0].clauses[0].text = "One sentence."  # as if the import had lost a sentence

    fidelity = document.fidelity()

    assert (fidelity.found, fidelity.total) == (2, 3)
    assert fidelity.missing == ["Two sentence."]
    assert not fidelity.complete


def test_it_finds_sentences_only_in_order():
    document = read(b"First.\n\nSecond.", "policy.txt")
    clauses = document.sections[0].clauses
    clauses.reverse()

    assert document.fidelity().missing == ["Second."]


# The seed, the Social Media Policy 2016-2019, written as a .docx -----------------------------------------


def seed_fixture_outline() -> list[tuple[str, list[tuple[str, str]]]]:
    objects = json.loads(SEED_FIXTURE.read_text(encoding="utf-8"))
    sections = {o["pk"]: o["fields"] for o in objects if o["model"] == "policies.section"}
    clauses = [o["fields"] for o in objects if o["model"] == "policies.clause"]
    result = []
    for pk, section in sorted(sections.items(), key=lambda item: item[1]["position"]):
        mine = sorted((c for c in clauses if c["section"] == pk), key=lambda c: c["position"])
        result.append((section["heading"], [(c["style"], c["text"]) for c in mine]))
    return result


def test_it_round_trips_the_seed_policy_written_as_a_word_document():
    document = read(documents.seed_docx(), "social-media-policy.docx")

    # Every clause, heading, bullet and emphasis exactly as the seed fixture holds them.
    assert outline(document) == seed_fixture_outline()
    assert document.warnings == []

    # Every sentence of the source text, in order, found by the importer's own check...
    fidelity = document.fidelity()
    print(f"seed as .docx: {fidelity.found} of {fidelity.total} sentences found")
    assert fidelity.complete
    assert fidelity.total >= 64

    # ...and by a check that does not use the importer: the seed test's own sentence split.
    stored = "\n".join(c.text.replace("*", "") for s in document.sections for c in s.clauses)
    sentences = []
    for line in documents.seed_body_lines():
        if line in documents.SEED_HEADINGS:
            continue
        line = line[2:].strip() if line.startswith("- ") else line
        sentences.extend(part.replace("*", "") for part in SENTENCE_END.split(line) if part)
    cursor = 0
    for sentence in sentences:
        found = stored.find(sentence, cursor)
        assert found != -1, f"missing or out of order: {sentence!r}"
        cursor = found + len(sentence)
    assert len(sentences) == 64


def test_it_never_resolves_an_external_entity():
    try:
        document = read(documents.external_entity_docx())
    except ValidationError as error:  # refusing the file is as good as ignoring the entity
        assert error.code in ("damaged", "no_text")
        return
    texts = " ".join(c.text for s in document.sections for c in s.clauses)
    assert "root:" not in texts
