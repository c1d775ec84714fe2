"""The compliance generation as home reads it on every request (policies.live keys its library on it)."""

from django.db import connection

from .compliance_cache import current_generation


def committed_generation() -> str | None:
    """``compliance_cache.current_generation`` in one plain SQL statement (the ORM's building of the query
    cost more than the database's answer). None inside a transaction, as there: see compliance_cache for
    why the generation is read before the data it keys and never inside a transaction."""
    if connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT epoch, value FROM acknowledgements_compliancegeneration WHERE id = 1")
        row = cursor.fetchone()
    return f"{row[0]}:{row[1]}" if row is not None else current_generation()
