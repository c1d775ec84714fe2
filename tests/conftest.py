"""The cast every test can call on, and the switches for browser tests.

Harmony Primary School: Tess the teacher, Colin her colleague, Olive another teacher, Hannah her
Head Teacher and Gwen, a governor. Crescendo Academy: Oscar, its Head of School. Trust-wide: Eve the
Executive Head Teacher, Harriet in HR, Trevor a trustee and Charlotte the Chair of Trustees.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from policies.models import PolicyVersion
from symphony_portal.trust.models import Kind, Role
from tests.builders import make_person, make_school
from tests.db_flush import allow_test_flush_to_truncate

# The single sign-on tests' OpenID Connect provider on loopback (started only by the tests that use it).
from tests.oidc_provider.harness import oidc_provider, sign_in_providers  # noqa: F401

# Playwright's sync API runs an event loop in the test thread; without this even the test
# database set-up is refused as "async unsafe".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The test database is emptied with TRUNCATE between transactional tests; PostgreSQL refuses that on
# permanent records except through this narrow escape (tests/db_flush.py).
allow_test_flush_to_truncate()

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def require_system_tool(path_or_name: str, package: str) -> None:
    """Skip a test whose Debian package is missing, except on CI, where that is a failure."""
    if shutil.which(path_or_name) or Path(path_or_name).exists():
        return
    message = (
        f"{path_or_name} is missing: install the Debian package '{package}' (make test does this as root)."
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require_system_tool(CHROMIUM, "chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture
def harmony(db):
    return make_school("Harmony Primary School", "harmony-primary")


@pytest.fixture
def crescendo(db):
    return make_school("Crescendo Academy", "crescendo-academy")


@pytest.fixture
def teacher(harmony):
    return make_person("Tess Teacher", school=harmony, job_title="Year 6 Teacher", password="tess-password-1")


@pytest.fixture
def colleague(harmony):
    return make_person("Colin Colleague", school=harmony, job_title="Teaching Assistant")


@pytest.fixture
def other_teacher(harmony):
    return make_person("Olive Otherteacher", school=harmony, job_title="Year 2 Teacher")


@pytest.fixture
def head(harmony):
    return make_person(
        "Hannah Head", school=harmony, roles=[(Role.HEAD_TEACHER, harmony)], password="hannah-password-1"
    )


@pytest.fixture
def other_head(crescendo):
    return make_person("Oscar Otherhead", school=crescendo, roles=[(Role.HEAD_TEACHER, crescendo)])


@pytest.fixture
def exec_head(db):
    return make_person("Eve Executive", roles=[Role.EXECUTIVE_HEAD], job_title="Executive Head Teacher")


@pytest.fixture
def hr(db):
    return make_person("Harriet HR", roles=[Role.HR], job_title="HR Manager", password="harriet-password-1")


@pytest.fixture
def governor(harmony):
    return make_person("Gwen Governor", school=harmony, kind=Kind.GOVERNOR)


@pytest.fixture
def trustee(db):
    return make_person("Trevor Trustee", kind=Kind.TRUSTEE)


@pytest.fixture
def chair(db):
    return make_person("Charlotte Chair", kind=Kind.TRUSTEE, roles=[Role.CHAIR_OF_TRUSTEES])


@pytest.fixture
def seed_version(db) -> PolicyVersion:
    """The Social Media Policy 2016-2019, loaded from the fixture `make run` uses."""
    call_command("loaddata", str(ROOT / "fixtures" / "seed_policy.json"), verbosity=0)
    return PolicyVersion.objects.get(policy__slug="social-media-policy", label="2016-2019")


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']}"


def free_port() -> int:
    """A TCP port nothing listens on right now (the machines are shared: never assume a fixed one)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPServer:
    """A real SMTP server on loopback (aiosmtpd) keeping what it receives; ``stop()`` is an outage.

    Fault modes, for the outbox's tests: ``refuse`` answers 550 to those recipients; ``busy_after=N``
    answers 421 (and closes the connection) to the message after N on each connection; ``drop_after=N``
    receives the message after N on each connection and then drops the connection before saying "250 OK"
    (the sender cannot know it arrived); ``delay`` seconds before accepting each message (a slow relay).
    """

    def __init__(self, *, refuse=(), busy_after=None, drop_after=None, delay=0.0):
        import asyncio

        from aiosmtpd.controller import Controller

        self.messages = []  # (envelope from, recipients, raw content)
        self.connections = 0
        self.drops = 0
        outer = self

        class Handler:
            async def handle_EHLO(self, server, session, envelope, hostname, responses):
                outer.connections += 1
                session.host_name = hostname
                session.accepted = 0
                return responses

            async def handle_MAIL(self, server, session, envelope, address, mail_options):
                if busy_after is not None and getattr(session, "accepted", 0) >= busy_after:
                    # 421: the server says so, then closes the connection
                    asyncio.get_running_loop().call_soon(server.transport.close)
                    return "421 4.7.0 Too many messages on this connection, try again later"
                envelope.mail_from = address
                return "250 OK"

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address in refuse:
                    return "550 5.1.1 No such user here"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                if delay:
                    await asyncio.sleep(delay)
                outer.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
                session.accepted = getattr(session, "accepted", 0) + 1
                if drop_after is not None and session.accepted > drop_after:
                    outer.drops += 1
                    server.transport.abort()  # received, but the "250 OK" never leaves
                    return "250 OK"
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.running = False

    def start(self):
        self.controller.start()
        self.running = True

    def stop(self):
        if self.running:
            self.controller.stop()
            self.running = False

    @property
    def recipients(self) -> list[str]:
        return [r for _, rcpts, _ in self.messages for r in rcpts]


@pytest.fixture
def smtp_server(settings):
    """Point the outbox's delivery at a real SMTP server on loopback for this test."""
    server = SMTPServer()
    server.start()
    settings.PORTAL_SENDING_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _mail_through_the_outbox(settings):
    """Mail goes through the outbox as in production (pytest-django would send Django's own straight to
    locmem). Delivery runs on an immediate task backend once the transaction commits, so a test that runs
    its commit callbacks (``django_capture_on_commit_callbacks(execute=True)``) finds the emails in
    ``mail.outbox``; ``deliver()`` sends what is due in the outbox at any point."""
    settings.EMAIL_BACKEND = "symphony_portal.mail.backends.OutboxBackend"
    settings.PORTAL_SENDING_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {
        **settings.TASKS,
        "mail-inline": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    settings.PORTAL_MAIL_TASK_BACKEND = "mail-inline"


def deliver(**kwargs):
    """Send what is due in the outbox now, in this process (as the delivery task would)."""
    from symphony_portal.mail.outbox import deliver_due

    return deliver_due(**kwargs)


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """Each test that uses the database starts with an empty cache (the policy page caches adopted
    versions' text). The cache is a database table (settings.CACHES): a test's transaction rolls back
    what it wrote, but a transactional test's flush leaves that table alone, so it is emptied here.
    Tests without the database cannot reach the cache at all."""
    if not (request.node.get_closest_marker("django_db") or "_django_db_helper" in request.fixturenames):
        yield
        return
    from django.core.cache import cache, caches

    from policies.live import forget_live_library

    request.getfixturevalue("_django_db_helper")  # database access first (a TestCase or a flushed one)
    cache.clear()
    caches["local"].clear()  # each process's memory (home's list): ids are reused from test to test
    forget_live_library()
    yield
    from django.db import connection

    caches["local"].clear()
    forget_live_library()
    # A test that ends inside a broken transaction (one asserting an IntegrityError) is rolled back
    # anyway, its cache writes with it.
    if not connection.needs_rollback:
        cache.clear()


@pytest.fixture
def immediate_tasks(settings):
    """Every task runs at once, inside the code that enqueues it (django-tasks' ImmediateBackend), as a
    worker would run it later; the other backends (the tests' inline mail delivery) stay."""
    settings.TASKS = {
        **settings.TASKS,
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }


@pytest.fixture(autouse=True)
def _second_factor_off_unless_asked(request, settings):
    """The cast's Heads, HR and the Chair must use a second factor, which would hold every test signing
    them in at the set-up page. Tests about something else run without the requirement; tests about it
    (marked ``second_factor``: tests/trust/test_second_factor*.py) keep it on, as in production."""
    settings.SECOND_FACTOR_REQUIRED = request.node.get_closest_marker("second_factor") is not None
