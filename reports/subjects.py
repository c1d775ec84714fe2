"""Who a typed-in name could mean: the directory people a report may be about.

A reporter who types a colleague's name instead of picking it may write it any way: "david lin",
"Lin, David", "Mr D. Lin", "Davd Lin". Routing must never hand the report to anyone the name could
mean, so the match leans towards "yes": a name matches a person in the directory when, after
``name_parts`` has normalised both (case, accents, spacing, punctuation, titles), either

- the two names written without any spaces are the same but for at most one slip, or
- every part of the shorter name pairs off with a different part of the longer one, in any order
  ("Lin David", "Mr Lin"), where a pair is the same word, an initial and a word starting with it
  ("D Lin"), or, for at most one pair in the whole name, words one slip apart ("Lni", "Linn");
  at least one pair is a whole word, so initials alone ("D L") match nobody.

A slip is one edit: a letter inserted, deleted or changed, or two neighbouring letters swapped.
"""

import unicodedata
from collections.abc import Iterable

from symphony_portal.trust.models import User

# Said before a name, never part of it; compared after normalising (so "Dr." and "DR" are "dr").
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir"})

# Dropped inside a word rather than splitting it: "O'Brien" is one part, as "OBrien" is.
JOINERS = frozenset("'’`´ʼ")

# Beyond this many parts on both sides, only the names written without spaces are compared (a person's
# name in the directory never has that many; this bounds the pairing search on hostile text).
MAX_PARTS = 12


def name_parts(name: str) -> list[str]:
    """The words of a name, lower case, without accents, punctuation or titles.

    "  Mr. D. Lin-Smith " -> ["d", "lin", "smith"]; "Lin, David" -> ["lin", "david"] (order is
    ignored by the matching). Invisible characters (zero-width spaces and the like) are dropped.
    """
    decomposed = unicodedata.normalize("NFKD", name or "")
    cleaned = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category in ("Mn", "Me", "Cf") or char in JOINERS:
            continue  # accents, invisible format characters, apostrophes
        if category[0] in "LN":
            cleaned.append(char)
        else:
            cleaned.append(" ")  # spaces, hyphens, full stops, commas: all separate words
    parts = "".join(cleaned).casefold().split()
    return [part for part in parts if part not in TITLES]


def within_one_edit(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with one letter inserted, deleted or changed, or two neighbours swapped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    # Skip the common beginning; what differs must be one edit at that point.
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        if a[i + 1 :] == b[i + 1 :]:
            return True  # one letter changed
        # two neighbours swapped
        return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    return a[i:] == b[i + 1 :]  # one letter inserted into the shorter


def _pair_cost(short: str, long: str) -> int | None:
    """0 for the same word or an initial of it, 1 for a slip, None when the two cannot be the same part."""
    if short == long:
        return 0
    if len(short) == 1 or len(long) == 1:
        return 0 if short[0] == long[0] else None
    return 1 if within_one_edit(short, long) else None


def _is_whole_word_pair(a: str, b: str) -> bool:
    return len(a) > 1 and len(b) > 1


def _pairs_off(shorter: list[str], longer: list[str]) -> bool:
    """Whether each part of ``shorter`` pairs with a distinct part of ``longer`` (at most one slip overall).

    A small search over assignments: names have a handful of parts, and a second slip or a part with
    no partner ends a branch at once.
    """

    def search(index: int, used: frozenset[int], slips: int, whole: bool) -> bool:
        if index == len(shorter):
            return whole
        part = shorter[index]
        tried = set()
        for j, other in enumerate(longer):
            if j in used or other in tried:
                continue  # the same word again pairs no better than its first copy
            tried.add(other)
            cost = _pair_cost(part, other) if len(part) <= len(other) else _pair_cost(other, part)
            if cost is None or slips + cost > 1:
                continue
            if search(index + 1, used | {j}, slips + cost, whole or _is_whole_word_pair(part, other)):
                return True
        return False

    return search(0, frozenset(), 0, False)


def names_match(typed: str, full_name: str) -> bool:
    """Whether ``typed`` could be a way of writing ``full_name`` (see the module's docstring)."""
    return parts_match(name_parts(typed), name_parts(full_name))


def parts_match(typed: list[str], known: list[str]) -> bool:
    """``names_match`` on names already split by ``name_parts``."""
    if not typed or not known:
        return False
    if within_one_edit("".join(typed), "".join(known)) and len("".join(typed)) > 1:
        return True
    shorter, longer = (typed, known) if len(typed) <= len(known) else (known, typed)
    if len(shorter) > MAX_PARTS:
        return False
    return _pairs_off(shorter, longer)


def people_named(name: str, *, among: Iterable[User] | None = None) -> list[User]:
    """Everyone in the directory, active or not, whom ``name`` could mean, in a stable order.

    Reads the whole directory's names in one query (a trust has hundreds of people, not millions).
    """
    typed = name_parts(name)
    if not typed:
        return []
    people = among if among is not None else User.objects.select_related("school").order_by("pk")
    return [person for person in people if parts_match(typed, name_parts(person.full_name))]
