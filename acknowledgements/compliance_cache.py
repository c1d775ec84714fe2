"""The compliance pages' counts, computed once per change of the data instead of on every request.

At 30 live policies and 5,000 people, counting who has acknowledged what takes longer than the whole
time a page may take (issue 17). What those pages show depends only on the database and on the date, so
each is rendered once and kept under a key that changes whenever either does:

- the **compliance generation** (``ComplianceGeneration``, one row): database triggers raise it with
  every committed change to a table in ``generation.WATCHED`` (migration acknowledgements 0009 makes
  them). Triggers, not Django signals, so ``bulk_create``, ``QuerySet.update``/``delete`` and raw SQL
  raise it too;
- today's date in the trust's time zone (deadlines pass, "overdue" appears, yearly rounds open);
- the scope (the whole trust, or which schools), and the page;
- ``CODE_VERSION``: a digest of the code and templates that make the fragment, so a host running a new
  release never serves a fragment an older release made (the cache table is shared by every host).

**The rule for whoever adds a table**: any table whose changes alter who must acknowledge a policy, who
has, by when, or what these pages print must be in ``generation.WATCHED`` and get its triggers in a new
migration (see docs/architecture.md, "Compliance pages: counts kept per generation"). tests/acknowledgements/
test_compliance_cache.py changes each listed model and fails if the generation does not move.

**Why the order of reads makes the cache never wrong.** A reader reads the generation *before* it reads
any data, in its own autocommit statement, and keeps what it computes under the generation it read. The
bump is part of the writer's transaction (on PostgreSQL it runs at the writer's commit, on SQLite inside
it), so the data and the new generation become visible at the same instant. A reader that read the old
generation may go on to read the new data: it keeps *fresher* data under the old key, which nobody asks
for once the new generation is visible. A reader that read the new generation reads at least the data
committed with it. So an entry can be fresher than its key, never staler.

Inside a transaction (``connection.in_atomic_block``) the cache is neither read nor written: the
transaction's own uncommitted changes have not raised the generation on PostgreSQL yet (the bump runs at
commit), and what it computed might be rolled back. Requests run in autocommit, so this only concerns
code calling the views from inside a transaction (such as a test's own transaction).

Nothing user-specific may be in a fragment: it is rendered with ``render_to_string`` and no request, so no
CSRF token, user or message can get in. The fragment is kept in a small per-process dictionary in front of
the shared cache (``caches["default"]``, the database): both are safe because the key carries the
generation read from the database.
"""

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.safestring import SafeString, mark_safe

from .models import ComplianceGeneration

# --- Reading the generation and the cached fragments ----------------------------------------------------


def current_generation() -> str | None:
    """The compliance generation as committed ("epoch:value"); None inside a transaction (see above).

    One query (two when the row has to be made: after a test's flush, or if it were ever deleted).
    """
    if connection.in_atomic_block:
        return None
    row = ComplianceGeneration.objects.filter(pk=1).values_list("epoch", "value").first()
    if row is None:
        # A new epoch: (epoch, value) never repeats an earlier row's, whatever the cache still holds.
        ComplianceGeneration.objects.bulk_create(
            [ComplianceGeneration(pk=1, epoch=secrets.token_hex(16), value=0)], ignore_conflicts=True
        )
        row = ComplianceGeneration.objects.filter(pk=1).values_list("epoch", "value").get()
    return f"{row[0]}:{row[1]}"


def _code_version() -> str:
    """A digest of what makes the fragments: a release that changes any of it uses new keys."""
    here = Path(__file__).resolve().parent
    sources = [
        here / "selectors.py",
        here / "views.py",
        here / "compliance_cache.py",
        here / "generation.py",
        here / "templatetags" / "acknowledgements_tags.py",
        here.parent / "policies" / "audience.py",
        here.parent / "symphony_portal" / "lib" / "school_days.py",
        *sorted((Path(settings.BASE_DIR) / "templates" / "acknowledgements").glob("*.html")),
    ]
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.name.encode())
        digest.update(source.read_bytes() if source.exists() else b"-")
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()


class _LocalFragments:
    """This process's copy of the latest fragment of each page and scope (a bounded LRU, thread-safe)."""

    def __init__(self, slots: int = 32):
        self.slots = slots
        self.entries: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, slot: str, key: str) -> str | None:
        with self.lock:
            entry = self.entries.get(slot)
            if entry is None or entry[0] != key:
                return None
            self.entries.move_to_end(slot)
            return entry[1]

    def put(self, slot: str, key: str, html: str) -> None:
        with self.lock:
            self.entries[slot] = (key, html)
            self.entries.move_to_end(slot)
            while len(self.entries) > self.slots:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


local_fragments = _LocalFragments()


def cached_fragment(page: str, scope: str, today: date, render: Callable[[], SafeString]) -> SafeString:
    """The fragment ``render`` makes for this page and scope today, kept per compliance generation.

    Each page and scope has one slot (in this process and in the shared cache) holding its latest
    fragment with the key it was made under; a slot holding another key is a miss, so an old entry can
    cost a recomputation but is never shown. ``render`` must read the data itself (after this reads the
    generation) and must put nothing user-specific in the fragment.
    """
    generation = current_generation()  # before any of the data: see the module's docstring
    if generation is None:
        return render()
    slot = f"compliance-fragment:{page}:{scope}"
    key = f"{CODE_VERSION}:{generation}:{today.isoformat()}"
    html = local_fragments.get(slot, key)
    if html is None:
        shared = cache.get(slot)
        if isinstance(shared, tuple) and len(shared) == 2 and shared[0] == key:
            html = shared[1]
            local_fragments.put(slot, key, html)
    if html is None:
        html = str(render())
        local_fragments.put(slot, key, html)
        cache.set(slot, (key, html))
    # Kept as the plain text a template rendered (and escaped): safe to show as it is.
    return mark_safe(html)  # noqa: S308
