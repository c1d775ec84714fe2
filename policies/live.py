"""The live library: what home computes identically for every reader, kept per compliance generation.

Home shows each person the live versions (with their policies, review badges) and what waits for them. The
part that is the same for everyone (the live versions with their policies, each version's audience with
its chosen schools, each review status on the day, the key of the list's cached fragment) costs more ORM
work than the rest of the page, and only changes when the data does. It is kept in the per-process cache
``caches["local"]`` under the **compliance generation** and the day.

The generation lives in acknowledgements (its model and triggers), which policies may not import; so
acknowledgements registers its reader here when the app is ready (``use_generation``). Its rules apply
(acknowledgements.compliance_cache): the generation is read *before* the data it keys, in its own
autocommit statement, and inside a transaction the reader answers None and nothing is read from or written
to the cache. Without a reader (policies alone) the library is read every time.

Nothing person-specific is kept. The local cache pickles what it keeps, so each request gets its own
copy of the versions (``acknowledgements.selectors.waiting_for`` marks the person's deadline on them).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.cache import caches
from django.utils import timezone

from .audience import Audience
from .models import Policy, PolicyVersion

_read_generation: Callable[[], str | None] | None = None


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
    narrowed = {v.policy_id for v in versions if not v.policy.all_schools}
    chosen: dict[int, set[int]] = {policy_id: set() for policy_id in narrowed}
    if narrowed:
        through = Policy.audience_schools.through.objects.filter(policy_id__in=narrowed)
        for policy_id, school_id in through.values_list("policy_id", "school_id"):
            chosen[policy_id].add(school_id)
    for version in versions:
        version.review = version.review_status(today)
    # A published version's title, label and review term never change: with the policy's address (its
    # slug), they are what the list shows. The creation time with the id: an id reused after a rollback
    # can never pick up another version's row.
    key = ",".join(f"{v.pk}:{v.created_at.isoformat()}:{v.policy.slug}" for v in versions)
    return LiveLibrary(
        versions=versions,
        audiences={v.pk: Audience.of(v.policy, school_ids=chosen.get(v.policy_id)) for v in versions},
        key=key,
    )


def live_library(today: date | None = None) -> LiveLibrary:
    """The live library as committed now: one query (the generation) when this process has it for the
    generation and day, three at most otherwise; read afresh inside a transaction."""
    today = today or timezone.localdate()
    generation = _read_generation() if _read_generation is not None else None
    if generation is None:
        return read_live_library(today)
    key = f"policies:live-library:v1:{generation}:{today.isoformat()}"
    local = caches["local"]
    library = local.get(key)
    if library is None:
        library = read_live_library(today)
        local.set(key, library)
    return library
