"""`/healthz` answers load balancers and monitoring: JSON, no sign-in, nothing personal, never cached, fast.

The failures are real where they can be: the database connection is pointed at a closed port (on SQLite,
every query is refused with SQLite's own error), the storage's folder is a file, and a storage that hangs
is given up on after STORAGE_TIMEOUT_SECONDS.
"""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from symphony_portal import health
from symphony_portal.mail.tasks import deliver_mail
from tests.test_database_unavailable import stopped_database

pytestmark = pytest.mark.django_db(transaction=True)  # the connection is closed and reopened for real

KEYS = {"status", "database", "storage", "task_queue", "oldest_queued_task_age_seconds", "took_seconds"}


@pytest.fixture(autouse=True)
def private_folder(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def client(client):
    client.raise_request_exception = False
    return client


def get_health(client):
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert not response.cookies  # no session is started for it
    body = json.loads(response.content)
    assert set(body) == KEYS  # nothing else, and nothing about anyone
    return response, body, elapsed


def test_it_answers_200_without_sign_in_when_everything_is_reachable(client, private_folder):
    response, body, elapsed = get_health(client)
    assert response.status_code == 200, body
    assert body["status"] == "ok" and body["database"] == body["storage"] == body["task_queue"] == "ok"
    assert body["oldest_queued_task_age_seconds"] is None
    assert elapsed < 2
    # The storage probe deletes what it wrote.
    assert not [path for path in private_folder.rglob("*") if path.is_file()]


def test_it_reports_the_age_of_the_oldest_task_waiting_in_the_queue(client):
    deliver_mail.enqueue()
    deliver_mail.enqueue()
    ten_minutes_ago = timezone.now() - timedelta(minutes=10)
    DBTaskResult.objects.filter(pk=DBTaskResult.objects.order_by("enqueued_at").first().pk).update(
        enqueued_at=ten_minutes_ago
    )
    # A task put off until later is not waiting yet; one that a worker is running is not queued.
    later = deliver_mail.using(run_after=timezone.now() + timedelta(hours=1)).enqueue()
    running = deliver_mail.enqueue()
    two_hours_ago = timezone.now() - timedelta(hours=2)
    DBTaskResult.objects.filter(pk__in=[later.id, running.id]).update(enqueued_at=two_hours_ago)
    DBTaskResult.objects.filter(pk=running.id).update(status="RUNNING")

    response, body, _ = get_health(client)
    assert response.status_code == 200
    assert 599 <= body["oldest_queued_task_age_seconds"] <= 660

    # A retry that became due 5 minutes ago has waited since then, not since it was first enqueued.
    DBTaskResult.objects.filter(status="READY").exclude(pk=later.id).delete()
    DBTaskResult.objects.filter(pk=later.id).update(run_after=timezone.now() - timedelta(minutes=5))
    _, body, _ = get_health(client)
    assert 299 <= body["oldest_queued_task_age_seconds"] <= 360


def test_it_answers_its_own_json_503_quickly_when_the_database_is_stopped(client):
    with stopped_database():
        response, body, elapsed = get_health(client)
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["database"] == "OperationalError" and body["task_queue"] == "database unavailable"
    assert body["storage"] == "ok"
    assert elapsed < 3, elapsed
    assert client.get("/healthz").status_code == 200  # back without a restart


def test_it_answers_json_even_to_a_signed_in_browser_while_the_database_is_stopped(client, teacher):
    client.force_login(teacher)  # a session cookie, whose row cannot be read now
    with stopped_database():
        response = client.get("/healthz")
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert json.loads(response.content)["database"] == "OperationalError"


def test_it_answers_503_when_the_storage_cannot_be_written(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.PRIVATE_MEDIA_ROOT = blocker
    response, body, _ = get_health(client)
    assert response.status_code == 503
    assert body["status"] == "unavailable" and body["database"] == "ok" and body["storage"] != "ok"


def test_it_gives_up_on_a_storage_that_does_not_answer(client, settings, monkeypatch):
    settings.STORAGE_TIMEOUT_SECONDS = 1
    monkeypatch.setattr(health, "_probe_storage", lambda: time.sleep(3))
    response, body, elapsed = get_health(client)
    assert response.status_code == 503 and body["storage"] == "timeout"
    assert elapsed < 2, elapsed


def test_it_answers_a_load_balancer_asking_by_the_hosts_own_address(client):
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400  # every other page still refuses


def test_it_refuses_anything_but_reading(client):
    assert client.post("/healthz").status_code == 405
