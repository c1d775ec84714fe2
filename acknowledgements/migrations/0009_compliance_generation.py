"""The compliance generation: one row that database triggers raise with every committed change the
compliance pages' counts depend on (acknowledgements.compliance_cache explains why and how it is read).

The tables and the SQL are frozen here as they were at this migration (migration 0010 made SQLite's body
cheaper); a table added later gets its triggers in a new migration (docs/architecture.md, "Compliance
pages: counts kept per generation").
"""

from django.db import migrations, models

# Frozen here as this migration made them (acknowledgements.generation describes the triggers of today):
# (table, the columns whose update raises the generation, or None for any).
WATCHED = (
    ("acknowledgements_acknowledgement", None),
    ("acknowledgements_reminder", None),
    (
        "trust_user",
        ("kind", "school_id", "is_active", "date_joined", "school_since", "full_name", "job_title"),
    ),
    ("trust_persontag", None),
    ("trust_tag", None),
    ("trust_school", None),
    ("policies_policy", None),
    ("policies_policy_audience_schools", None),
    ("policies_policyversion", None),
)

SQLITE_BUMP = (
    "INSERT INTO acknowledgements_compliancegeneration (id, epoch, value) "
    "VALUES (1, lower(hex(randomblob(16))), 1) "
    "ON CONFLICT(id) DO UPDATE SET value = value + 1;"
)

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION symphony_compliance_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('symphony.compliance_bumped', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('symphony.compliance_bumped', 'on', true);
    INSERT INTO acknowledgements_compliancegeneration (id, epoch, value)
        VALUES (1, gen_random_uuid()::text, 1)
        ON CONFLICT (id) DO UPDATE SET value = acknowledgements_compliancegeneration.value + 1;
    RETURN NULL;
END $$;
"""
POSTGRES_TRIGGER = "zz_compliance_generation"


def _changed(columns, distinct):
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


def create_triggers_sql(vendor):
    statements = [POSTGRES_FUNCTION] if vendor == "postgresql" else []
    for t, columns in WATCHED:
        if vendor == "sqlite":
            on_update = f"AFTER UPDATE ON {t} FOR EACH ROW"
            if columns:
                on_update = (
                    f"AFTER UPDATE OF {', '.join(columns)} ON {t} FOR EACH ROW "
                    f"WHEN {_changed(columns, 'IS NOT')}"
                )
            for suffix, event in (
                ("insert", f"AFTER INSERT ON {t} FOR EACH ROW"),
                ("update", on_update),
                ("delete", f"AFTER DELETE ON {t} FOR EACH ROW"),
            ):
                statements.append(
                    f"CREATE TRIGGER compliance_generation_{t}_{suffix} {event} BEGIN {SQLITE_BUMP} END"
                )
        elif vendor == "postgresql":
            deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
            function = "EXECUTE FUNCTION symphony_compliance_generation_bump()"
            if columns:
                statements += [
                    f"CREATE CONSTRAINT TRIGGER {POSTGRES_TRIGGER} AFTER INSERT OR DELETE ON {t} "
                    f"{deferred} {function}",
                    f"CREATE CONSTRAINT TRIGGER {POSTGRES_TRIGGER}_update AFTER UPDATE OF "
                    f"{', '.join(columns)} ON {t} {deferred} "
                    f"WHEN ({_changed(columns, 'IS DISTINCT FROM')}) {function}",
                ]
            else:
                statements.append(
                    f"CREATE CONSTRAINT TRIGGER {POSTGRES_TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON {t} "
                    f"{deferred} {function}"
                )
            statements.append(
                f"CREATE TRIGGER {POSTGRES_TRIGGER}_truncate AFTER TRUNCATE ON {t} "
                f"FOR EACH STATEMENT {function}"
            )
        else:
            raise NotImplementedError(f"No compliance generation triggers for {vendor}.")
    return statements


def drop_triggers_sql(vendor):
    statements = []
    for t, _ in WATCHED:
        if vendor == "sqlite":
            statements += [
                f"DROP TRIGGER IF EXISTS compliance_generation_{t}_{suffix}"
                for suffix in ("insert", "update", "delete")
            ]
        elif vendor == "postgresql":
            statements += [
                f"DROP TRIGGER IF EXISTS {POSTGRES_TRIGGER}{suffix} ON {t}"
                for suffix in ("", "_update", "_truncate")
            ]
    if vendor == "postgresql":
        statements.append("DROP FUNCTION IF EXISTS symphony_compliance_generation_bump()")
    return statements


def create_triggers(apps, schema_editor):
    for statement in create_triggers_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in drop_triggers_sql(schema_editor.connection.vendor):
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
