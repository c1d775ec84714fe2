import io

import pytest
from django.core.management import call_command

from acknowledgements.models import Acknowledgement
from acknowledgements.services import acknowledge
from policies.models import PolicyVersion
from tests.builders import make_successor, make_version


@pytest.fixture
def version(db) -> PolicyVersion:
    """A small published policy version."""
    return make_version(label="2024-2027", sections={"Purpose": ["Be kind online.", "Think before posting."]})


def publish_successor(old: PolicyVersion, label: str = "2027-2030") -> PolicyVersion:
    """What publishing a new version does to the data: the old one superseded, the new one live."""
    return make_successor(old, label=label, sections={"Purpose": ["Be kinder online."]})


def acknowledged(version: PolicyVersion, *people) -> list[Acknowledgement]:
    return [acknowledge(version, by=person)[0] for person in people]


# --- The sign-off pack's tasks ----------------------------------------------------------------------------

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def private_media(settings, tmp_path):
    """Private files (the packs) go to this test's own folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def database_tasks(settings):
    """Tasks are queued in the database (as in production) and run only by a worker."""
    settings.TASKS = DATABASE_TASKS


def drain_task_queue() -> str:
    """Run `manage.py db_worker --batch` in this process: every queued task, then return its output.

    Only in `transactional_db` tests: the worker closes old connections, which a `db` test's transaction
    cannot survive.
    """
    out = io.StringIO()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out, stderr=out)
    return out.getvalue()
