"""Plain words: spans of time as people say them, plurals, and `make run`'s email links following PORT."""

import ast
import re
from pathlib import Path

import pytest
from django.utils import timezone

from acknowledgements.pack import ACKNOWLEDGED_COLUMNS, line
from symphony_portal.lib.terms import how_long

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "days, words",
    [
        (0, "today"),
        (1, "1 day"),
        (13, "13 days"),
        (14, "two weeks"),
        (45, "six weeks"),
        (90, "three months"),
        (364, "twelve months"),
        (365, "a year"),
        (400, "over a year"),
        (3742, "over ten years"),  # 1 September 2016 to 30 November 2026
    ],
)
def test_it_says_how_long_in_words(days, words):
    assert how_long(days) == words


def test_it_wraps_a_long_role_in_the_pack_register_instead_of_cutting_it():
    roles = "Head Teacher / Head of School / Designated Safeguarding Lead"
    cells = ["Sarah Okafor", "Staff", roles, "2026-11-30 09:00", "abcdef0123456789"]
    text = line(cells, ACKNOWLEDGED_COLUMNS)
    lines = text.split("\n")
    assert len(lines) > 1 and "…" not in text
    role_start = sum(width for _title, width in ACKNOWLEDGED_COLUMNS[:2])
    role_end = role_start + ACKNOWLEDGED_COLUMNS[2][1]
    assert " ".join(piece[role_start:role_end].strip() for piece in lines).split() == roles.split()
    assert lines[0].startswith("Sarah Okafor") and "2026-11-30 09:00" in lines[0]


@pytest.mark.django_db
def test_it_says_since_when_a_version_has_waited_on_the_outstanding_list(client, hr, seed_version):
    client.force_login(hr)
    page = client.get("/acknowledgements/outstanding/").content.decode()
    published = timezone.localtime(seed_version.published_at)
    waited = how_long((timezone.localdate() - published.date()).days)
    assert f"Waiting since {published:%-d %B %Y} ({waited}), when it was published." in page
    assert " days ago" not in page


def test_it_sets_the_email_links_from_port_in_make_run_unless_site_url_is_set():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile[makefile.index("\nrun:") : makefile.index("\n\n", makefile.index("\nrun:"))]
    assert 'SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"' in run  # SITE_URL wins; otherwise PORT
    assert "runserver 127.0.0.1:$(PORT)" in run


# --- The words of every template and message -----------------------------------------------------------

INLINE_TAGS = "a|abbr|b|bdi|button|code|em|i|kbd|label|mark|q|small|span|strong|sub|summary|sup|time"
DOUBLED_WORD = re.compile(r"\b([A-Za-z]+)[ \t]+\1\b", re.IGNORECASE)
# "invitation(s)", "by the portal : to", "Harmony , and", "the list ." (a value or a closing bracket counts
# as a word: "(▢) ." is a stray space too)
STRAY = re.compile(r"\(s\)|[\w▢)][ \t]+[:;,.](?=\s|$)")
APP_FOLDERS = ["symphony_portal", "policies", "reports", "acknowledgements", "approvals"]


def visible_text(template: str) -> str:
    """What a template shows, roughly: each value a ▢, inline tags dropped, other tags a line break."""
    text = re.sub(r"\{#.*?#\}|\{% *comment *%\}.*?\{% *endcomment *%\}", "", template, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", "", text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}", "▢", text, flags=re.S)
    text = re.sub(r"\{%.*?%\}", "", text, flags=re.S)
    text = re.sub(rf"</?(?:{INLINE_TAGS})\b[^>]*>", "", text, flags=re.S)
    return re.sub(r"<[^>]*>", "\n", text, flags=re.S)


def slips(text: str) -> list[str]:
    found = [m.group(0) for m in DOUBLED_WORD.finditer(text)]
    return found + [text[max(0, m.start() - 20) : m.end()] for m in STRAY.finditer(text)]


@pytest.mark.parametrize(
    "text, found",
    [
        ("Please go to to the list.", True),
        ("3 invitation(s) sent.", True),
        ("Opened by the portal : to", True),
        ("See your receipt .", True),
        ("Opened 3 times, last by Hannah Head.", False),
        ("Row 2: no email.", False),
    ],
)
def test_it_finds_the_slips_it_looks_for(text, found):
    assert bool(slips(text)) == found


def test_it_finds_no_doubled_word_or_stray_punctuation_in_any_template():
    found = {
        str(path.relative_to(ROOT)): slips(visible_text(path.read_text()))
        for path in sorted((ROOT / "templates").rglob("*"))
        if path.suffix in {".html", ".txt"}
    }
    assert {path: words for path, words in found.items() if words} == {}


def test_it_writes_plurals_without_brackets_in_every_message_of_the_code():
    """Messages and notes in the code (not docstrings): "2 files", never "2 file(s)"; no doubled word."""
    found = []
    for folder in APP_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            docstrings = {
                id(node.body[0].value)
                for node in ast.walk(tree)
                if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and node.body
                and isinstance(node.body[0], ast.Expr)
            }
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in docstrings
                ):
                    text = node.value
                    if "(s)" in text or DOUBLED_WORD.search(text):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:80]!r}")
    assert found == []
