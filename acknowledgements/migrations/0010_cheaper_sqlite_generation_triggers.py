"""SQLite's compliance generation triggers raise the row with a plain UPDATE instead of an upsert.

SQLite has only row triggers, so a reminder run's 43,000 records ran the upsert 43,000 times (0.7 s of the
run). The UPDATE does nothing where the row is missing (after a test's flush); the next reader then makes
the row with a new epoch (compliance_cache.current_generation), so no earlier key can come back.

Each trigger migration 0009 made is made again with the new body, whatever its table; PostgreSQL's
triggers run once per transaction already and are left as they are.
"""

from django.db import migrations

UPSERT = (
    "INSERT INTO acknowledgements_compliancegeneration (id, epoch, value) "
    "VALUES (1, lower(hex(randomblob(16))), 1) "
    "ON CONFLICT(id) DO UPDATE SET value = value + 1;"
)
UPDATE = "UPDATE acknowledgements_compliancegeneration SET value = value + 1 WHERE id = 1;"


def _rewrite(schema_editor, old: str, new: str) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            ["compliance_generation_%"],
        )
        triggers = cursor.fetchall()
    for name, sql in triggers:
        if old not in sql:
            raise RuntimeError(f"Trigger {name} is not as migration 0009 made it: {sql}")
        schema_editor.execute(f"DROP TRIGGER {name}")
        schema_editor.execute(sql.replace(old, new))


def forwards(apps, schema_editor):
    _rewrite(schema_editor, UPSERT, UPDATE)


def backwards(apps, schema_editor):
    _rewrite(schema_editor, UPDATE, UPSERT)


class Migration(migrations.Migration):
    dependencies = [("acknowledgements", "0009_compliance_generation")]

    operations = [migrations.RunPython(forwards, backwards)]
