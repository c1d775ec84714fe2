"""Reads of a policy version that several pages, exports and records share."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache, caches
from django.db.models import Prefetch

from symphony_portal.lib.terms import Term

from .models import Clause, PolicyVersion, Section


@dataclass
class NumberedClause:
    clause: Clause
    number: str

    @property
    def anchor(self) -> str:
        return "clause-" + self.number.replace(".", "-")

    @property
    def text(self) -> str:
        return self.clause.text

    @property
    def style(self) -> str:
        return self.clause.style

    @property
    def key(self):
        return self.clause.key


@dataclass
class NumberedSection:
    section: Section
    number: int
    clauses: list[NumberedClause] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return self.section.heading

    @property
    def anchor(self) -> str:
        return f"section-{self.number}"

    @property
    def title(self) -> str:
        """The heading, or for the untitled opening section the start of its first clause."""
        if self.section.heading:
            return self.section.heading
        if self.clauses:
            words = self.clauses[0].text.split()
            return " ".join(words[:8]) + ("…" if len(words) > 8 else "")
        return "(untitled section)"


def outline(version: PolicyVersion) -> list[NumberedSection]:
    """The version's sections and clauses in order, numbered for display (6.3). Two queries."""
    sections = version.sections.order_by("position").prefetch_related(
        Prefetch("clauses", queryset=Clause.objects.order_by("position"))
    )
    numbered = []
    for s_index, section in enumerate(sections, start=1):
        entry = NumberedSection(section=section, number=s_index)
        entry.clauses = [
            NumberedClause(clause=clause, number=f"{s_index}.{c_index}")
            for c_index, clause in enumerate(section.clauses.all(), start=1)
        ]
        numbered.append(entry)
    return numbered


def canonical_text(sections: list[NumberedSection], *, title: str | None = None) -> str:
    """The exact text of a version: its title (when fingerprinted), then each section heading and each
    clause's text, one per line, in order."""
    lines = [f"Title: {title}"] if title is not None else []
    for section in sections:
        lines.append(f"# {section.heading}")
        lines.extend(numbered.text for numbered in section.clauses)
    return "\n".join(lines) + "\n"


def fingerprint(version: PolicyVersion, *, sections: list[NumberedSection] | None = None) -> str:
    """SHA-256 (hex) of the version's exact text: the one fingerprint used by every record and export.

    The text includes the title the version is printed under (``version.title``: as adopted, or for a
    draft the policy's title now, so renaming a policy after its approval needs the approval again),
    except for versions adopted or approved before titles were fingerprinted (``title_in_fingerprint``
    False), whose acknowledgements recorded the fingerprint of their clauses alone.

    Pass ``sections`` (it may be lazy) when the outline is loaded anyway, to save its two queries. An
    adopted version's text can never change, so unless its outline is already loaded its fingerprint is
    remembered in the shared cache and in the process's memory (keyed by its creation time too, so a reused
    primary key can never pick up another version's value).
    """
    title = version.title if version.title_in_fingerprint else None
    # A draft's text can change; and text already loaded (a list, not a lazy outline) hashes faster than
    # the shared cache (a database table) answers, so the cache is asked only to save loading the outline.
    if version.is_draft or type(sections) is list:
        return _sha256(sections if sections is not None else outline(version), title)
    key = f"policies:fingerprint:v2:{version.pk}:{version.created_at.isoformat()}"
    value = caches["local"].get(key)  # this process's memory first: the shared cache is a database table
    if value is None:
        value = cache.get(key)
        if value is None:
            value = _sha256(sections if sections is not None else outline(version), title)
            cache.set(key, value, None)
        caches["local"].set(key, value, None)
    return value


def _sha256(sections: list[NumberedSection], title: str | None) -> str:
    return hashlib.sha256(canonical_text(sections, title=title).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NextVersion:
    """What starting a review suggests for the next version: its label and the term of its next review."""

    label: str
    review_term: Term


# How far ahead the suggestion looks for a free label before giving up on a year-based one.
MAX_LABEL_TRIES = 20


def suggested_next_version(version: PolicyVersion, *, today: date) -> NextVersion:
    """The next version's label and review term, from the live version's own period. One query.

    A version adopted this year runs as long as the live one did: "2016-2019" becomes "2026-2029" in 2026,
    reviewed in the same season at its end (Autumn 2019 -> Autumn 2029). A label the policy already has
    (say the live version is itself "2026-2029") moves on a year, so the first press never fails.
    """
    span = re.fullmatch(r"(\d{4})-(\d{4})", version.label)
    years = int(span[2]) - int(span[1]) if span and int(span[2]) > int(span[1]) else 3
    taken = set(PolicyVersion.objects.filter(policy_id=version.policy_id).values_list("label", flat=True))
    start = today.year
    for _ in range(MAX_LABEL_TRIES):
        if f"{start}-{start + years}" not in taken:
            break
        start += 1
    label = f"{start}-{start + years}"
    if label in taken:  # twenty taken year ranges: suggest nothing rather than a label that fails
        label = ""
    return NextVersion(label=label, review_term=Term(version.review_season, start + years))


def carried_over_to(
    versions, *, adopted: list[PolicyVersion] | None = None
) -> dict[int, list[PolicyVersion]]:
    """For each adopted version, the later versions its acknowledgements were carried over to (minor
    changes, in order). One query, none when given every ``adopted`` version already read."""
    later: dict[int, list[PolicyVersion]] = {}
    if adopted is None:
        adopted = list(
            PolicyVersion.objects.adopted().filter(
                change=PolicyVersion.Change.MINOR, carries_over_from__isnull=False
            )
        )
    minors = sorted(
        (v for v in adopted if v.change == PolicyVersion.Change.MINOR and v.carries_over_from_id),
        key=lambda v: (v.created_at, v.pk),
    )
    by_base: dict[int | None, list[PolicyVersion]] = {}
    for minor in minors:
        by_base.setdefault(minor.carries_over_from_id, []).append(minor)
    for version in versions:
        run = by_base.get(version.acknowledgement_base_id, [])
        # A policy has one draft at a time: its versions were created in the order they were published.
        later[version.pk] = [v for v in run if v.created_at > version.created_at]
    return later
