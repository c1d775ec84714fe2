"""The sign-off pack's task run by real workers (`manage.py db_worker`), a worker killed mid-build, and
clicks racing each other on PostgreSQL.

These tests commit (transactional_db): a worker, in this process or another, sees only committed rows.
A worker in another process cannot reach SQLite's in-memory test database, so those run on PostgreSQL.
"""

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
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from acknowledgements.models import PackJob
from policies.models import PolicyExport
from tests.acknowledgements.conftest import drain_task_queue

pytestmark = pytest.mark.django_db(transaction=True)


def pack_tasks():
    """The queued tasks of sign-off packs (other apps' tasks, mail say, are not counted)."""
    return DBTaskResult.objects.filter(task_path="acknowledgements.tasks.make_signoff_pack")


def needs_postgres(test):
    """Runs only on PostgreSQL: another process cannot reach SQLite's in-memory test database, and SQLite
    serialises writers, so requests cannot race there."""
    skip = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
    return pytest.mark.postgres(skip(test))


@pytest.fixture(autouse=True)
def _setup(private_media, database_tasks):
    """Files in this test's folder; tasks queued in the database, as in production."""


def prepare(user, version):
    client = Client()
    client.force_login(user)
    response = client.post(f"/acknowledgements/signoff-packs/versions/{version.pk}/prepare/")
    assert response.status_code == 302
    return response


def test_it_runs_the_queued_task_in_a_db_worker(hr, seed_version):
    prepare(hr, seed_version)
    assert PackJob.objects.get().state == PackJob.State.PENDING

    drain_task_queue()

    job = PackJob.objects.get()
    assert job.state == PackJob.State.DONE, job.message
    assert job.export.exported_by == hr and job.file
    task = pack_tasks().get()
    assert task.status == TaskResultStatus.SUCCESSFUL and task.return_value == "done"


# --- In another process (PostgreSQL) ------------------------------------------------------------------------


def worker_env() -> dict:
    """The environment of a worker process that uses this test's database and private folder."""
    db = connection.settings_dict
    url = (
        f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{quote(db['NAME'])}"
    )
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SYMPHONY_PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "0",
    }


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
        start_new_session=True,  # its own process group: killing it kills the PDF renderer too
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@needs_postgres
def test_it_builds_the_pack_in_a_separate_worker_process(hr, seed_version):
    prepare(hr, seed_version)
    worker = start_worker("--batch")
    try:
        output, _ = worker.communicate(timeout=120)
    finally:
        stop(worker)
    job = PackJob.objects.get()
    assert worker.returncode == 0, output.decode()
    assert job.state == PackJob.State.DONE, (job.message, output.decode())
    assert Path(settings.PRIVATE_MEDIA_ROOT, job.file.name).read_bytes().startswith(b"%PDF-")


@needs_postgres
def test_it_fails_a_build_whose_worker_was_killed_and_builds_it_again(hr, seed_version, settings):
    prepare(hr, seed_version)
    worker = start_worker()
    try:
        give_up = time.monotonic() + 60
        while PackJob.objects.get().state == PackJob.State.PENDING and time.monotonic() < give_up:
            time.sleep(0.02)
        assert PackJob.objects.get().state == PackJob.State.RUNNING, "the worker never started the build"
    finally:
        stop(worker)  # SIGKILL, mid-build: nothing of the worker can say goodbye

    dead = PackJob.objects.get()
    assert dead.state == PackJob.State.RUNNING and not dead.is_stalled  # its heartbeat is fresh yet
    stale_after = settings.SIGNOFF_PACK_STALE_AFTER_SECONDS
    settings.SIGNOFF_PACK_STALE_AFTER_SECONDS = 0.1  # not a minute
    time.sleep(0.3)
    assert dead.shown_state == PackJob.State.FAILED and "gave no sign of life" in dead.shown_message

    prepare(hr, seed_version)  # HR prepares it again
    dead.refresh_from_db()
    assert dead.state == PackJob.State.FAILED
    settings.SIGNOFF_PACK_STALE_AFTER_SECONDS = stale_after  # the second build must not look silent itself
    worker = start_worker("--batch")
    try:
        output, _ = worker.communicate(timeout=120)
    finally:
        stop(worker)
    again = PackJob.objects.exclude(pk=dead.pk).get()
    assert again.state == PackJob.State.DONE, (again.message, output.decode())
    assert PolicyExport.objects.get() == again.export  # the killed build recorded nothing
    dead.refresh_from_db()
    assert dead.state == PackJob.State.FAILED and not dead.file


@needs_postgres
def test_it_makes_one_job_when_two_people_click_at_the_same_moment(hr, exec_head, seed_version):
    people = [hr, exec_head] * 4
    barrier = threading.Barrier(len(people))
    errors = []

    def click(person):
        try:
            barrier.wait(timeout=30)
            prepare(person, seed_version)
        except Exception as error:  # noqa: BLE001 - any error at all is what the test looks for
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert PackJob.objects.count() == 1 and pack_tasks().count() == 1
