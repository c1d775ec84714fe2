"""An uploaded policy document kept between its preview and HR's confirmation.

The file is stored in the private storage (a folder on one host, the shared bucket on several), under a
random name; what the upload was (that name, the file's SHA-256, the title and terms typed) is kept in
the HR person's own server-side session, never in the page. Confirming reads the file back, checks its
SHA-256 and reads it again through the same checks: nothing the browser sends can swap the file or
name another person's upload. A session holds a few uploads at most (several tabs); older ones, and
files left by abandoned previews, are deleted.
"""

import contextlib
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from symphony_portal.lib.storage import private_storage

FOLDER = "policy-imports"
SESSION_KEY = "policy_imports"
MAX_PENDING = 3
STALE_AFTER = timedelta(days=1)
TOKEN = re.compile(r"[0-9a-f]{40}")


@dataclass
class PendingImport:
    token: str
    filename: str
    sha256: str
    title: str
    label: str
    review_season: str
    review_year: int

    def read(self) -> bytes | None:
        """The stored bytes, or None if the file is gone or is not the one uploaded."""
        try:
            with private_storage().open(_name(self.token), "rb") as handle:
                data = handle.read()
        except (FileNotFoundError, OSError):
            return None
        return data if hashlib.sha256(data).hexdigest() == self.sha256 else None


def _name(token: str) -> str:
    if not TOKEN.fullmatch(token):
        raise ValueError("not a pending import")
    return f"{FOLDER}/{token}"


def keep(
    session, data: bytes, *, filename: str, title: str, label: str, review_season: str, review_year: int
) -> str:
    """Store the upload and remember it in this session; returns its token (the preview's address)."""
    token = secrets.token_hex(20)
    private_storage().save(_name(token), ContentFile(data))
    pending = dict(session.get(SESSION_KEY, {}))
    pending[token] = {
        "filename": filename[:200],
        "sha256": hashlib.sha256(data).hexdigest(),
        "title": title,
        "label": label,
        "review_season": review_season,
        "review_year": review_year,
        "at": timezone.now().isoformat(),
    }
    for old in sorted(pending, key=lambda t: pending[t]["at"])[:-MAX_PENDING]:
        pending.pop(old)
        _delete(old)
    session[SESSION_KEY] = pending
    _delete_stale()
    return token


def find(session, token: str) -> PendingImport | None:
    """This session's upload with this token, or None (another person's, forgotten, or made up)."""
    entry = session.get(SESSION_KEY, {}).get(token)
    if entry is None or not TOKEN.fullmatch(token):
        return None
    names = ("filename", "sha256", "title", "label", "review_season", "review_year")
    fields = {key: entry[key] for key in names}
    return PendingImport(token=token, **fields)


def forget(session, token: str) -> None:
    """Drop the upload from the session and delete its file."""
    pending = dict(session.get(SESSION_KEY, {}))
    if pending.pop(token, None) is not None:
        session[SESSION_KEY] = pending
    if TOKEN.fullmatch(token):
        _delete(token)


def _delete(token: str) -> None:
    with contextlib.suppress(OSError):  # a storage hiccup leaves a file the next clean-up removes
        private_storage().delete(_name(token))


def _delete_stale() -> None:
    """Delete uploads older than a day (previews never confirmed): at most a few hundred names listed."""
    storage = private_storage()
    try:
        _, files = storage.listdir(FOLDER)
    except (FileNotFoundError, OSError):
        return
    cutoff = timezone.now() - STALE_AFTER
    for name in files[:500]:
        if not TOKEN.fullmatch(name):
            continue
        try:
            if storage.get_modified_time(f"{FOLDER}/{name}") < cutoff:
                storage.delete(f"{FOLDER}/{name}")
        except (FileNotFoundError, OSError, NotImplementedError):
            continue
