"""A published version is a record of what the trust adopted: no path may change or delete it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from policies.models import Clause, FrozenVersionError, PolicyVersion, Section
from tests.builders import make_version

pytestmark = pytest.mark.django_db

PUBLISHED = PolicyVersion.Status.PUBLISHED
SUPERSEDED = PolicyVersion.Status.SUPERSEDED


@pytest.fixture(params=[PUBLISHED, SUPERSEDED])
def adopted(request):
    return make_version(status=request.param, sections={"Purpose": ["Original wording."]})


def test_it_refuses_to_save_a_changed_version(adopted):
    adopted.label = "tampered"
    with pytest.raises(FrozenVersionError, match="published and cannot be changed"):
        adopted.save()
    assert PolicyVersion.objects.get(pk=adopted.pk).label != "tampered"


def test_it_refuses_to_delete_a_version(adopted):
    with pytest.raises(FrozenVersionError):
        adopted.delete()
    with pytest.raises(FrozenVersionError):
        PolicyVersion.objects.filter(pk=adopted.pk).delete()
    assert PolicyVersion.objects.filter(pk=adopted.pk).exists()


def test_it_refuses_a_bulk_update_of_versions(adopted):
    with pytest.raises(FrozenVersionError):
        PolicyVersion.objects.filter(pk=adopted.pk).update(label="tampered")
    assert PolicyVersion.objects.get(pk=adopted.pk).label != "tampered"


def test_it_refuses_to_change_a_clause(adopted):
    clause = Clause.objects.get(version=adopted)
    clause.text = "Tampered wording."
    with pytest.raises(FrozenVersionError):
        clause.save()
    with pytest.raises(FrozenVersionError):
        Clause.objects.filter(pk=clause.pk).update(text="Tampered wording.")
    assert Clause.objects.get(pk=clause.pk).text == "Original wording."


def test_it_refuses_to_add_or_delete_clauses_and_sections(adopted):
    section = Section.objects.get(version=adopted)
    with pytest.raises(FrozenVersionError):
        Clause.objects.create(version=adopted, section=section, position=2, text="Sneaked in.")
    with pytest.raises(FrozenVersionError):
        Clause.objects.get(version=adopted).delete()
    with pytest.raises(FrozenVersionError):
        Clause.objects.filter(version=adopted).delete()
    with pytest.raises(FrozenVersionError):
        section.delete()
    with pytest.raises(FrozenVersionError):
        Section.objects.filter(version=adopted).update(heading="Tampered")
    assert list(Clause.objects.filter(version=adopted).values_list("text", flat=True)) == [
        "Original wording."
    ]
    assert Section.objects.get(pk=section.pk).heading == "Purpose"


def test_it_refuses_to_move_a_draft_clause_into_a_published_version(adopted):
    draft = make_version(policy=adopted.policy, label="next", status=PolicyVersion.Status.DRAFT)
    clause = Clause.objects.filter(version=draft).first()
    with pytest.raises(FrozenVersionError):
        Clause.objects.filter(pk=clause.pk).update(version=adopted)


def test_it_is_a_validation_error_with_a_clear_message(adopted):
    with pytest.raises(ValidationError) as raised:
        adopted.delete()
    assert "Start a new draft version" in raised.value.messages[0]


def test_it_lets_a_published_version_be_marked_superseded_and_nothing_else():
    version = make_version(status=PUBLISHED)
    successor = make_version(policy=version.policy, label="next", status=PolicyVersion.Status.DRAFT)
    version.status, version.superseded_at, version.superseded_by = SUPERSEDED, timezone.now(), successor
    version.save(update_fields=["status", "superseded_at", "superseded_by"])
    assert PolicyVersion.objects.get(pk=version.pk).status == SUPERSEDED
    successor.status, successor.adopted_title = PUBLISHED, successor.policy.title  # as publishing does
    successor.save()

    version.status = PUBLISHED
    with pytest.raises(FrozenVersionError):
        version.save(update_fields=["status"])


def test_it_lets_a_draft_be_edited_freely():
    draft = make_version(status=PolicyVersion.Status.DRAFT, sections={"Purpose": ["Old."]})
    clause = Clause.objects.get(version=draft)
    clause.text = "New."
    clause.save()
    draft.label = "renamed"
    draft.save()
    assert Clause.objects.get(pk=clause.pk).text == "New."
    Clause.objects.filter(version=draft).delete()
    draft.delete()
    assert not PolicyVersion.objects.filter(pk=draft.pk).exists()


def test_it_keeps_one_published_version_per_policy():
    from django.db import IntegrityError, transaction

    version = make_version(status=PUBLISHED)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_version(policy=version.policy, label="second", status=PUBLISHED)
