"""An acknowledgement is a permanent HR record: exact, one per person and version, never changed."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from acknowledgements.models import Acknowledgement, AppendOnlyError
from acknowledgements.services import NotCurrentVersionError, acknowledge
from policies.models import PolicyVersion
from policies.selectors import fingerprint
from symphony_portal.trust.models import User

from .conftest import acknowledged, publish_successor

pytestmark = pytest.mark.django_db


def test_it_records_who_what_when_as_whom_and_the_fingerprint(head, seed_version):
    record, created = acknowledge(seed_version, by=head)
    assert created
    record = Acknowledgement.objects.get(pk=record.pk)
    assert (record.person, record.version, record.kind) == (head, seed_version, "employee")
    assert record.school == head.school and record.school_name == "Harmony Primary School"
    assert record.role_labels == "Head Teacher / Head of School, Harmony Primary School"
    assert record.statement == "I have read, understood and will comply with this policy."
    assert record.fingerprint == fingerprint(seed_version) and len(record.fingerprint) == 64
    assert record.acknowledged_at is not None


def test_it_records_the_spirit_of_the_policy_for_governors_and_trustees(version, governor, trustee):
    gov, trus = acknowledged(version, governor, trustee)
    assert gov.statement == "I have read this policy and, as a governor, I will comply with its spirit."
    assert trus.statement == "I have read this policy and, as a trustee, I will comply with its spirit."
    assert trus.school is None and trus.school_name == "Central trust team"


def test_it_gives_back_the_existing_record_the_second_time(version, teacher):
    first, created = acknowledge(version, by=teacher)
    second, created_again = acknowledge(version, by=teacher)
    assert created and not created_again and first.pk == second.pk
    assert Acknowledgement.objects.count() == 1


def test_it_returns_the_winner_when_it_loses_the_race_to_the_unique_constraint(version, teacher, monkeypatch):
    (winner,) = acknowledged(version, teacher)
    # The other request checked before the winner committed, so it saw nothing and tries to insert.
    from acknowledgements import services

    real, calls = services.counting_record, []

    def sees_nothing_first(*args, **kwargs):
        calls.append(args)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(services, "counting_record", sees_nothing_first)
    record, created = acknowledge(version, by=teacher)
    monkeypatch.undo()
    assert len(calls) == 2  # it did try to insert, and lost to the constraint
    assert not created and record.pk == winner.pk
    assert Acknowledgement.objects.count() == 1


def test_it_enforces_one_per_person_and_version_in_the_database(version, teacher):
    (record,) = acknowledged(version, teacher)
    duplicate = Acknowledgement(
        person=teacher, version=version, kind="employee", school_name="x", statement="x", fingerprint="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert list(Acknowledgement.objects.values_list("pk", flat=True)) == [record.pk]


def test_it_refuses_every_way_of_changing_or_deleting_a_record(version, teacher):
    (record,) = acknowledged(version, teacher)
    record.statement = "Something else"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        Acknowledgement.objects.filter(pk=record.pk).update(statement="Something else")
    with pytest.raises(AppendOnlyError):
        Acknowledgement.objects.all().delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():  # bulk_update opens no savepoint itself
        Acknowledgement.objects.bulk_update([record], ["statement"])
    stored = Acknowledgement.objects.get(pk=record.pk)
    assert stored.statement == "I have read, understood and will comply with this policy."


def test_it_refuses_to_delete_a_person_who_has_acknowledged(version, teacher, colleague):
    acknowledged(version, teacher)
    with pytest.raises(ProtectedError):
        teacher.delete()
    assert User.objects.filter(pk=teacher.pk).exists() and Acknowledgement.objects.count() == 1
    colleague.delete()  # someone with no record can still be removed
    assert not User.objects.filter(pk=colleague.pk).exists()


def test_it_keeps_the_school_name_of_the_time_when_the_school_is_renamed(version, teacher, harmony):
    (record,) = acknowledged(version, teacher)
    harmony.name = "Harmony Church of England Primary"
    harmony.save()
    assert Acknowledgement.objects.get(pk=record.pk).school_name == "Harmony Primary School"


def test_it_refuses_a_superseded_version_and_keeps_old_records(version, teacher, colleague):
    (old_record,) = acknowledged(version, teacher)
    publish_successor(version)
    version.refresh_from_db()
    with pytest.raises(NotCurrentVersionError):
        acknowledge(version, by=colleague)
    assert not Acknowledgement.objects.filter(person=colleague).exists()
    assert Acknowledgement.objects.get(pk=old_record.pk).version == version


def test_it_refuses_a_draft(teacher):
    from tests.builders import make_version

    draft = make_version(status=PolicyVersion.Status.DRAFT)
    with pytest.raises(NotCurrentVersionError):
        acknowledge(draft, by=teacher)
    assert Acknowledgement.objects.count() == 0
