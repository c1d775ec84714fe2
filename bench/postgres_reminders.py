"""Issue 17's reminder run on PostgreSQL, production's database: one after the other, and as deployed.

Not part of `make bench`, which needs no server: it needs a PostgreSQL it may create databases on.

    BENCH_POSTGRES_URL=postgres://USER:PASSWORD@127.0.0.1:PORT/postgres \
        .venv/bin/python bench/postgres_reminders.py

It makes a database `symphony_bench_reminders` (and a copy of it as a template), builds the library of
bench_library.py on it (30 live policies, 5,000 people), then times, to aiosmtpd on loopback:
- the run one after the other in this process, as bench_library.py does on SQLite (rolled back each round);
- the run as deployed: `db_worker --interval 1` already running in its own process while the command
  queues, until the outbox holds nothing unsent, each round on a fresh copy of the database;
each against Django's send_messages of the same emails. Both databases are dropped at the end.
"""

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "")
if not ADMIN_URL:
    raise SystemExit(__doc__)
NAME = "symphony_bench_reminders"
URL = urlunsplit(urlsplit(ADMIN_URL)._replace(path=f"/{NAME}"))
ROUNDS = 3

os.environ.update(DATABASE_URL=URL, DJANGO_SETTINGS_MODULE="bench.settings", DJANGO_ENV="development")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402


def admin(*statements: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


admin(
    f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)",
    f"DROP DATABASE IF EXISTS {NAME}_template",
    f"CREATE DATABASE {NAME}",
)

import django  # noqa: E402

django.setup()  # on URL, before bench_pages (imported by bench_library) would choose a SQLite file

# isort: split

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench import bench_library as library  # noqa: E402
from bench import bench_pages as pages  # noqa: E402


def main() -> None:
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_seed_policy", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("generate_trust", schools=library.SCHOOLS, people=library.PEOPLE, seed=1, acknowledged=0.0)
    library.build_library()
    with connection.cursor() as cursor:  # statistics, as autovacuum gives a database that has been running
        cursor.execute("ANALYZE")
    print(
        f"Set-up on {connection.vendor} {connection.pg_version}: {time.perf_counter() - t0:.1f} s", flush=True
    )

    pages.REMINDER_ROUNDS = ROUNDS
    queued, run, baseline, count = pages.bench_reminders()
    print(f"\nOne after the other ({count} emails, median of {ROUNDS})")
    print(f"the command {queued:.2f} s; draining {run - queued:.2f} s; together {run:.2f} s")
    print(f"send_messages {baseline:.2f} s; ratio {run / baseline:.2f}x (aim <= 1.2x)", flush=True)

    connection.close()
    admin(f"CREATE DATABASE {NAME}_template TEMPLATE {NAME}")
    smtp, port = pages.start_loopback_smtp()
    worker_env = {
        **os.environ,
        "DATABASE_URL": URL,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "0",
    }
    runs, baselines = [], []
    try:
        for _ in range(ROUNDS):
            connection.close()
            admin(f"DROP DATABASE {NAME} WITH (FORCE)", f"CREATE DATABASE {NAME} TEMPLATE {NAME}_template")
            run, baseline, count = pages.time_deployed_run(worker_env)
            runs.append(run)
            baselines.append(baseline)
    finally:
        smtp.terminate()
        smtp.wait(timeout=30)
        connection.close()
        admin(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)", f"DROP DATABASE IF EXISTS {NAME}_template")
    deployed, baseline = statistics.median(runs), statistics.median(baselines)
    print(f"\nAs deployed (two task workers, each in its own process; median of {ROUNDS})")
    print(f"from the command's start until every email is sent {deployed:.2f} s")
    print(f"send_messages {baseline:.2f} s; ratio {deployed / baseline:.2f}x (aim <= 1.2x)")


if __name__ == "__main__":
    main()
