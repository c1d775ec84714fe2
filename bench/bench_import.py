"""How fast HR's people import runs: 3,000 rows previewed, imported, then imported again unchanged.

First the web request HR waits for: "Confirm the import" at 3,000 people, posted through Django's test
client (it records a job and queues its task, nothing more); then the task's own work, as a worker runs it.

Runs on a throwaway SQLite database in a temporary folder (never the development one), prints rows per
second and the number of SQL queries of each step. `make bench` runs it; `python bench/bench_import.py`
does too.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROWS = 3000
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Before Django loads: a database of its own, and never a DATABASE_URL from the environment.
os.environ["SYMPHONY_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-import-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symphony_portal.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from symphony_portal.trust import people_import, services  # noqa: E402
from symphony_portal.trust.models import PeopleImport, Role, RoleAssignment, School, User  # noqa: E402

# The invitations go to memory: the figure is for the import, not for an SMTP server. The task that
# queues them is stored with the import (database task backend) and run here as a worker would run it.
settings.PORTAL_SENDING_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
mail.outbox = []


def run_stored_tasks(name: str = "") -> None:
    """Run the stored tasks (whose path ends with ``name``) in this process, as a worker would."""
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.filter(status="READY", task_path__endswith=name).order_by("enqueued_at")
    while task := ready.first():
        result = task.task_result
        result.task.call(*result.args, **result.kwargs)
        DBTaskResult.objects.filter(pk=task.pk).update(status="SUCCESSFUL")


def build_csv(schools: list[School]) -> str:
    lines = ["email,name,kind,school,role,job title"]
    for i in range(ROWS):
        school = schools[i % len(schools)]
        role = ""  # an import never grants a role (a trust administrator does)
        kind = "governor" if i % 20 == 0 else "employee"
        title = f'"Teacher, Year {i % 6 + 1}"'
        lines.append(f"person{i}@bench.example,Person {i},{kind},{school.name},{role},{title}")
    return "\n".join(lines) + "\n"


def timed(label: str, step):
    with CaptureQueriesContext(connection) as queries:
        start, cpu_start = time.perf_counter(), time.process_time()
        result = step()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    print(
        f"{label:<36} {seconds:6.2f} s ({cpu:5.2f} s CPU)  {ROWS / seconds:6.0f} rows/s  "
        f"{len(queries):3d} queries"
    )
    return result


def main() -> None:
    call_command("migrate", verbosity=0)
    schools = [School.objects.create(name=f"Bench School {n}", slug=f"bench-school-{n}") for n in range(10)]
    hr = User.objects.create_user("hr@bench.example", full_name="Bench HR")
    RoleAssignment.objects.create(user=hr, role=Role.HR)
    text = build_csv(schools)
    print(f"People import, {ROWS} rows, SQLite ({connection.vendor}), {settings.VAR_DIR}")

    timed("preview (new file)", lambda: people_import.plan(text, importer=hr))
    pending = services.upload_people_import(text, filename="bench.csv", by=hr)
    client = Client()
    client.force_login(hr)
    client.get("/people/import/", SERVER_NAME="localhost")  # the first request loads the views: not counted
    response = timed(
        "web request: confirm (3,000 people)",
        lambda: client.post(f"/people/import/{pending.pk}/confirm/", SERVER_NAME="localhost"),
    )
    assert response.status_code == 302, response.status_code
    assert not User.objects.filter(email__startswith="person").exists()  # nothing written yet
    # Off the request: the task applies the import (people and their invitations in the outbox, one
    # transaction), then the delivery task sends the invitations.
    timed("worker: apply the import (3,000 new)", lambda: run_stored_tasks("apply_people_import"))
    record = PeopleImport.objects.get(pk=pending.pk)
    assert record.created_count == ROWS, (record.created_count, record.jobs.first().message)
    timed("worker: send 3,000 invitations", run_stored_tasks)
    assert len(mail.outbox) == ROWS, len(mail.outbox)

    timed("preview (same file again)", lambda: people_import.plan(text, importer=hr))
    again = services.upload_people_import(text, filename="bench.csv", by=hr)
    record = timed(
        "confirm (same file: no change)",
        lambda: services.confirm_people_import(again, deactivate_missing=True, by=hr),
    )
    assert record.unchanged_count == ROWS, record.unchanged_count

    changed = text.replace("Teacher, Year", "Teaching, Year")
    third = services.upload_people_import(changed, filename="bench.csv", by=hr)
    record = timed(
        "confirm (3,000 job titles changed)",
        lambda: services.confirm_people_import(third, deactivate_missing=True, by=hr),
    )
    assert record.updated_count == ROWS, record.updated_count


if __name__ == "__main__":
    main()
