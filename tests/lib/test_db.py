"""lib.db.writing_atomic: a transaction like atomic(), that on SQLite takes the write lock first."""

import pytest
from django.db import connection

from symphony_portal.lib.db import writing_atomic
from symphony_portal.trust.models import School

pytestmark = pytest.mark.django_db(transaction=True)  # its own transactions, not the test's


def test_it_commits_what_it_wrote():
    with writing_atomic():
        School.objects.create(name="Allegro Academy", slug="allegro")
    assert School.objects.filter(slug="allegro").exists()


def test_it_rolls_back_everything_on_an_error_and_leaves_the_connection_as_configured():
    mode = getattr(connection, "transaction_mode", None)
    with pytest.raises(RuntimeError), writing_atomic():
        School.objects.create(name="Allegro Academy", slug="allegro")
        raise RuntimeError("half-way")
    assert not School.objects.filter(slug="allegro").exists()
    assert getattr(connection, "transaction_mode", None) == mode
    assert not connection.in_atomic_block


def test_it_is_a_savepoint_inside_a_transaction_already_open():
    from django.db import transaction

    with transaction.atomic():
        with pytest.raises(RuntimeError), writing_atomic():
            School.objects.create(name="Allegro Academy", slug="allegro")
            raise RuntimeError("inner")
        School.objects.create(name="Brio School", slug="brio")
    assert list(School.objects.values_list("slug", flat=True)) == ["brio"]
