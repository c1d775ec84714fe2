"""Acknowledgements and reminders sent are permanent: guarded base managers, and on PostgreSQL triggers
refusing UPDATE, DELETE and TRUNCATE (functions from policies 0005; a no-op on SQLite)."""

from django.db import migrations

from symphony_portal.lib.records import PostgresOnlySQL

TABLES = ("acknowledgements_acknowledgement", "acknowledgements_reminder")


class Migration(migrations.Migration):
    dependencies = [
        ("acknowledgements", "0001_acknowledgements_and_reminders"),
        ("policies", "0005_database_guards"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="acknowledgement",
            options={"base_manager_name": "objects", "ordering": ["-acknowledged_at"]},
        ),
        migrations.AlterModelOptions(
            name="reminder",
            options={"base_manager_name": "objects", "ordering": ["-sent_at"]},
        ),
        PostgresOnlySQL(
            "".join(
                f"CREATE TRIGGER symphony_guard BEFORE UPDATE OR DELETE ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION symphony_append_only();\n"
                f"CREATE TRIGGER symphony_no_truncate BEFORE TRUNCATE ON {table}"
                " FOR EACH STATEMENT EXECUTE FUNCTION symphony_refuse_truncate();\n"
                for table in TABLES
            ),
            "".join(
                f"DROP TRIGGER IF EXISTS symphony_guard ON {table};\n"
                f"DROP TRIGGER IF EXISTS symphony_no_truncate ON {table};\n"
                for table in TABLES
            ),
        ),
    ]
