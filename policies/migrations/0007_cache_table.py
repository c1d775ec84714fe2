"""The shared cache's table (settings.CACHES, Django's DatabaseCache), made by `migrate` itself.

Every place that sets a database up runs `migrate` (make setup, a rolling upgrade, the backup drill, the
benches, the several-hosts check); making the table here means none of them can forget
`createcachetable`. The command is idempotent: it leaves an existing table alone (and the test databases,
where Django runs it too after migrating, are left as they are).
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("policies", "0006_move_packjob_to_acknowledgements")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False)]
