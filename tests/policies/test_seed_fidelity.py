"""The seeded Social Media Policy keeps the trust's wording: every sentence, in order, with its cover.

The seed text is read here on its own terms, not through fixtures/source/build_seed_fixture.py, so a
fault in the build script cannot hide itself.
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from policies.models import Clause, PolicyVersion, Section
from policies.selectors import outline

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "seed_policy.json"
SOURCE = ROOT / "fixtures" / "source" / "social-media-policy-2016-2019.txt"

BODY_START = "This policy applies to all staff"
HEADINGS = [
    "Purpose",
    "Definition of Social Media",
    "Use of Social Media",
    "Employee Responsibility",
    "Disciplinary Action",
    "Social Media Security",
    "Monitoring the Use of Social Media Websites",
    "Employee Groups / Networks",
]
# Counted by hand from the source: 8 in the opening section, 7 Purpose, 9 Definition, 7 Use,
# 19 Employee Responsibility, 2 Disciplinary Action, 5 Security, 5 Monitoring, 2 Employee Groups.
SEED_SENTENCES = 64
SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+")


def load_seed():
    call_command("loaddata", str(FIXTURE), verbosity=0)
    return PolicyVersion.objects.get(policy__slug="social-media-policy", label="2016-2019")


def source_lines() -> list[str]:
    return [line.strip() for line in SOURCE.read_text(encoding="utf-8-sig").splitlines()]


def body_lines() -> list[str]:
    """The non-empty lines of the body, from its first paragraph to the end of the file."""
    lines = source_lines()
    start = next(i for i, line in enumerate(lines) if line.startswith(BODY_START))
    return [line for line in lines[start:] if line]


@pytest.mark.django_db
def test_it_keeps_every_sentence_of_the_seed_in_order():
    version = load_seed()
    sections = list(Section.objects.filter(version=version).order_by("position"))
    clauses = Clause.objects.filter(version=version).order_by("section__position", "position")
    stored = "\n".join(clause.text for clause in clauses)

    headings_in_file = []
    sentences = []
    for line in body_lines():
        if line in HEADINGS:
            headings_in_file.append(line)
            continue
        if line.startswith("- "):
            line = line[2:].strip()
        sentences.extend(part for part in SENTENCE_END.split(line) if part)

    assert headings_in_file == HEADINGS
    assert [section.heading for section in sections] == ["", *HEADINGS]

    cursor = 0
    for sentence in sentences:
        found = stored.find(sentence, cursor)
        assert found != -1, f"missing or out of order: {sentence!r}"
        cursor = found + len(sentence)

    print(f"seed sentences checked: {len(sentences)}")
    assert len(sentences) == SEED_SENTENCES


@pytest.mark.django_db
def test_it_keeps_the_cover_metadata():
    version = load_seed()

    assert version.policy.title == "Social Media Policy"
    assert version.label == "2016-2019"
    assert str(version.adopted_term) == "Autumn 2016"
    assert str(version.review_term) == "Autumn 2019"
    assert version.status == PolicyVersion.Status.PUBLISHED

    lines = source_lines()
    cover = lines[lines.index("HR Services") : lines.index("Email: mary.robson@leics.gov.uk") + 1]
    cover = [line for line in cover if line]
    assert len(cover) == 10
    assert [line for line in version.developed_by.splitlines() if line] == cover


@pytest.mark.django_db
def test_it_marks_bullets_and_keeps_the_emphasis():
    version = load_seed()

    definition = Section.objects.get(version=version, heading="Definition of Social Media")
    bullets = [c.text for c in definition.clauses.order_by("position") if c.style == Clause.Style.BULLET]
    starts = [
        "Maintaining a profile page",
        "Writing or commenting on a blog",
        "Taking part in discussions",
        "Leaving product or service reviews",
        "Taking part in online polls",
        "Uploading multi-media",
        "Liking, re-tweeting and commenting",
    ]
    assert len(bullets) == 7
    assert all(text.startswith(start) for text, start in zip(bullets, starts, strict=True))

    responsibility = Section.objects.get(version=version, heading="Employee Responsibility")
    ordered = list(responsibility.clauses.order_by("position"))
    last_bullet = max(i for i, c in enumerate(ordered) if c.style == Clause.Style.BULLET)
    follower = ordered[last_bullet + 1]
    assert follower.text == "This list is not exhaustive."
    assert follower.style == Clause.Style.PARAGRAPH

    disciplinary = Section.objects.get(version=version, heading="Disciplinary Action")
    emphasis = "*including if others implicate you in a breach of any of the terms listed above*"
    assert any(emphasis in c.text for c in disciplinary.clauses.all())


@pytest.mark.django_db
def test_it_numbers_the_clauses_from_their_order():
    version = load_seed()
    sections = outline(version)

    assert sections[0].heading == ""
    assert sections[0].clauses[0].text.startswith("This policy applies to all staff")
    assert sections[4].number == 5
    assert sections[4].heading == "Employee Responsibility"
    for section in sections:
        assert section.number == section.section.position
        for numbered in section.clauses:
            assert numbered.number == f"{section.number}.{numbered.clause.position}"
