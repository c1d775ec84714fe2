"""The sign-off pack's jobs move to the acknowledgements app, which makes the pack (step 1 of 2).

The table is renamed, not copied: every row (and its id) stays. acknowledgements' migration
acknowledgements 0003_packjob_moved_from_policies then takes the model over in Django's state. Reversible: back, the
table is renamed to policies_packjob again.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0005_database_guards"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="PackJob", table="acknowledgements_packjob"),
            ],
            state_operations=[
                migrations.DeleteModel(name="PackJob"),
            ],
        ),
    ]
