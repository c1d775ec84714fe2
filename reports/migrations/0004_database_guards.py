"""A case's timeline is permanent: events are protected from their report's deletion, their base manager
is guarded, and on PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE (functions from policies 0005;
a no-op on SQLite)."""

import django.db.models.deletion
from django.db import migrations, models

from symphony_portal.lib.records import PostgresOnlySQL

TABLE = "reports_reportevent"


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_record_possible_subjects_of_existing_reports"),
        ("policies", "0005_database_guards"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="reportevent",
            options={"base_manager_name": "objects", "ordering": ["report", "at", "pk"]},
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="report",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="events", to="reports.concernreport"
            ),
        ),
        PostgresOnlySQL(
            f"CREATE TRIGGER symphony_guard BEFORE UPDATE OR DELETE ON {TABLE}"
            " FOR EACH ROW EXECUTE FUNCTION symphony_append_only();\n"
            f"CREATE TRIGGER symphony_no_truncate BEFORE TRUNCATE ON {TABLE}"
            " FOR EACH STATEMENT EXECUTE FUNCTION symphony_refuse_truncate();\n",
            f"DROP TRIGGER IF EXISTS symphony_guard ON {TABLE};\nDROP TRIGGER IF EXISTS symphony_no_truncate ON {TABLE};\n",
        ),
    ]
