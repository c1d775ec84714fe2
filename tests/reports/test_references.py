"""References are unique and in order, even when reports are made at the same moment (PostgreSQL)."""

import threading

import pytest
from django.conf import settings
from django.db import close_old_connections, connection

from reports.models import ConcernReport
from tests.reports.builders import make_report

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: SQLite has one writer at a time anyway")
@pytest.mark.django_db(transaction=True)
def test_it_gives_unique_consecutive_references_to_reports_made_at_once(teacher, colleague, head):
    barrier, errors = threading.Barrier(6), []

    def submit():
        try:
            barrier.wait()
            make_report(teacher, colleague)
        except Exception as error:  # any failure fails the test below, with its cause
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(
        int(ref.rsplit("-", 1)[1]) for ref in ConcernReport.objects.values_list("reference", flat=True)
    )
    assert numbers == [1, 2, 3, 4, 5, 6]
