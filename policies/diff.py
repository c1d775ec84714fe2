"""What changed between two versions of a policy, clause by clause.

A pure function of two outlines (``policies.selectors.outline``): no queries, no request. Clauses are
matched by ``key``, their identity across versions, so a clause is the same clause wherever it went:

- *added*: its key is only in the newer version; *removed*: only in the older one;
- *moved*: it is in another section, or out of order against the other clauses that stayed in their
  section (those outside a longest common subsequence of their keys, in reading order; on a tie, the
  clause that comes first in the older version stays put);
- *changed*: its wording (or its style, paragraph or bullet) differs;
- *unchanged*: in both, same place, same wording.

A clause can be both moved and changed; it then counts in both. Wording changes are shown word by word:
every piece of text is escaped first and only then wrapped in ``<ins>``/``<del>``, so nothing a writer
typed can become markup.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .selectors import NumberedClause, NumberedSection

ADDED, REMOVED, MOVED, CHANGED, UNCHANGED = "added", "removed", "moved", "changed", "unchanged"
KINDS = (ADDED, REMOVED, MOVED, CHANGED, UNCHANGED)

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> SafeString:
    """The new text with deleted words in <del> and inserted words in <ins>; everything escaped."""
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    parts = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(new_tokens[j1:j2])))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(old_tokens[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(new_tokens[j1:j2]))}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece was escaped above


def _longest_common_subsequence(old: list, new: list) -> set:
    """The items of one longest common subsequence of two lists of distinct items."""
    n, m = len(old), len(new)
    lengths = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            if old[i] == new[j]:
                lengths[i][j] = lengths[i + 1][j + 1] + 1
            else:
                lengths[i][j] = max(lengths[i + 1][j], lengths[i][j + 1])
    kept, i, j = set(), 0, 0
    while i < n and j < m:
        if old[i] == new[j]:
            kept.add(old[i])
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] > lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return kept


@dataclass
class ClauseDiff:
    """One clause in the comparison. ``old``/``new`` are None for an added/removed clause."""

    old: NumberedClause | None
    new: NumberedClause | None
    moved: bool = False
    changed: bool = False
    old_section_title: str = ""
    html: SafeString | str = ""

    @property
    def kind(self) -> str:
        """The main label: added, removed, moved, changed or unchanged (moved wins over changed)."""
        if self.old is None:
            return ADDED
        if self.new is None:
            return REMOVED
        if self.moved:
            return MOVED
        if self.changed:
            return CHANGED
        return UNCHANGED

    @property
    def style(self) -> str:
        return (self.new or self.old).style

    @property
    def style_changed(self) -> bool:
        return bool(self.old and self.new and self.old.style != self.new.style)

    @property
    def anchor(self) -> str:
        return f"change-{(self.new or self.old).key}"


@dataclass
class UnchangedRun:
    """Consecutive unchanged clauses, shown folded."""

    clauses: list[ClauseDiff] = field(default_factory=list)

    kind = "unchanged_run"

    @property
    def first(self) -> str:
        return self.clauses[0].new.number

    @property
    def last(self) -> str:
        return self.clauses[-1].new.number


@dataclass
class SectionDiff:
    """A section of the newer version (or a removed one), with its clauses' changes in reading order."""

    old: NumberedSection | None
    new: NumberedSection | None
    items: list = field(default_factory=list)  # ClauseDiff and UnchangedRun

    @property
    def title(self) -> str:
        return (self.new or self.old).title

    @property
    def number(self) -> int:
        return (self.new or self.old).number

    @property
    def status(self) -> str:
        if self.old is None:
            return ADDED
        if self.new is None:
            return REMOVED
        return CHANGED if self.old.heading != self.new.heading else UNCHANGED

    @property
    def heading_html(self) -> SafeString:
        if self.old and self.new and self.old.heading != self.new.heading:
            return word_diff(self.old.heading, self.new.heading)
        return escape(self.title)

    @property
    def anchor(self) -> str:
        return f"compare-section-{(self.new or self.old).section.key}"


@dataclass
class Comparison:
    sections: list[SectionDiff]
    counts: dict[str, int]

    @property
    def has_changes(self) -> bool:
        return any(self.counts[kind] for kind in (ADDED, REMOVED, MOVED, CHANGED)) or any(
            s.status != UNCHANGED for s in self.sections
        )


def _fold_unchanged(items: list[ClauseDiff]) -> list:
    folded = []
    for item in items:
        if item.kind == UNCHANGED:
            if not folded or not isinstance(folded[-1], UnchangedRun):
                folded.append(UnchangedRun())
            folded[-1].clauses.append(item)
        else:
            folded.append(item)
    return folded


def compare(old: list[NumberedSection], new: list[NumberedSection]) -> Comparison:
    """Compare two outlines of the same policy (older first). Pure: reads only what it is given."""
    old_clauses = {c.key: (c, s) for s in old for c in s.clauses}
    new_clauses = {c.key: (c, s) for s in new for c in s.clauses}
    # A clause now in another section has moved whatever the order; the order is judged on the others.
    stayed = {
        k
        for k, (_, s) in new_clauses.items()
        if k in old_clauses and old_clauses[k][1].section.key == s.section.key
    }
    in_order = _longest_common_subsequence(
        [k for k in old_clauses if k in stayed], [k for k in new_clauses if k in stayed]
    )

    counts = dict.fromkeys(KINDS, 0)
    new_section_keys = {s.section.key for s in new}
    old_sections = {s.section.key: s for s in old}
    sections = []
    for section in new:
        items = []
        for clause in section.clauses:
            if clause.key not in old_clauses:
                items.append(ClauseDiff(old=None, new=clause, html=escape(clause.text)))
                counts[ADDED] += 1
                continue
            before, before_section = old_clauses[clause.key]
            entry = ClauseDiff(
                old=before,
                new=clause,
                moved=clause.key not in in_order or before_section.section.key != section.section.key,
                changed=before.text != clause.text or before.style != clause.style,
                old_section_title=before_section.title,
            )
            entry.html = word_diff(before.text, clause.text) if entry.changed else escape(clause.text)
            counts[MOVED] += entry.moved
            counts[CHANGED] += entry.changed
            counts[UNCHANGED] += not (entry.moved or entry.changed)
            items.append(entry)
        # Clauses removed from this section are listed where the section continues.
        items += _removed(old_sections.get(section.section.key), new_clauses, counts)
        sections.append(
            SectionDiff(old=old_sections.get(section.section.key), new=section, items=_fold_unchanged(items))
        )
    for section in old:
        if section.section.key not in new_section_keys:
            sections.append(SectionDiff(old=section, new=None, items=_removed(section, new_clauses, counts)))
    return Comparison(sections=sections, counts=counts)


def _removed(section: NumberedSection | None, new_clauses: dict, counts: dict) -> list[ClauseDiff]:
    if section is None:
        return []
    removed = [
        ClauseDiff(old=c, new=None, old_section_title=section.title, html=escape(c.text))
        for c in section.clauses
        if c.key not in new_clauses
    ]
    counts[REMOVED] += len(removed)
    return removed
