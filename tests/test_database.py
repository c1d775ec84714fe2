import os

from django.db import connection


def test_it_runs_on_the_database_the_environment_names():
    """CI's second leg must really run on PostgreSQL, not fall back to SQLite unnoticed."""
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
