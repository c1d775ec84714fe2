"""Pages, CSV and reminders against two baselines, on a generated trust of 12 schools and 3,000 people.

One throwaway SQLite database (SYMPHONY_VAR_DIR is a temporary folder), one gunicorn process (one sync
worker, DEBUG off, bench/settings.py: the portal plus two baseline views) on a free loopback port, one
signed-in session cookie per person. Each page is fetched sequentially for a bounded time; the figure is
seconds per request, and the ratio is against its baseline. Reminders: one full run (the command: plan,
render, queue in the outbox and record; then the outbox drained as the worker's task does, over one
connection) against Django's own send_messages of the same emails, both to an aiosmtpd server on
loopback (its own process); each run is rolled back so the next one sends the same mail again.
"""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TMP = tempfile.mkdtemp(prefix="symphony-bench-")
# Before Django loads: a database of our own, thrown away afterwards, never the developer's var/.
os.environ["SYMPHONY_VAR_DIR"] = TMP
os.environ.pop("DATABASE_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ["DJANGO_ENV"] = "development"
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.mail import get_connection  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from bench.second_factor import mark_second_factor_passed  # noqa: E402
from symphony_portal.trust.models import Kind, Role, RoleAssignment, User  # noqa: E402

SCHOOLS, PEOPLE = 12, 3000
SECONDS_IN_ALL = 45.0  # rounds of every page go on for about this long...
MIN_ROUNDS, MAX_ROUNDS = 5, 40  # ...within these bounds
REMINDER_ROUNDS = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    mark_second_factor_passed(client, user)  # HR and Heads would otherwise be held at its set-up
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "symphony_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_DEBUG": "0"},
    )
    wait_for_port(port, server, "bench server")
    return server


def fetch(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - loopback only
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        body = response.read()
        if response.status != 200 or response.geturl() != url:
            raise SystemExit(f"{url} answered {response.status} at {response.geturl()}")
        return len(body)


def measure(base: str, pages: list[tuple[str, str, str, int]], cookies: dict) -> dict:
    """Seconds per request of each page, measured in interleaved rounds so that a change in the load
    of the machine touches every page alike: (median seconds, requests, bytes) by page name."""
    sizes = {
        name: (fetch(base + path, cookies[who]), fetch(base + path, cookies[who]))[0]
        for name, path, who, _ in pages
    }
    timings: dict[str, list[float]] = {name: [] for name, *_ in pages}
    started = time.perf_counter()
    for round_number in range(MAX_ROUNDS):
        if round_number >= MIN_ROUNDS and time.perf_counter() - started > SECONDS_IN_ALL:
            break
        for name, path, who, repeat in pages:
            for _ in range(repeat):
                t0 = time.perf_counter()
                fetch(base + path, cookies[who])
                timings[name].append(time.perf_counter() - t0)
    return {name: (statistics.median(t), len(t), sizes[name]) for name, t in timings.items()}


def wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    for _ in range(150):  # up to 15 seconds
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"The {what} did not start.")


def start_loopback_smtp() -> tuple[subprocess.Popen, int]:
    """An aiosmtpd server discarding what it receives, in its own process as a mail server would be, on a
    free loopback port; this process's mail is sent to it. Returns (the process, its port)."""
    port = free_port()
    smtp = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"]
    )
    wait_for_port(port, smtp, "loopback SMTP server")
    settings.PORTAL_SENDING_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return smtp, port


def bench_reminders() -> tuple[float, float, float, int]:
    """One reminder run (queue, then drain the outbox) against send_messages of the same emails, both to
    a loopback SMTP server.

    The server (aiosmtpd, discarding what it receives) runs in its own process, as a mail server would.
    The two are measured in alternation, and each reminder run is rolled back so the next one queues and
    sends the same reminders again. Returns (queue seconds, queue + drain seconds, baseline, emails).
    """
    from acknowledgements.services import queue_reminders
    from symphony_portal.mail.outbox import deliver_due

    smtp, _port = start_loopback_smtp()
    try:
        queued, runs, baselines, count = [], [], [], 0
        for _ in range(REMINDER_ROUNDS):
            with transaction.atomic():
                t0 = time.perf_counter()
                plan = queue_reminders(in_parts=True)  # what cron's command does
                queued.append(time.perf_counter() - t0)
                deliver_due()  # what the worker's delivery task does
                runs.append(time.perf_counter() - t0)
                count = len(plan.messages)
                transaction.set_rollback(True)  # so that the next round sends the same reminders
            t0 = time.perf_counter()
            with get_connection(settings.PORTAL_SENDING_EMAIL_BACKEND, fail_silently=False) as connection:
                connection.send_messages(plan.messages)
            baselines.append(time.perf_counter() - t0)
        return statistics.median(queued), statistics.median(runs), statistics.median(baselines), count
    finally:
        smtp.terminate()
        smtp.wait(timeout=30)


def time_deployed_run(worker_env: dict, workers: int = 2) -> tuple[float, float, int]:
    """One reminder run as deployed (README's `make run`) on the database as it is now: the task workers
    (``workers`` of `db_worker --interval 1`, each its own process, ``worker_env`` pointing them at the
    database and the mail server) already running, the command queuing its parts while the workers send
    what is queued; timed from the command's start until the outbox holds nothing unsent. Then
    send_messages of the same emails over one connection. Returns (run seconds, baseline seconds, emails).
    """
    from acknowledgements.services import queue_reminders
    from symphony_portal.mail.models import OutgoingEmail

    unsent = [OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.RETRYING]
    started = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "1"],
            cwd=ROOT,
            env=worker_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        time.sleep(4)  # started and polling: as in production, it was there before cron ran
        t0 = time.perf_counter()
        plan = queue_reminders(in_parts=True)  # what cron's command does
        while OutgoingEmail.objects.filter(status__in=unsent).exists():
            time.sleep(0.02)
        run = time.perf_counter() - t0
        if OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT).count() != len(plan.emails):
            raise SystemExit("The workers did not send every reminder.")
    finally:
        for worker in started:
            worker.terminate()
        for worker in started:
            worker.wait(timeout=60)
    t0 = time.perf_counter()
    with get_connection(settings.PORTAL_SENDING_EMAIL_BACKEND, fail_silently=False) as sending:
        sending.send_messages(plan.messages)
    return run, time.perf_counter() - t0, len(plan.emails)


def bench_reminders_with_worker(workers: int = 2, rounds: int = REMINDER_ROUNDS) -> tuple[float, float, int]:
    """The reminder run as deployed (``time_deployed_run``, with ``workers`` task workers) against
    send_messages, to loopback aiosmtpd.

    Each round runs on a copy of the database file taken before the first, so every round sends the same
    reminders. Returns (median run seconds, median baseline seconds, emails).
    """
    import shutil

    from django.db import connection

    database = Path(settings.DATABASES["default"]["NAME"])
    snapshot = database.with_suffix(".before-reminders")
    connection.close()
    shutil.copyfile(database, snapshot)
    smtp, port = start_loopback_smtp()
    worker_env = {**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "EMAIL_USE_TLS": "0"}
    try:
        runs, baselines, count = [], [], 0
        for _ in range(rounds):
            connection.close()
            shutil.copyfile(snapshot, database)
            run, baseline, count = time_deployed_run(worker_env, workers)
            runs.append(run)
            baselines.append(baseline)
        return statistics.median(runs), statistics.median(baselines), count
    finally:
        smtp.terminate()
        smtp.wait(timeout=30)
        connection.close()
        shutil.copyfile(snapshot, database)
        snapshot.unlink()


def main() -> None:
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_seed_policy", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("generate_trust", schools=SCHOOLS, people=PEOPLE, seed=1)
    print(f"Set-up (migrate, seed policy, generate_trust): {time.perf_counter() - t0:.1f} s")
    hr = User.objects.holding(Role.HR).get()
    holders = RoleAssignment.objects.values("user_id")
    staff = User.objects.filter(kind=Kind.EMPLOYEE).exclude(pk__in=holders).exclude(school=None).first()
    cookies = {"staff": session_cookie(staff), "hr": session_cookie(hr)}

    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        # (name, path, signed in as, requests per round: small pages more often, for a steadier median)
        pages = [
            ("bare view (baseline)", "/bench/bare/", "staff", 5),
            ("3,000-row table (baseline)", "/bench/table/", "hr", 1),
            ("bare view in base.html (for reference)", "/bench/bare-in-layout/", "staff", 5),
            ("policy page", "/policies/social-media-policy/", "staff", 5),
            ("home", "/", "staff", 5),
            ("trust-wide compliance overview", "/acknowledgements/compliance/", "hr", 5),
            ("full outstanding list", "/acknowledgements/outstanding/", "hr", 1),
            ("register CSV", "/acknowledgements/register.csv", "hr", 1),
        ]
        measured = measure(base, pages, cookies)
    finally:
        server.terminate()
        server.wait(timeout=30)

    bare, table = measured["bare view (baseline)"][0], measured["3,000-row table (baseline)"][0]
    print(f"\nPages ({PEOPLE} people, {SCHOOLS} schools; gunicorn, 1 worker, DEBUG off; medians)")
    print(f"{'page':40} {'ms/request':>10} {'req/s':>7} {'n':>4} {'bytes':>8}  ratio, and the aim")
    aims = {
        "policy page": (bare, "throughput vs bare", 0.5),
        "home": (bare, "throughput vs bare", 0.5),
        "trust-wide compliance overview": (bare, "throughput vs bare", 0.25),
        "bare view in base.html (for reference)": (bare, "throughput vs bare", 0.5),
        "full outstanding list": (table, "time vs 3,000-row table", 1.3),
        "register CSV": (table, "time vs 3,000-row table", 1.3),
    }
    for name, (seconds, n, size) in measured.items():
        line = f"{name:40} {seconds * 1000:10.1f} {1 / seconds:7.1f} {n:4d} {size:8d}"
        if name in aims:
            baseline, how, aim = aims[name]
            if how.startswith("throughput"):
                ratio = baseline / seconds
                verdict = "meets" if ratio >= aim else "MISSES"
                line += f"  {ratio:.2f} of the bare view's throughput (aim >= {aim}) {verdict}"
            else:
                ratio = seconds / baseline
                verdict = "meets" if ratio <= aim else "MISSES"
                line += f"  {ratio:.2f}x the 3,000-row table's time (aim <= {aim}x) {verdict}"
        print(line)

    queued, run, baseline, count = bench_reminders()
    ratio = run / baseline
    print(f"\nReminders ({count} emails to a loopback aiosmtpd server, median of {REMINDER_ROUNDS})")
    print(f"the command (plan, render, queue in the outbox, record): {queued:.2f} s")
    print(f"the command, then the outbox drained (every email sent): {run:.2f} s")
    print(f"Django send_messages of the same emails:                 {baseline:.2f} s")
    verdict = "meets" if ratio <= 1.2 else "MISSES"
    print(f"ratio, command + drain against send_messages: {ratio:.2f}x (aim <= 1.2x) {verdict}")


if __name__ == "__main__":
    try:
        main()
    finally:
        import shutil

        shutil.rmtree(TMP, ignore_errors=True)
