"""The compliance generation: one row that database triggers raise with every committed change the
compliance pages' counts depend on (acknowledgements.compliance_cache explains why and how it is read).

The tables are listed here as they are at this migration; a table added later gets its triggers in a new
migration (docs/architecture.md, "Compliance pages: counts kept per generation").
"""

from django.db import migrations, models

from acknowledgements.generation import Watched, create_triggers_sql, drop_triggers_sql

WATCHED = (
    Watched("acknowledgements.Acknowledgement", "acknowledgements_acknowledgement"),
    Watched("acknowledgements.Reminder", "acknowledgements_reminder"),
    Watched(
        "trust.User",
        "trust_user",
        ("kind", "school_id", "is_active", "date_joined", "school_since", "full_name", "job_title"),
    ),
    Watched("trust.PersonTag", "trust_persontag"),
    Watched("trust.Tag", "trust_tag"),
    Watched("trust.School", "trust_school"),
    Watched("policies.Policy", "policies_policy"),
    Watched("policies.Policy_audience_schools", "policies_policy_audience_schools"),
    Watched("policies.PolicyVersion", "policies_policyversion"),
)


def create_triggers(apps, schema_editor):
    for statement in create_triggers_sql(schema_editor.connection.vendor, WATCHED):
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in drop_triggers_sql(schema_editor.connection.vendor, WATCHED):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("acknowledgements", "0008_acknowledgement_person_version_index"),
        ("policies", "0009_change_kind_carry_over_and_yearly_rounds"),
        ("trust", "0007_second_factor_reset"),
    ]

    operations = [
        migrations.CreateModel(
            name="ComplianceGeneration",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(
                        default=1, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("epoch", models.CharField(max_length=40)),
                ("value", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="ack_compliance_generation_one_row"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
