"""Plain words: spans of time as people say them, plurals, and `make run`'s email links following PORT."""

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
