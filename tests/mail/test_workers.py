"""The outbox on the database task backend with real `db_worker --batch` runs, committed data included.

In-process workers run on both databases (transactional tests: the SQLite test database lives in memory
and ignores close requests). Two worker processes draining the same queue run on PostgreSQL, and on a
SQLite file of their own (`make run`'s set-up); two reminder runs racing need PostgreSQL.
"""

import datetime
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import connection, connections, transaction
from django_tasks_db.models import DBTaskResult

from acknowledgements.models import Reminder
from policies import services as policy_services
from policies.models import ReviewReminder
from policies.tasks import notify_new_version
from reports.models import ConcernReport
from symphony_portal.mail import outbox
from symphony_portal.mail.models import OutgoingEmail
from symphony_portal.trust import services as trust_services
from tests.builders import make_person, make_version
from tests.conftest import SMTPServer
from tests.reports.test_reporting import form_data
from tests.trust.importing import csv_of

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent.parent
needs_postgres = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (row locks, several connections)"
    ),
]


@pytest.fixture
def on_the_database_backend(settings):
    """Production's set-up: delivery is a task stored in the database, run by `db_worker`."""
    settings.PORTAL_MAIL_TASK_BACKEND = "default"


def db_worker_batch() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())


def test_it_stores_the_task_with_the_rows_and_a_real_worker_delivers_them(
    on_the_database_backend, smtp_server
):
    with transaction.atomic():
        outbox.queue(
            EmailMessage(subject="Hello", body="Hi", to=["a@symphony.test", "b@symphony.test"]), about="t"
        )
    assert DBTaskResult.objects.filter(task_path="symphony_portal.mail.tasks.deliver_mail").count() == 1
    assert smtp_server.connections == 0
    db_worker_batch()
    assert sorted(smtp_server.recipients) == ["a@symphony.test", "b@symphony.test"]
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}
    db_worker_batch()  # nothing left to do: nothing twice
    assert len(smtp_server.messages) == 2


def test_it_stores_no_task_and_no_row_when_the_action_rolls_back(on_the_database_backend, smtp_server):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.queue(EmailMessage(subject="Hello", body="Hi", to=["a@symphony.test"]), about="t")
        raise RuntimeError("the action failed")
    assert not OutgoingEmail.objects.exists() and not DBTaskResult.objects.exists()


def test_a_report_made_while_mail_is_down_is_saved_and_the_head_emailed_after_recovery(
    client, teacher, colleague, head, on_the_database_backend, smtp_server, settings
):
    settings.PORTAL_MAIL_RETRY_SECONDS = 1
    smtp_server.stop()
    client.force_login(teacher)
    response = client.post("/reports/new/", form_data(colleague=colleague.pk), follow=True)
    report = ConcernReport.objects.get()
    assert response.status_code == 200 and report.handler == head
    assert "has been received" in response.content.decode()  # the reporter sees success at once

    db_worker_batch()  # the worker finds the server down: both emails wait
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) <= {"queued", "retrying"}
    # ... and a follow-up delivery waits in the task queue for the back-off to pass.
    assert DBTaskResult.objects.filter(status="READY").exists()

    back = SMTPServer()
    back.start()
    try:
        settings.EMAIL_PORT = back.port
        deadline = time.monotonic() + 20
        while OutgoingEmail.objects.exclude(status="sent").exists() and time.monotonic() < deadline:
            time.sleep(0.5)  # the follow-up task becomes due after its back-off
            db_worker_batch()
    finally:
        back.stop()
    assert sorted(back.recipients) == sorted([teacher.email, head.email])


def test_a_publication_notice_task_run_by_a_real_worker_tells_everyone_once(
    hr, teacher, head, on_the_database_backend, smtp_server
):
    current = make_version(label="2016-2019", sections={"Purpose": ["Alpha wording."]})
    draft = policy_services.start_draft(current, label="2026-2029", by=hr)
    policy_services.record_approval(
        draft, approved_by_body="Board", approved_on=datetime.date(2026, 7, 14), minute_reference="B/1", by=hr
    )
    policy_services.publish(draft, by=hr)
    assert not OutgoingEmail.objects.exists()  # the stored task writes them
    db_worker_batch()  # the notice task queues the emails and a delivery, which the same worker runs
    assert sorted(smtp_server.recipients) == sorted([hr.email, teacher.email, head.email])
    # The task run twice (a worker killed after queueing, say) queues nobody twice.
    notify_new_version.call(draft.pk, current.pk)
    db_worker_batch()
    assert len(smtp_server.messages) == 3


def test_an_import_invitation_task_run_by_a_real_worker_invites_each_new_person(
    hr, harmony, on_the_database_backend, smtp_server
):
    text = csv_of(
        *(f"new{n}@symphony.test,New Person {n},employee,harmony-primary,,Teacher" for n in range(5))
    )
    record = trust_services.upload_people_import(text, filename="people.csv", by=hr)
    trust_services.confirm_people_import(record, deactivate_missing=False, by=hr)
    db_worker_batch()
    assert sorted(smtp_server.recipients) == [f"new{n}@symphony.test" for n in range(5)]


# A worker process of its own, as production runs it (``manage.py``, then its arguments).
MANAGE = [sys.executable, str(ROOT / "manage.py")]
DB_WORKER_BATCH = [*MANAGE, "db_worker", "--batch", "--no-startup-delay", "--no-reload"]


def worker_env(smtp_port: int, **database: str) -> dict:
    """A worker's environment: the portal's settings, sending to the test's SMTP server. ``database``:
    the variables choosing its database; by default this test's PostgreSQL database (DATABASE_URL)."""
    if not database:
        db = connection.settings_dict
        database = {
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        }
    return {
        **{key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DJANGO_ENV"}},
        **database,
        "DJANGO_SETTINGS_MODULE": "symphony_portal.settings",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (several processes)")
def test_two_worker_processes_draining_one_queue_send_each_message_once(on_the_database_backend):
    server = SMTPServer(delay=0.005)
    server.start()
    try:
        addresses = [f"person{i:03d}@symphony.test" for i in range(300)]
        for start in range(0, 300, 50):  # six transactions: six delivery tasks for the two workers
            with transaction.atomic():
                outbox.queue_all(
                    (EmailMessage(subject="Hello", body="Hi", to=[a]), "t", None)
                    for a in addresses[start : start + 50]
                )
        workers = [
            subprocess.Popen(
                DB_WORKER_BATCH, cwd=ROOT, env=worker_env(server.port), stdout=subprocess.DEVNULL
            )  # noqa: S603
            for _ in range(2)
        ]
        for worker in workers:
            assert worker.wait(timeout=120) == 0
    finally:
        server.stop()
    received = Counter(server.recipients)
    assert received == Counter(addresses)  # everyone, once
    assert OutgoingEmail.objects.filter(status="sent").count() == 300
    assert len({w for r in DBTaskResult.objects.all() for w in r.worker_ids}) == 2  # both workers took part


def race(target, runs: int = 2) -> list:
    barrier = threading.Barrier(runs)
    errors = []

    def run():
        try:
            barrier.wait(timeout=30)
            target()
        except Exception as error:  # noqa: BLE001 - any error is what the test looks for
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (row locks, several connections)"
)
def test_two_acknowledgement_reminder_runs_at_once_queue_each_message_once(harmony):
    make_version(label="2024-2027")
    people = [make_person(f"Person {n}", school=harmony) for n in range(20)]
    errors = race(lambda: call_command("send_acknowledgement_reminders", stdout=io.StringIO()), runs=3)
    assert errors == []
    assert Reminder.objects.count() == len(people)
    assert Counter(OutgoingEmail.objects.values_list("to", flat=True)) == Counter(p.email for p in people)


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (row locks, several connections)"
)
def test_two_review_reminder_runs_at_once_queue_each_reminder_once(hr):
    make_version(label="2024-2027", review=("autumn", 2027))
    errors = race(
        lambda: call_command("send_review_reminders", "--today=2027-08-25", stdout=io.StringIO()), runs=3
    )
    assert errors == []
    assert ReviewReminder.objects.count() == 1
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [hr.email]


QUEUE_IN_SIX_TRANSACTIONS = """
from django.core.mail import EmailMessage
from django.db import transaction
from symphony_portal.mail import outbox
for start in range(0, 300, 50):  # six transactions: six delivery tasks for the two workers
    with transaction.atomic():
        outbox.queue_all(
            (EmailMessage(subject="Hello", body="Hi", to=[f"person{i:03d}@symphony.test"]), "t", None)
            for i in range(start, start + 50)
        )
"""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite leg's test (it makes its own file)")
def test_two_worker_processes_on_one_sqlite_file_send_each_message_once(tmp_path):
    """`make run`'s set-up: the embedded SQLite file, and two workers draining its outbox at once.

    SQLite has no row locks: each claim takes the write lock (BEGIN IMMEDIATE) and checks the rows are
    still free in the same UPDATE, so the two workers share the queue without sending anything twice.
    """
    server = SMTPServer(delay=0.005)
    server.start()
    env = worker_env(server.port, SYMPHONY_VAR_DIR=str(tmp_path))  # no DATABASE_URL: the SQLite file
    try:
        for step in (["migrate", "--no-input", "-v", "0"], ["shell", "-c", QUEUE_IN_SIX_TRANSACTIONS]):
            subprocess.run([*MANAGE, *step], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
        workers = [
            subprocess.Popen(DB_WORKER_BATCH, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
            for _ in range(2)
        ]
        for worker in workers:
            assert worker.wait(timeout=120) == 0
    finally:
        server.stop()
    assert Counter(server.recipients) == Counter(f"person{i:03d}@symphony.test" for i in range(300))
    with sqlite3.connect(tmp_path / "db.sqlite3") as database:
        statuses = dict(database.execute("SELECT status, COUNT(*) FROM mail_outgoingemail GROUP BY status"))
        workers_seen = {
            worker
            for (ids,) in database.execute("SELECT worker_ids FROM django_tasks_database_dbtaskresult")
            for worker in json.loads(ids)
        }
    assert statuses == {"sent": 300}
    assert len(workers_seen) == 2  # both workers took part
