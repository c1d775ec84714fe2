"""The title a version was adopted under, the version that superseded it, and guarded base managers.

Existing adopted versions get the title the policy had when they were published (from the policy's
history, else its title now) and, when superseded, the next adopted version as their successor. Their
fingerprints stay as recorded: ``title_in_fingerprint`` is False for versions adopted (or drafts whose
approval was recorded) before this migration, so every acknowledgement, export and approval already
made still matches the text it was made of. Versions approved from now on fingerprint their title too.
"""

import django.db.models.deletion
from django.db import migrations, models


def fill_adopted_titles_and_successors(apps, schema_editor):
    PolicyVersion = apps.get_model("policies", "PolicyVersion")
    HistoricalPolicy = apps.get_model("policies", "HistoricalPolicy")
    adopted = PolicyVersion.objects.exclude(status="draft").select_related("policy")
    by_policy = {}
    for version in adopted:
        by_policy.setdefault(version.policy_id, []).append(version)
    for versions in by_policy.values():
        versions.sort(key=lambda v: (v.published_at or v.created_at, v.created_at, v.pk))
        for index, version in enumerate(versions):
            when = version.published_at or version.created_at
            title = (
                HistoricalPolicy.objects.filter(id=version.policy_id, history_date__lte=when)
                .order_by("-history_date")
                .values_list("title", flat=True)
                .first()
            ) or version.policy.title
            changes = {"adopted_title": version.adopted_title or title}
            if version.status == "superseded" and version.superseded_by_id is None:
                later = versions[index + 1 :]
                changes["superseded_by_id"] = later[0].pk if later else None
            PolicyVersion.objects.filter(pk=version.pk).update(**changes)
    # A draft with no approval yet has no recorded fingerprint to keep: it takes the new rule.
    PolicyVersion.objects.filter(status="draft", approved_fingerprint="").update(title_in_fingerprint=True)


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0003_exports_and_signoff_pack_jobs"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="clause",
            options={
                "base_manager_name": "objects",
                "ordering": ["version", "section__position", "position"],
            },
        ),
        migrations.AlterModelOptions(
            name="policyexport",
            options={"base_manager_name": "objects", "ordering": ["-exported_at", "-pk"]},
        ),
        migrations.AlterModelOptions(
            name="policyversion",
            options={"base_manager_name": "objects", "ordering": ["policy", "-created_at"]},
        ),
        migrations.AlterModelOptions(
            name="reviewreminder",
            options={"base_manager_name": "objects", "ordering": ["-sent_at"]},
        ),
        migrations.AlterModelOptions(
            name="section",
            options={"base_manager_name": "objects", "ordering": ["version", "position"]},
        ),
        migrations.AddField(
            model_name="historicalpolicyversion",
            name="adopted_title",
            field=models.CharField(
                blank=True, help_text="The policy's title when this version was published.", max_length=200
            ),
        ),
        migrations.AddField(
            model_name="historicalpolicyversion",
            name="superseded_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The version whose publication superseded this one.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="policies.policyversion",
            ),
        ),
        # Rows that exist now keep fingerprints of their clauses alone (False); new rows default to True.
        migrations.AddField(
            model_name="historicalpolicyversion",
            name="title_in_fingerprint",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AlterField(
            model_name="historicalpolicyversion",
            name="title_in_fingerprint",
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.AddField(
            model_name="policyversion",
            name="adopted_title",
            field=models.CharField(
                blank=True, help_text="The policy's title when this version was published.", max_length=200
            ),
        ),
        migrations.AddField(
            model_name="policyversion",
            name="superseded_by",
            field=models.ForeignKey(
                blank=True,
                help_text="The version whose publication superseded this one.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="policies.policyversion",
            ),
        ),
        migrations.AddField(
            model_name="policyversion",
            name="title_in_fingerprint",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AlterField(
            model_name="policyversion",
            name="title_in_fingerprint",
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.RunPython(fill_adopted_titles_and_successors, migrations.RunPython.noop),
    ]
