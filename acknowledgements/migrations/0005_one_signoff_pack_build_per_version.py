"""One sign-off pack build per version at a time (a partial unique index).

Jobs still waiting or running when this runs were started by the old detached builder, which no longer
exists: nothing will ever finish them, so they are marked failed (HR prepares the pack again) before the
constraint, which they could otherwise break, is added. Backwards, the constraint goes and they stay failed.
"""

from django.db import migrations, models
from django.utils import timezone

MESSAGE = "Stopped when the portal moved the building of packs to its task workers: prepare the pack again."


def fail_unfinished_jobs(apps, schema_editor):
    PackJob = apps.get_model("acknowledgements", "PackJob")
    PackJob.objects.filter(state__in=["pending", "running"]).update(
        state="failed", finished_at=timezone.now(), message=MESSAGE
    )


class Migration(migrations.Migration):
    dependencies = [
        ("acknowledgements", "0004_packjob_heartbeat_deadline_and_storage"),
    ]

    operations = [
        migrations.RunPython(fail_unfinished_jobs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="packjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state__in", ["pending", "running"])),
                fields=("version",),
                name="one_signoff_pack_build_per_version",
            ),
        ),
    ]
