"""The live library: what home computes identically for every reader, kept per compliance generation.

Home shows each person the live versions (with their policies, review badges) and what waits for them. The
part that is the same for everyone (the live versions with their policies, each version's audience with
its chosen schools, each review status on the day, the key of the list's cached fragment) costs more ORM
work than the rest of the page, and only changes when the data does. It is kept in this process's memory
under the **compliance generation** and the day: the latest library only, as objects. Not in
``caches["local"]``: that cache pickles, and unpickling 30 versions with their policies on every request
cost ~0.7 ms, more than half of what keeping them saves.

The generation lives in acknowledgements (its model and triggers), which policies may not import; so
acknowledgements registers its reader here when the app is ready (``use_generation``). Its rules apply
(acknowledgements.compliance_cache): the generation is read *before* the data it keys, in its own
autocommit statement, and inside a transaction the reader answers None and nothing is read from or written
to the cache. Without a reader (policies alone) the library is read every time.

Nothing person-specific is kept. The versions are shared by every request (and thread) of the process:
readers must not change them (``acknowledgements.selectors.waiting_for`` marks the person's deadline on a
copy of each version that waits).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from .audience import Audience, audiences_of
from .models import PolicyVersion

_read_generation: Callable[[], str | None] | None = None
# (key, library): replaced whole, so a thread reads one pair or the other, never a mix.
_latest: tuple[str, "LiveLibrary"] | None = None


def use_generation(reader: Callable[[], str | None]) -> None:
    """Key the live library on this reader's generation ("None" inside a transaction: no cache)."""
    global _read_generation
    _read_generation = reader


@dataclass(frozen=True)
class LiveLibrary:
    """The live version of each policy (by title, with its policy and ``review`` on the day), each one's
    audience by version id, and ``key``: what home's list shows of them (its cached fragment's key)."""

    versions: tuple[PolicyVersion, ...]
    audiences: dict[int, Audience]
    key: str


def read_live_library(today: date) -> LiveLibrary:
    """The live library from the database: two queries (one when no policy has chosen schools)."""
    versions = tuple(PolicyVersion.objects.published().select_related("policy").order_by("policy__title"))
    for version in versions:
        version.review = version.review_status(today)
    # A published version's title, label and review term never change: with the policy's address (its
    # slug), they are what the list shows. The creation time with the id: an id reused after a rollback
    # can never pick up another version's row.
    key = ",".join(f"{v.pk}:{v.created_at.isoformat()}:{v.policy.slug}" for v in versions)
    return LiveLibrary(
        versions=versions,
        audiences=audiences_of(versions),
        key=key,
    )


def live_library(today: date | None = None) -> LiveLibrary:
    """The live library as committed now: one query (the generation) when this process has it for the
    generation and day, three at most otherwise; read afresh inside a transaction."""
    today = today or timezone.localdate()
    generation = _read_generation() if _read_generation is not None else None
    if generation is None:
        return read_live_library(today)
    global _latest
    key = f"{generation}:{today.isoformat()}"
    latest = _latest
    if latest is not None and latest[0] == key:
        return latest[1]
    library = read_live_library(today)
    _latest = (key, library)
    return library


def forget_live_library() -> None:
    """Drop this process's library (tests: ids and generations are reused after a flush)."""
    global _latest
    _latest = None
