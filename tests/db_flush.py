"""The one escape from the database's refusal to TRUNCATE permanent records: the test suite itself.

pytest-django (Django's TransactionTestCase) empties the test database after each transactional test
with one ``TRUNCATE a, b, c...`` through ``DatabaseOperations.execute_sql_flush``, which runs it in its
own transaction. The triggers of policies migration 0005 refuse TRUNCATE unless the session setting
``symphony.allow_truncate`` is 'on'; this sets it with ``SET LOCAL`` (for that transaction only) around
the flush's statements, and switches it off again straight after them. Nothing outside the test process
is patched: ``manage.py flush`` against a real database is refused, as it should be.
"""


def allow_test_flush_to_truncate() -> None:
    try:
        from django.db.backends.postgresql.operations import DatabaseOperations
    except ImportError:  # no PostgreSQL driver: the suite runs on SQLite, which has no triggers
        return
    original = DatabaseOperations.execute_sql_flush
    if getattr(original, "allows_truncate", False):
        return

    def execute_sql_flush(self, sql_list):
        return original(
            self,
            [
                "SET LOCAL symphony.allow_truncate = 'on'",
                *sql_list,
                "SET LOCAL symphony.allow_truncate = 'off'",
            ],
        )

    execute_sql_flush.allows_truncate = True
    DatabaseOperations.execute_sql_flush = execute_sql_flush
