"""Simultaneous acknowledgements on PostgreSQL: the unique constraint decides, nobody sees an error."""

import threading

import pytest
from django.db import connection, connections

from acknowledgements.models import Acknowledgement
from acknowledgements.services import acknowledge
from tests.builders import make_person

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so requests cannot race there",
    ),
]

THREADS = 30


def race(version, people) -> tuple[list, list]:
    """Each thread acknowledges at the same moment (after a barrier), on its own connection."""
    barrier = threading.Barrier(len(people))
    results, errors = [], []

    def worker(person):
        try:
            barrier.wait(timeout=30)
            results.append(acknowledge(version, by=person))
        except Exception as error:  # noqa: BLE001 - any error at all is what the test looks for
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_it_records_one_acknowledgement_when_the_same_person_sends_thirty_at_once(version, teacher):
    results, errors = race(version, [teacher] * THREADS)
    assert errors == []
    assert len(results) == THREADS
    assert Acknowledgement.objects.filter(person=teacher, version=version).count() == 1
    assert sum(created for _, created in results) == 1
    assert {record.pk for record, _ in results} == {Acknowledgement.objects.get().pk}


def test_it_records_thirty_acknowledgements_from_thirty_people_at_once(version, harmony):
    people = [make_person(f"Person {n}", school=harmony) for n in range(THREADS)]
    results, errors = race(version, people)
    assert errors == []
    assert Acknowledgement.objects.filter(version=version).count() == THREADS
    assert all(created for _, created in results)
