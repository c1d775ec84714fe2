"""Sign-off pack jobs become tasks: a heartbeat and a deadline (to tell a dead or overrunning build), what
the build is doing now, the task that runs it, and the file kept through Django's storage API.

``file_path`` (relative to PRIVATE_MEDIA_ROOT) becomes ``file``, a FileField in the private storage, whose
names are relative to the same folder: existing values stay valid as they are.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import symphony_portal.lib.storage


class Migration(migrations.Migration):
    dependencies = [
        ("acknowledgements", "0003_packjob_moved_from_policies"),
    ]

    operations = [
        migrations.RenameField(model_name="packjob", old_name="file_path", new_name="file"),
        migrations.AlterField(
            model_name="packjob",
            name="file",
            field=models.FileField(
                blank=True,
                help_text="In the private storage; emptied when newer packs replace it.",
                max_length=300,
                storage=symphony_portal.lib.storage.private_storage,
                upload_to="",
            ),
        ),
        migrations.AddField(
            model_name="packjob",
            name="heartbeat_at",
            field=models.DateTimeField(
                blank=True, help_text="When the worker building it last said it was alive.", null=True
            ),
        ),
        migrations.AddField(
            model_name="packjob",
            name="deadline_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="A waiting job must start by then, a running one finish; otherwise it has failed.",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="packjob",
            name="progress",
            field=models.CharField(blank=True, help_text="What the build is doing now.", max_length=100),
        ),
        migrations.AddField(
            model_name="packjob",
            name="task_id",
            field=models.CharField(
                blank=True, help_text="The task that builds it (django-tasks).", max_length=64
            ),
        ),
        migrations.AlterField(
            model_name="packjob",
            name="requested_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty when asked for from the command line (cron).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
