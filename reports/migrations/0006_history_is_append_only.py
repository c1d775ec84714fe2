"""A case's history is permanent: on PostgreSQL, triggers refuse UPDATE, DELETE and TRUNCATE of the
historical rows of its report, possible subjects, handlers who stepped aside, cited clauses, evidence and
timeline, so nobody can rewrite who saw or did what, even through raw SQL as the portal's own role.
Functions from policies 0005; a no-op on SQLite."""

from django.db import migrations

from symphony_portal.lib.records import AppendOnlyTables

TABLES = [
    "reports_historicalconcernreport",
    "reports_historicalconcernreport_possible_subjects",
    "reports_historicalconcernreport_stepped_aside",
    "reports_historicalreportedclause",
    "reports_historicalevidence",
    "reports_historicalreportevent",
]


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_one_report_per_submission"),
        ("policies", "0010_history_is_append_only"),
    ]

    operations = [AppendOnlyTables(TABLES)]
