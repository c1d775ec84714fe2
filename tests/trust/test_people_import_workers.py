"""The people import's task run by real worker processes on PostgreSQL: a worker killed mid-import, and
HR's confirmations racing each other. These tests commit (transactional_db): a worker in another process
sees only committed rows, and cannot reach SQLite's in-memory test database."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django_tasks_db.models import DBTaskResult

from symphony_portal.mail.models import OutgoingEmail
from symphony_portal.trust import services
from symphony_portal.trust.models import PeopleImport, PeopleImportJob, User
from tests.trust.importing import csv_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

ROWS = 3000


@pytest.fixture(autouse=True)
def _postgres_and_database_tasks(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def big_csv() -> str:
    return csv_of(*(f"person{i}@bench.test,Person {i},employee,,,Teacher" for i in range(ROWS)))


def confirm(user, record) -> None:
    client = Client()
    client.force_login(user)
    assert client.post(f"/people/import/{record.pk}/confirm/").status_code == 302


def worker_env() -> dict:
    db = connection.settings_dict
    url = (
        f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{quote(db['NAME'])}"
    )
    return {**os.environ, "DATABASE_URL": url, "DJANGO_ENV": "development", "DJANGO_DEBUG": "0"}


def start_worker(*extra: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-startup-delay",
            "--no-reload",
            "--interval",
            "0.2",
            *extra,
        ],
        cwd=Path(settings.BASE_DIR),
        env=worker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def test_it_writes_nothing_when_the_worker_is_killed_mid_import_and_applies_it_once_on_retry(hr, monkeypatch):
    record = services.upload_people_import(big_csv(), filename="people.csv", by=hr)
    confirm(hr, record)
    worker = start_worker()
    try:
        give_up = time.monotonic() + 120
        # Progress is visible while the import's own transaction is still open: kill it half-way.
        while time.monotonic() < give_up:
            job = PeopleImportJob.objects.get()
            if job.state == PeopleImportJob.State.RUNNING and 0 < job.rows_done < ROWS:
                break
            assert job.state != PeopleImportJob.State.DONE, "the import finished before it could be killed"
            time.sleep(0.01)
        assert 0 < job.rows_done < job.rows_total == ROWS, "no progress was seen while the import ran"
        # A second click while the worker writes is told at once; it does not wait for the import.
        client = Client()
        client.force_login(hr)
        started = time.monotonic()
        page = client.post(f"/people/import/{record.pk}/confirm/", follow=True).content.decode()
        assert time.monotonic() - started < 2
        assert "This file is already being applied" in page and "rows done" in page
    finally:
        stop(worker)  # SIGKILL mid-import: its transaction is rolled back by the database

    assert not User.objects.filter(email__endswith="@bench.test").exists()
    assert not OutgoingEmail.objects.filter(about="people_invitation").exists()
    assert PeopleImport.objects.get().is_pending
    dead = PeopleImportJob.objects.get()
    monkeypatch.setattr(PeopleImportJob, "STALE_AFTER", PeopleImportJob.STALE_AFTER / 600)  # 0.1 s
    time.sleep(0.3)
    assert (
        dead.shown_state == PeopleImportJob.State.FAILED and "stopped without finishing" in dead.shown_message
    )

    confirm(hr, record)  # HR confirms again
    dead.refresh_from_db()
    assert dead.state == PeopleImportJob.State.FAILED
    monkeypatch.undo()
    worker = start_worker("--batch")
    try:
        output, _ = worker.communicate(timeout=300)
    finally:
        stop(worker)
    again = PeopleImportJob.objects.exclude(pk=dead.pk).get()
    assert again.state == PeopleImportJob.State.DONE, (again.message, output.decode())
    assert (again.rows_done, again.rows_total) == (ROWS, ROWS)
    assert User.objects.filter(email__endswith="@bench.test").count() == ROWS
    assert OutgoingEmail.objects.filter(about="people_invitation").count() == ROWS  # one each


def test_it_makes_one_job_when_confirmations_race(hr, harmony):
    record = services.upload_people_import(
        csv_of("nina.gordon@symphony.test,Nina Gordon,employee,,,"), filename="people.csv", by=hr
    )
    clicks = 8
    barrier = threading.Barrier(clicks)
    errors = []

    def click():
        try:
            barrier.wait(timeout=30)
            confirm(hr, record)
        except Exception as error:  # noqa: BLE001 - any error at all is what the test looks for
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(clicks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert PeopleImportJob.objects.count() == 1
    assert (
        DBTaskResult.objects.filter(task_path="symphony_portal.trust.tasks.apply_people_import").count() == 1
    )
