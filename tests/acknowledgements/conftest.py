import pytest
from django.utils import timezone

from acknowledgements.models import Acknowledgement
from acknowledgements.services import acknowledge
from policies.models import PolicyVersion
from tests.builders import make_version


@pytest.fixture
def version(db) -> PolicyVersion:
    """A small published policy version."""
    return make_version(label="2024-2027", sections={"Purpose": ["Be kind online.", "Think before posting."]})


def publish_successor(old: PolicyVersion, label: str = "2027-2030") -> PolicyVersion:
    """What publishing a new version does to the data: the old one superseded, the new one live."""
    old.status, old.superseded_at = PolicyVersion.Status.SUPERSEDED, timezone.now()
    old.save(update_fields=["status", "superseded_at"])
    return make_version(policy=old.policy, label=label, sections={"Purpose": ["Be kinder online."]})


def acknowledged(version: PolicyVersion, *people) -> list[Acknowledgement]:
    return [acknowledge(version, by=person)[0] for person in people]
