"""Database plumbing shared by the apps: transactions that write while another process writes too."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction


@contextmanager
def writing_atomic(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """``transaction.atomic()`` for a transaction that reads and then writes, next to other writers.

    On SQLite such a transaction normally starts reading under a shared lock and, when it first writes
    while another connection (the outbox's worker, say) is committing, is refused at once with "database
    is locked": SQLite cannot let it wait there without a deadlock. Started as ``BEGIN IMMEDIATE``
    (Django's ``transaction_mode`` option, for this transaction only), it takes the write lock first and
    waits for the other writer, up to the busy timeout, like any single write. On PostgreSQL, and inside
    a transaction already open, it is ``transaction.atomic()``.
    """
    connection = connections[using]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with transaction.atomic(using=using):
            yield
        return
    previous = connection.transaction_mode
    connection.transaction_mode = "IMMEDIATE"
    try:
        with transaction.atomic(using=using):
            connection.transaction_mode = previous  # BEGIN IMMEDIATE has run; later ones are as configured
            yield
    finally:
        connection.transaction_mode = previous
