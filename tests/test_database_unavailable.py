"""A database that is down or hung gets the portal's own 503 page within seconds, and the portal recovers.

The failures are real: the connection is pointed at a closed port (stopped), at a listener that accepts
and never answers (hung while connecting), or its statement waits on a lock another connection holds
(hung while running). After each, the next request works again without any restart.
"""

import logging
import socket
import threading
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection

from tests.conftest import free_port

ON_POSTGRES = connection.vendor == "postgresql"

pytestmark = pytest.mark.django_db(transaction=True)  # the connection is closed and reopened for real


@pytest.fixture
def client(client):
    """A client that gets the response a browser would, instead of the exception re-raised in the test."""
    client.raise_request_exception = False
    return client


@contextmanager
def database_changed(**changes):
    """Point the portal's connection somewhere else for a while, then back (reconnecting each time)."""
    saved = {key: connection.settings_dict.get(key) for key in changes}
    connection.close()
    connection.settings_dict.update(changes)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@contextmanager
def sqlite_locked():
    """SQLite's own failure: every query gives up once the busy timeout passes ("database is locked").

    The test database is in memory and cannot be stopped, so its queries are refused through Django's
    execute_wrapper hook with the error SQLite raises.
    """

    def locked(execute, sql, params, many, context):
        raise OperationalError("database is locked")

    with connection.execute_wrapper(locked):
        yield


def stopped_database():
    if ON_POSTGRES:
        return database_changed(PORT=str(free_port()))  # nothing listens there: refused at once
    return sqlite_locked()


def assert_unavailable_page(response):
    page = response.content.decode()
    assert response.status_code == 503
    assert "The portal is temporarily unavailable" in page
    assert "bootstrap.min.css" in page  # the portal's look
    assert "Traceback" not in page and "OperationalError" not in page and "psycopg" not in page
    assert response["Retry-After"] == "30" and "no-store" in response["Cache-Control"]


def get_timed(client, url):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


def test_it_answers_503_when_the_database_is_down_and_recovers_without_a_restart(client, teacher, caplog):
    client.force_login(teacher)
    assert client.get("/").status_code == 200
    with stopped_database(), caplog.at_level(logging.INFO):
        # The session and the signed-in person are read by middleware, before any view runs.
        response, elapsed = get_timed(client, "/")
    assert_unavailable_page(response)
    assert elapsed < 3, elapsed
    logged = [r for r in caplog.records if "Database unavailable" in r.getMessage()]
    assert len(logged) == 1 and logged[0].levelno == logging.ERROR and "GET /" in logged[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info]  # one line, no traceback in the log either
    assert client.get("/").status_code == 200  # back, with the same session


def test_it_answers_503_when_the_database_fails_inside_a_view(client, teacher):
    with stopped_database():
        # Signing in reads the person in the view itself (anonymous: no session row is read before).
        response = client.post("/accounts/login/", {"username": teacher.email, "password": "x" * 12})
    assert_unavailable_page(response)
    assert client.get("/accounts/login/").status_code == 200


def test_it_renders_the_unavailable_page_without_touching_the_database(django_assert_num_queries):
    from symphony_portal.unavailable import unavailable_response

    with django_assert_num_queries(0):
        response = unavailable_response()
    assert response.status_code == 503 and b"temporarily unavailable" in response.content


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")
def test_it_gives_postgresql_connections_a_connect_and_a_statement_timeout_and_no_jit():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["connect_timeout"] == settings.DATABASE_CONNECT_TIMEOUT == 5
    assert options["tcp_user_timeout"] == 5000
    assert f"-c statement_timeout={settings.DATABASE_STATEMENT_TIMEOUT * 1000}" in options["options"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == f"{settings.DATABASE_STATEMENT_TIMEOUT}s"
        # JIT off: compiling the reminder run's query for 5,000 people took it past the timeout.
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_it_reads_the_timeouts_from_the_environment(monkeypatch):
    import importlib

    import symphony_portal.settings as portal_settings

    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/portal?options=-c%20search_path%3Dx")
    monkeypatch.setenv("DATABASE_CONNECT_TIMEOUT", "3")
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", "7")
    try:
        fresh = importlib.reload(portal_settings)
        options = fresh.DATABASES["default"]["OPTIONS"]
        assert options["connect_timeout"] == 3 and options["tcp_user_timeout"] == 3000
        assert fresh.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
        assert options["options"] == "-c search_path=x -c statement_timeout=7000 -c jit=off"
    finally:
        monkeypatch.undo()
        importlib.reload(portal_settings)


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")
def test_it_answers_503_within_the_statement_timeout_when_a_lock_hangs_the_database(client, teacher):
    client.force_login(teacher)
    assert client.get("/").status_code == 200
    params = connection.get_connection_params()
    params.pop("options", None)
    # Another connection holds the sessions table: every request waits on it, as on a stuck database.
    with psycopg.connect(**{**params, "dbname": params.pop("dbname", None)}) as blocker:
        blocker.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")
        response, elapsed = get_timed(client, "/")
        blocker.rollback()
    assert_unavailable_page(response)
    limit = settings.DATABASE_STATEMENT_TIMEOUT
    assert limit <= elapsed < limit + 2, elapsed
    assert client.get("/").status_code == 200


@contextmanager
def silent_listener():
    """A TCP server that accepts connections and never says a word (a hung database host)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    accepted, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for sock in accepted:
            sock.close()
        server.close()


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")
def test_it_answers_503_within_the_connect_timeout_when_the_database_host_hangs(client, teacher):
    client.force_login(teacher)
    with silent_listener() as port, database_changed(PORT=str(port)):
        response, elapsed = get_timed(client, "/")
    assert_unavailable_page(response)
    limit = settings.DATABASE_CONNECT_TIMEOUT
    assert limit - 1 <= elapsed < limit + 2, elapsed
    assert client.get("/").status_code == 200


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")
def test_it_answers_503_at_once_when_the_database_is_stopped(client, teacher):
    client.force_login(teacher)
    with stopped_database():
        response, elapsed = get_timed(client, "/")
    assert_unavailable_page(response)
    assert elapsed < 1, elapsed
    assert client.get("/").status_code == 200


def test_it_still_answers_a_plain_503_when_the_page_itself_cannot_be_rendered(monkeypatch):
    from symphony_portal import unavailable

    def broken(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr(unavailable, "render_to_string", broken)
    response = unavailable.unavailable_response()
    assert response.status_code == 503 and b"temporarily unavailable" in response.content
