"""Records the portal keeps for good: the Python half of the guard (the database half is in migrations).

Every write path of the ORM is closed in one place: a model's ``save()``/``delete()`` and a QuerySet
whose ``update()``, ``_update()`` (save's own UPDATE), ``delete()``, ``_raw_delete()`` and
``bulk_update()`` ask first. A model using it
names its guarded manager as its base manager too (``Meta.base_manager_name = "objects"``), so that
``Model._base_manager`` (what Django's own deletion collector and related managers use) is guarded as
well. On PostgreSQL, triggers refuse the same changes made in raw SQL (see ``PostgresOnlySQL``).
"""

from django.core.exceptions import ValidationError
from django.db import migrations, models

APPEND_ONLY_MESSAGE = "This is a permanent record: it cannot be changed or deleted."


class AppendOnlyError(ValidationError):
    """Raised on any attempt to change or delete a permanent record."""

    def __init__(self, message: str = APPEND_ONLY_MESSAGE):
        super().__init__(message, code="append_only")


class AppendOnlyQuerySet(models.QuerySet):
    """Rows can be added (one by one or in bulk) but never updated or deleted, by any QuerySet path."""

    def _refuse(self):
        raise AppendOnlyError(getattr(self.model, "append_only_message", APPEND_ONLY_MESSAGE))

    def update(self, **kwargs):
        self._refuse()

    def delete(self):
        self._refuse()

    def _update(self, values):  # what save() would use for an UPDATE: never wanted here
        self._refuse()

    def _raw_delete(self, using):
        self._refuse()

    def bulk_update(self, objs, fields, batch_size=None):
        self._refuse()

    def bulk_create(self, objs, *args, **kwargs):
        if kwargs.get("update_conflicts"):  # an "upsert" would overwrite an existing record
            self._refuse()
        return super().bulk_create(objs, *args, **kwargs)


class AppendOnlyModel(models.Model):
    """A permanent record: saved once (always as an INSERT), never changed or deleted."""

    append_only_message = APPEND_ONLY_MESSAGE

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(self.append_only_message)
        kwargs.pop("force_update", None)
        kwargs.pop("update_fields", None)
        kwargs["force_insert"] = True  # never an UPDATE, even with a primary key set by hand
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(self.append_only_message)


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that runs on PostgreSQL only (triggers, functions) and is a no-op on SQLite.

    The Python guard above holds on both databases; the triggers add the database's own refusal of raw
    SQL where the database can express it.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AppendOnlyTables(PostgresOnlySQL):
    """PostgreSQL triggers that refuse UPDATE, DELETE and TRUNCATE of these tables' rows (the functions
    of policies migration 0005); dropped again when the migration is reversed. A no-op on SQLite."""

    def __init__(self, tables: list[str]):
        super().__init__(
            "".join(
                f"CREATE TRIGGER symphony_guard BEFORE UPDATE OR DELETE ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION symphony_append_only();\n"
                f"CREATE TRIGGER symphony_no_truncate BEFORE TRUNCATE ON {table}"
                " FOR EACH STATEMENT EXECUTE FUNCTION symphony_refuse_truncate();\n"
                for table in tables
            ),
            "".join(
                f"DROP TRIGGER IF EXISTS symphony_guard ON {table};\n"
                f"DROP TRIGGER IF EXISTS symphony_no_truncate ON {table};\n"
                for table in tables
            ),
        )
