"""One archive of everything the portal keeps: the database and the private files, with checksums.

An archive is a .tar.gz holding
- `database.dump` (PostgreSQL: `pg_dump --format=custom`) or `database.sqlite3` (SQLite's backup API,
  a consistent copy even while the portal writes);
- `private/<name>` for every file of the private storage (evidence, exports);
- `manifest.json`: the format, when and from what it was made, the SHA-256 and size of every other
  member, and the number of rows of every table at the time of the dump.

Restoring checks the whole archive first (every member listed, present, of the right size and checksum,
nothing else in it, no unsafe names), refuses a database that is not empty unless told to replace it,
loads the database and the files, then counts the rows of every table against the manifest.
"""

import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump/pg_restore, with arguments we build, never through a shell
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.files.base import File
from django.db import connections, transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from .storage import private_storage

FORMAT = 1
MANIFEST = "manifest.json"
PRIVATE_PREFIX = "private/"
DATABASE_MEMBER = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
PG_TIMEOUT_SECONDS = 60 * 60


class BackupError(Exception):
    """The backup or the restore cannot go on; the message says why in plain words."""


@dataclass
class Summary:
    path: Path
    size: int
    files: int
    tables: int
    rows: int


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def table_counts(alias: str = "default") -> dict[str, int]:
    """Rows in every table of the database, by table name."""
    connection = connections[alias]
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a table name from introspection
            counts[table] = cursor.fetchone()[0]
    return counts


# --- PostgreSQL -----------------------------------------------------------------------------------------


def _pg_environment(settings_dict: dict) -> dict[str, str]:
    """libpq's variables for this connection: the password travels in the environment, never in argv."""
    env = {**os.environ}
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGCONNECT_TIMEOUT": (settings_dict.get("OPTIONS") or {}).get("connect_timeout"),
        "PGSSLMODE": (settings_dict.get("OPTIONS") or {}).get("sslmode"),
    }
    env.update({key: str(value) for key, value in values.items() if value not in (None, "")})
    return env


def pg_tool(name: str, alias: str = "default") -> str:
    """The pg_dump / pg_restore matching the server's major version (PostgreSQL 15 here)."""
    connection = connections[alias]
    connection.ensure_connection()
    major = connection.pg_version // 10000
    candidates = [f"/usr/lib/postgresql/{major}/bin/{name}", shutil.which(name)]
    for candidate in candidates:
        if not candidate or not Path(candidate).is_file():
            continue
        version = subprocess.run([candidate, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
        words = version.stdout.split()
        if words and words[-1].split(".")[0].isdigit() and int(words[-1].split(".")[0]) >= major:
            return candidate
    raise BackupError(
        f"{name} for PostgreSQL {major} is not installed (apt-get install postgresql-client-{major})."
    )


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(  # noqa: S603 - our own arguments, no shell
            command, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise BackupError(f"{what} took longer than {PG_TIMEOUT_SECONDS} seconds and was stopped.") from error
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip()[-2000:]}")


def _dump_database(alias: str, folder: Path) -> tuple[str, dict[str, int]]:
    """Dump the database into `folder`; returns its vendor and the rows per table *in the dump*.

    PostgreSQL: pg_dump reads the snapshot this connection exports, and the rows are counted in that same
    snapshot, so writes made meanwhile are in neither. SQLite: the backup API makes a consistent copy,
    and the rows are counted in the copy.
    """
    connection = connections[alias]
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBER:
        raise BackupError(f"Backing up a {vendor} database is not supported.")
    target = folder / DATABASE_MEMBER[vendor]
    if vendor == "postgresql":
        pg_dump = pg_tool("pg_dump", alias)
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            command = [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
            _run([*command, "--file", str(target)], _pg_environment(connection.settings_dict), "pg_dump")
            return vendor, table_counts(alias)
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        counts = {}
        for table in sorted(connection.introspection.table_names()):
            quoted = connection.ops.quote_name(table)
            counts[table] = copy.execute(f"SELECT COUNT(*) FROM {quoted}").fetchone()[0]  # noqa: S608
    finally:
        copy.close()
    return vendor, counts


# --- Private files ----------------------------------------------------------------------------------------


def _private_names(folder: str = "") -> list[str]:
    try:
        directories, files = private_storage().listdir(folder)
    except FileNotFoundError:  # nothing was ever stored
        return []
    names = [f"{folder}/{name}" if folder else name for name in files]
    for directory in directories:
        names += _private_names(f"{folder}/{directory}" if folder else directory)
    return sorted(names)


def _copy_private_files(folder: Path) -> list[str]:
    storage, copied = private_storage(), []
    for name in _private_names():
        target = folder / "private" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)
        copied.append(name)
    return copied


# --- Backup -----------------------------------------------------------------------------------------------


def backup(destination: Path, *, alias: str = "default") -> Summary:
    """Write one archive of the database and the private files to `destination` (a folder or a file).

    The archive is written under a temporary name next to its destination and renamed when complete, so
    a failed backup never leaves something that looks like an archive.
    """
    if destination.is_dir():
        destination = destination / f"symphony-backup-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"
    if destination.exists():
        raise BackupError(f"{destination} already exists: choose another name.")
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist.")
    with tempfile.TemporaryDirectory(prefix="symphony-backup-") as work:
        folder = Path(work)
        vendor, counts = _dump_database(alias, folder)
        private = _copy_private_files(folder)
        members = [DATABASE_MEMBER[vendor], *(PRIVATE_PREFIX + name for name in private)]
        manifest = {
            "format": FORMAT,
            "made_at": timezone.now().isoformat(),
            "database": vendor,
            "tables": counts,
            "files": {
                member: {"sha256": _sha256_file(folder / member), "size": (folder / member).stat().st_size}
                for member in members
            },
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        partial = destination.with_name(f".{destination.name}.partial")
        try:
            # The archive holds every confidential report: readable by its owner only, from the start.
            os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            with tarfile.open(partial, "w:gz") as archive:
                for member in [MANIFEST, *members]:
                    archive.add(folder / member, arcname=member, recursive=False)
            os.replace(partial, destination)
        finally:
            partial.unlink(missing_ok=True)
    return Summary(destination, destination.stat().st_size, len(private), len(counts), sum(counts.values()))


# --- Restore ----------------------------------------------------------------------------------------------


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def verify(archive_path: Path, folder: Path) -> dict:
    """Unpack the archive into `folder` and check it whole; returns the manifest. Raises BackupError."""
    try:
        archive = tarfile.open(archive_path, "r:gz")  # noqa: SIM115 - closed by the `with` below
    except (OSError, tarfile.TarError, gzip.BadGzipFile) as error:
        raise BackupError(f"{archive_path} is not a readable backup archive ({error}).") from error
    seen: set[str] = set()
    try:
        with archive:
            for member in archive:
                if not member.isfile() or not _safe_member_name(member.name) or member.name in seen:
                    raise BackupError(f"The archive holds an unexpected entry: {member.name!r}.")
                seen.add(member.name)
                target = folder / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.extractfile(member) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
    except (OSError, tarfile.TarError, EOFError, gzip.BadGzipFile) as error:
        raise BackupError(f"The archive is damaged or incomplete ({error}).") from error
    if MANIFEST not in seen:
        raise BackupError("The archive has no manifest.json: it is not a complete backup.")
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        files = manifest["files"]
        vendor = manifest["database"]
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError("The archive's manifest cannot be read.") from error
    if manifest.get("format") != FORMAT or vendor not in DATABASE_MEMBER:
        raise BackupError("The archive was made in a format this portal does not know.")
    if DATABASE_MEMBER[vendor] not in files:
        raise BackupError("The archive's manifest lists no database.")
    listed = set(files)
    if missing := sorted(listed - seen):
        raise BackupError(f"The archive is incomplete: {', '.join(missing[:5])} missing.")
    if extra := sorted(seen - listed - {MANIFEST}):
        raise BackupError(f"The archive holds files its manifest does not list: {', '.join(extra[:5])}.")
    for name, facts in files.items():
        path = folder / name
        if path.stat().st_size != facts.get("size") or _sha256_file(path) != facts.get("sha256"):
            raise BackupError(f"{name} does not match its checksum: the archive is damaged or was changed.")
    return manifest


def _table_count(alias: str) -> int:
    connection = connections[alias]
    with connection.cursor() as cursor:
        return len(connection.introspection.table_names(cursor))


def _load_database(alias: str, vendor: str, source: Path, *, replace: bool) -> None:
    connection = connections[alias]
    if vendor == "postgresql":
        command = [pg_tool("pg_restore", alias), "--no-owner", "--no-privileges", "--exit-on-error"]
        command += ["--clean", "--if-exists"] if replace else ["--single-transaction"]
        command += ["--dbname", connection.settings_dict["NAME"], str(source)]
        connection.close()  # pg_restore works on its own connection; ours reconnects afterwards
        _run(command, _pg_environment(connection.settings_dict), "pg_restore")
    else:
        connection.ensure_connection()
        copy = sqlite3.connect(source)
        try:
            copy.backup(connection.connection)
        finally:
            copy.close()
        connection.close()


def _restore_private_files(folder: Path, names: list[str], *, replace: bool) -> None:
    storage = private_storage()
    existing = set(_private_names())
    if existing and not replace:
        raise BackupError(
            f"The private files folder already holds {len(existing)} file{pluralize(len(existing))}: "
            "restore into an empty one, "
            "or pass --replace."
        )
    for name in existing - set(names) if replace else ():
        storage.delete(name)  # replacing everything: a file the backup does not have has no row either
    for name in names:
        if name in existing:
            storage.delete(name)
        with open(folder / (PRIVATE_PREFIX + name), "rb") as handle:
            saved = storage.save(name, File(handle))
        if saved != name:
            raise BackupError(f"{name} could not be restored under its own name.")


def restore(archive_path: Path, *, alias: str = "default", replace: bool = False) -> dict[str, int]:
    """Check the archive whole, then load it into an empty database (or replace one when told).

    Returns the rows per table after the restore, which must equal those the manifest recorded.
    """
    with tempfile.TemporaryDirectory(prefix="symphony-restore-") as work:
        folder = Path(work)
        try:
            manifest = verify(archive_path, folder)
        except BackupError as error:
            raise BackupError(f"Nothing was restored: {error}") from error
        vendor = manifest["database"]
        if connections[alias].vendor != vendor:
            raise BackupError(
                f"Nothing was restored: this archive holds a {vendor} database; the portal uses "
                f"{connections[alias].vendor}."
            )
        tables = _table_count(alias)
        if tables and not replace:
            raise BackupError(
                f"Nothing was restored: the database is not empty ({tables} tables). Restore into a new, "
                "empty database, or pass --replace to replace everything in it."
            )
        private = [
            name[len(PRIVATE_PREFIX) :] for name in manifest["files"] if name.startswith(PRIVATE_PREFIX)
        ]
        if not replace and _private_names():
            raise BackupError(
                "Nothing was restored: the private files folder is not empty. Restore into an empty one, "
                "or pass --replace."
            )
        _load_database(alias, vendor, folder / DATABASE_MEMBER[vendor], replace=replace)
        _restore_private_files(folder, private, replace=replace)
    counts = table_counts(alias)
    if counts != manifest["tables"]:
        different = sorted(
            t for t in set(counts) | set(manifest["tables"]) if counts.get(t) != manifest["tables"].get(t)
        )
        raise BackupError(f"The restored rows differ from the backup's in: {', '.join(different[:10])}.")
    return counts
