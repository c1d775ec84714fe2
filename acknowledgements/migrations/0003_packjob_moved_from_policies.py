"""The sign-off pack's jobs, moved from policies (step 2 of 2): Django's state only.

policies' 0006_move_packjob_to_acknowledgements renamed the table (policies_packjob ->
acknowledgements_packjob) with its rows; this declares the same model here, unchanged.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("acknowledgements", "0002_database_guards"),
        ("policies", "0006_move_packjob_to_acknowledgements"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="PackJob",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("requested_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("pending", "Waiting to start"),
                                    ("running", "Being made"),
                                    ("done", "Ready"),
                                    ("failed", "Failed"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "message",
                            models.TextField(
                                blank=True, help_text="What went wrong, or what the pack contains."
                            ),
                        ),
                        ("register_rows", models.PositiveIntegerField(default=0)),
                        (
                            "file_path",
                            models.CharField(
                                blank=True, help_text="Under PRIVATE_MEDIA_ROOT.", max_length=300
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "version",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="pack_jobs",
                                to="policies.policyversion",
                            ),
                        ),
                        (
                            "export",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="job",
                                to="policies.policyexport",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-requested_at", "-pk"],
                    },
                ),
            ],
        ),
    ]
