"""The sign-off pack's jobs move from policies to acknowledgements with every row, and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("policies", "0005_database_guards"),
    ("acknowledgements", "0002_database_guards"),
]
AFTER = [
    ("policies", "0006_move_packjob_to_acknowledgements"),
    ("acknowledgements", "0005_one_signoff_pack_build_per_version"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_it_moves_the_jobs_table_with_its_rows_and_back(hr, version):
    old = migrate(BEFORE)
    try:
        Export, OldJob = old.get_model("policies", "PolicyExport"), old.get_model("policies", "PackJob")
        export = Export.objects.create(
            version_id=version.pk, kind="signoff_pack", filename="p.pdf", file_sha256="a" * 64
        )
        done = OldJob.objects.create(
            version_id=version.pk,
            requested_by_id=hr.pk,
            state="done",
            file_path="exports/job-1-p.pdf",
            export=export,
        )
        stuck = OldJob.objects.create(version_id=version.pk, state="running", started_at=timezone.now())

        new = migrate(AFTER)
        Job = new.get_model("acknowledgements", "PackJob")
        moved = Job.objects.get(pk=done.pk)
        assert (moved.version_id, moved.requested_by_id, moved.state) == (version.pk, hr.pk, "done")
        assert (moved.file.name, moved.export_id) == ("exports/job-1-p.pdf", export.pk)
        # The old builder's unfinished job can never finish now: failed, so HR can prepare it again.
        assert Job.objects.get(pk=stuck.pk).state == "failed"

        back = migrate(BEFORE)
        assert (
            back.get_model("policies", "PackJob").objects.get(pk=done.pk).file_path == "exports/job-1-p.pdf"
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
