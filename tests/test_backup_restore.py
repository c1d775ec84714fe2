"""`manage.py backup` and `restore`: one checked archive, restored whole into an empty database.

The drill restores, in a separate process as an operator would, into a new empty database (SQLite: a new
file; PostgreSQL: a second throwaway database on the same server, dropped afterwards) and a new private
folder, then compares the rows of every table, every private file, and the fingerprint of every
acknowledgement (as stored, and recomputed from the restored text).
"""

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from acknowledgements.services import acknowledge
from reports.evidence import CheckedFile
from symphony_portal.lib.backup import table_counts
from tests.builders import make_person
from tests.reports.builders import make_report, pdf_bytes, png_bytes

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRES = connection.vendor == "postgresql"

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads what is committed

# Run in the restored portal: every table's rows, and each acknowledgement's stored and recomputed
# fingerprint (recomputed from the restored clauses: the text itself came back unchanged).
PROBE = """
import json
from acknowledgements.models import Acknowledgement
from policies.selectors import fingerprint
from symphony_portal.lib.backup import table_counts
acks = {
    str(a.pk): [a.fingerprint, fingerprint(a.version)]
    for a in Acknowledgement.objects.select_related("version")
}
print(json.dumps({"tables": table_counts(), "acknowledgements": acks}))
"""


@pytest.fixture
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def trust_with_records(seed_version, teacher, colleague, head, governor, exec_head, hr, private_media):
    """A small trust with acknowledgements and a report carrying two evidence files."""
    for person in (teacher, colleague, head, governor, exec_head):
        acknowledge(seed_version, by=person)
    make_report(
        teacher,
        colleague,
        files=[CheckedFile("a.png", "png", png_bytes()), CheckedFile("b.pdf", "pdf", pdf_bytes())],
    )
    make_person("Lena Left", school=teacher.school, is_active=False)
    return seed_version


def source_facts(private_media) -> dict:
    from acknowledgements.models import Acknowledgement
    from policies.selectors import fingerprint

    return {
        "tables": table_counts(),
        "acknowledgements": {
            str(a.pk): [a.fingerprint, fingerprint(a.version)]
            for a in Acknowledgement.objects.select_related("version")
        },
        "files": files_in(private_media),
    }


def files_in(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def manage(*args, env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class EmptyDatabase:
    """A new, empty database for the restore: a fresh SQLite file, or a second PostgreSQL database."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.name = f"restore_{uuid.uuid4().hex[:12]}"

    def __enter__(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        env["SYMPHONY_PRIVATE_MEDIA_ROOT"] = str(self.tmp_path / "restored-private")
        if ON_POSTGRES:
            s = connection.settings_dict
            with psycopg.connect(**self._admin(), autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}"')
            env["DATABASE_URL"] = (
                f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{self.name}"
            )
        else:
            var = self.tmp_path / "restored-var"
            var.mkdir()
            env["SYMPHONY_VAR_DIR"] = str(var)
        return env

    def _admin(self) -> dict:
        s = connection.settings_dict
        return {
            "host": s["HOST"],
            "port": s["PORT"],
            "user": s["USER"],
            "password": s["PASSWORD"],
            "dbname": "postgres",
        }

    def __exit__(self, *exc):
        if ON_POSTGRES:
            with psycopg.connect(**self._admin(), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def test_it_restores_a_backup_whole_into_an_empty_database(trust_with_records, private_media, tmp_path):
    out = io.StringIO()
    call_command("backup", str(tmp_path), stdout=out)
    [archive] = tmp_path.glob("symphony-backup-*.tar.gz")
    assert f"Backup written: {archive}" in out.getvalue()
    expected = source_facts(private_media)
    assert len(expected["acknowledgements"]) == 5 and len(expected["files"]) == 2

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["tables"] == expected["tables"]
    assert set(manifest["files"]) == {
        "database.dump" if ON_POSTGRES else "database.sqlite3",
        *(f"private/{name}" for name in expected["files"]),
    }

    with EmptyDatabase(tmp_path) as env:
        restored = manage("restore", str(archive), env=env)
        assert restored.returncode == 0, restored.stderr
        assert "the same as when it was made" in restored.stdout
        probe = manage("shell", "-c", PROBE, env=env)
        assert probe.returncode == 0, probe.stderr
        facts = json.loads(probe.stdout.strip().splitlines()[-1])
        assert facts["tables"] == expected["tables"]
        assert facts["acknowledgements"] == expected["acknowledgements"]
        assert all(stored == recomputed for stored, recomputed in facts["acknowledgements"].values())
        assert files_in(tmp_path / "restored-private") == expected["files"]

        again = manage("restore", str(archive), env=env)  # the database is no longer empty
        assert again.returncode != 0 and "the database is not empty" in again.stderr


def rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of the archive with its members passed through `change(name, data)` (None drops one)."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            if data is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


@pytest.fixture
def archive(trust_with_records, tmp_path):
    path = tmp_path / "backup.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    return path


def assert_refused(archive_path: Path, message: str):
    before = table_counts()
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(archive_path), "--replace", stdout=io.StringIO())
    assert table_counts() == before


def test_it_refuses_an_archive_whose_file_was_changed(archive, tmp_path):
    def flip_evidence(name, data):
        return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("private/evidence/") else data

    changed = rewrite(archive, tmp_path / "changed.tar.gz", flip_evidence)
    assert_refused(changed, "Nothing was restored: private/evidence/.* does not match its checksum")


def test_it_refuses_an_archive_whose_database_was_changed(archive, tmp_path):
    def flip_database(name, data):
        return data + b"\0" if name.startswith("database.") else data

    assert_refused(
        rewrite(archive, tmp_path / "changed.tar.gz", flip_database), "does not match its checksum"
    )


def test_it_refuses_an_incomplete_archive(archive, tmp_path):
    def drop_database(name, data):
        return None if name.startswith("database.") else data

    assert_refused(rewrite(archive, tmp_path / "partial.tar.gz", drop_database), "The archive is incomplete")
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert_refused(truncated, "damaged or incomplete")


def test_it_refuses_an_archive_without_a_manifest_or_with_files_it_does_not_list(archive, tmp_path):
    assert_refused(
        rewrite(archive, tmp_path / "bare.tar.gz", lambda n, d: None if n == "manifest.json" else d),
        "no manifest.json",
    )

    def add_extra(name, data):
        return data

    extra = rewrite(archive, tmp_path / "extra.tar.gz", add_extra)
    with tarfile.open(archive) as source, tarfile.open(extra, "w:gz") as out:
        for member in source.getmembers():
            out.addfile(member, source.extractfile(member))
        info = tarfile.TarInfo("../../outside.txt")
        info.size = 3
        out.addfile(info, io.BytesIO(b"bad"))
    assert_refused(extra, "unexpected entry")
    assert not (tmp_path.parent / "outside.txt").exists()


def test_it_refuses_to_restore_over_a_database_that_is_not_empty(archive):
    before = table_counts()
    with pytest.raises(CommandError, match="the database is not empty .* pass --replace"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert table_counts() == before


def test_it_refuses_to_overwrite_an_archive(archive):
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(archive), stdout=io.StringIO())


def test_it_replaces_everything_when_told(archive, private_media):
    before_tables = table_counts()
    before_files = files_in(private_media)
    make_person("Added Afterwards")
    (private_media / "evidence" / ("e" * 40)).write_bytes(b"not in the backup")
    out = io.StringIO()
    call_command("restore", str(archive), "--replace", stdout=out)
    assert "the same as when it was made" in out.getvalue()
    assert table_counts() == before_tables
    assert files_in(private_media) == before_files


def test_it_keeps_the_archive_and_the_private_files_to_their_owner(archive, private_media):
    assert archive.stat().st_mode & 0o777 == 0o600
    evidence_files = list((private_media / "evidence").iterdir())
    assert evidence_files and all(path.stat().st_mode & 0o777 == 0o600 for path in evidence_files)
