"""A policy's history is permanent: on PostgreSQL, triggers refuse UPDATE, DELETE and TRUNCATE of its
historical rows (who changed which clause, section, version or audience, and when), so a change to the
text can never be hidden afterwards, even through raw SQL as the portal's own role. Editing a draft still
adds rows: history is only ever added to. Functions from 0005; a no-op on SQLite."""

from django.db import migrations

from symphony_portal.lib.records import AppendOnlyTables

TABLES = [
    "policies_historicalpolicy",
    "policies_historicalpolicy_audience_schools",
    "policies_historicalpolicyversion",
    "policies_historicalsection",
    "policies_historicalclause",
]


class Migration(migrations.Migration):
    dependencies = [("policies", "0009_change_kind_carry_over_and_yearly_rounds")]

    operations = [AppendOnlyTables(TABLES)]
