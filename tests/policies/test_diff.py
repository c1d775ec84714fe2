"""policies.diff.compare on crafted versions: no database, outlines built by hand."""

import uuid

from policies.diff import compare, word_diff
from policies.models import Clause, Section
from policies.selectors import NumberedClause, NumberedSection


def key(name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, name)


def build(spec: list[tuple[str, str, list[tuple[str, str]]]]) -> list[NumberedSection]:
    """An outline from [(section key name, heading, [(clause key name, text), ...]), ...]."""
    sections = []
    for s_number, (s_key, heading, clauses) in enumerate(spec, start=1):
        section = NumberedSection(
            section=Section(key=key(s_key), heading=heading, position=s_number), number=s_number
        )
        section.clauses = [
            NumberedClause(
                clause=Clause(key=key(c_key), text=text, position=c_number), number=f"{s_number}.{c_number}"
            )
            for c_number, (c_key, text) in enumerate(clauses, start=1)
        ]
        sections.append(section)
    return sections


OLD = build(
    [
        ("s1", "Purpose", [("a", "Alpha clause."), ("b", "Bravo clause."), ("c", "Charlie clause.")]),
        ("s2", "Use", [("d", "Delta clause."), ("e", "Echo clause."), ("f", "Foxtrot clause.")]),
        ("s3", "Security", [("g", "Golf clause.")]),
    ]
)


def entries(comparison) -> dict:
    """Every clause entry by its text (new, else old), runs of unchanged clauses unfolded."""
    found = {}
    for section in comparison.sections:
        for item in section.items:
            for entry in getattr(item, "clauses", [item]):
                found[(entry.new or entry.old).text] = (section.title, entry)
    return found


def test_it_finds_nothing_between_identical_versions():
    comparison = compare(OLD, OLD)
    assert comparison.counts == {"added": 0, "removed": 0, "moved": 0, "changed": 0, "unchanged": 7}
    assert not comparison.has_changes
    # unchanged clauses come folded, one run per section
    assert [[type(i).__name__ for i in s.items] for s in comparison.sections] == [["UnchangedRun"]] * 3


def test_it_finds_added_removed_moved_changed_and_unchanged_clauses():
    new = build(
        [
            # b removed; c before a (one of them moved); h added
            ("s1", "Purpose", [("c", "Charlie clause."), ("a", "Alpha clause."), ("h", "Hotel clause.")]),
            # e changed; f moved into s3 below
            ("s2", "Use", [("d", "Delta clause."), ("e", "Echo clause, amended.")]),
            ("s3", "Security", [("g", "Golf clause."), ("f", "Foxtrot clause.")]),
        ]
    )
    comparison = compare(OLD, new)
    found = entries(comparison)
    assert comparison.counts == {"added": 1, "removed": 1, "moved": 2, "changed": 1, "unchanged": 3}
    assert found["Hotel clause."][1].kind == "added"
    assert found["Bravo clause."][1].kind == "removed"
    assert found["Bravo clause."][0] == "Purpose"  # listed where its section continues
    assert found["Echo clause, amended."][1].kind == "changed"
    # a longest common order keeps a, d, e, g; c jumped ahead of a, so c is the one that moved
    assert found["Charlie clause."][1].kind == "moved"
    assert found["Alpha clause."][1].kind == "unchanged"
    foxtrot = found["Foxtrot clause."]
    assert foxtrot[0] == "Security" and foxtrot[1].kind == "moved"
    assert foxtrot[1].old.number == "2.3" and foxtrot[1].new.number == "3.2"
    assert foxtrot[1].old_section_title == "Use"


def test_it_counts_a_clause_moved_between_sections_even_when_its_order_is_kept():
    # The section boundary moves: e and f now open section 3, in the same reading order as before.
    new = build(
        [
            ("s1", "Purpose", [("a", "Alpha clause."), ("b", "Bravo clause."), ("c", "Charlie clause.")]),
            ("s2", "Use", [("d", "Delta clause.")]),
            ("s3", "Security", [("e", "Echo clause."), ("f", "Foxtrot clause."), ("g", "Golf clause.")]),
        ]
    )
    comparison = compare(OLD, new)
    found = entries(comparison)
    assert comparison.counts["moved"] == 2 and comparison.counts["unchanged"] == 5
    assert found["Echo clause."][1].moved and found["Foxtrot clause."][1].moved
    assert not found["Golf clause."][1].moved


def test_it_counts_a_clause_both_moved_and_changed():
    new = build(
        [
            ("s1", "Purpose", [("a", "Alpha clause."), ("b", "Bravo clause."), ("c", "Charlie clause.")]),
            ("s2", "Use", [("d", "Delta clause."), ("e", "Echo clause.")]),
            ("s3", "Security", [("g", "Golf clause."), ("f", "Foxtrot clause, now in security.")]),
        ]
    )
    comparison = compare(OLD, new)
    foxtrot = entries(comparison)["Foxtrot clause, now in security."][1]
    assert foxtrot.moved and foxtrot.changed and foxtrot.kind == "moved"
    assert comparison.counts["moved"] == 1 and comparison.counts["changed"] == 1
    assert foxtrot.html == "Foxtrot <del>clause.</del><ins>clause, now in security.</ins>"


def test_it_lists_a_removed_section_with_its_clauses_and_an_added_section():
    new = build(
        [
            ("s1", "Purpose", [("a", "Alpha clause."), ("b", "Bravo clause."), ("c", "Charlie clause.")]),
            (
                "s2",
                "Use of social media",
                [("d", "Delta clause."), ("e", "Echo clause."), ("f", "Foxtrot clause.")],
            ),
            ("s4", "Artificial intelligence", [("i", "India clause.")]),
        ]
    )
    comparison = compare(OLD, new)
    statuses = [(s.title, s.status) for s in comparison.sections]
    assert statuses == [
        ("Purpose", "unchanged"),
        ("Use of social media", "changed"),
        ("Artificial intelligence", "added"),
        ("Security", "removed"),
    ]
    assert comparison.sections[1].heading_html == "Use<ins> of social media</ins>"
    removed = comparison.sections[3]
    assert [item.old.text for item in removed.items] == ["Golf clause."]
    assert comparison.counts["removed"] == 1 and comparison.counts["added"] == 1


def test_it_shows_a_style_change_as_a_change():
    new = build([("s1", "Purpose", [("a", "Alpha clause.")])])
    old = build([("s1", "Purpose", [("a", "Alpha clause.")])])
    new[0].clauses[0].clause.style = Clause.Style.BULLET
    entry = compare(old, new).sections[0].items[0]
    assert entry.changed and entry.style_changed and entry.html == "Alpha clause."


def test_it_highlights_changed_words_only():
    html = word_diff("Employees must not post on Facebook.", "Employees must never post on Facebook or X.")
    assert (
        html == "Employees must <del>not</del><ins>never</ins> post on "
        "<del>Facebook.</del><ins>Facebook or X.</ins>"
    )


def test_it_escapes_text_before_marking_changes():
    html = word_diff('Say <b>"hi"</b> & go', "Say <script>alert(1)</script> & go")
    assert "<script>" not in html and "<b>" not in html
    assert html == (
        "Say <del>&lt;b&gt;&quot;hi&quot;&lt;/b&gt;</del>"
        "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins> &amp; go"
    )
    entry = compare(build([("s", "", [("x", "<i>old</i>")])]), build([("s", "", [("x", "<i>new</i>")])]))
    assert "<i>" not in entry.sections[0].items[0].html
