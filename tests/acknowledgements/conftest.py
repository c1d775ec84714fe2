import pytest

from acknowledgements.models import Acknowledgement
from acknowledgements.services import acknowledge
from policies.models import PolicyVersion
from tests.builders import make_successor, make_version


@pytest.fixture
def version(db) -> PolicyVersion:
    """A small published policy version."""
    return make_version(label="2024-2027", sections={"Purpose": ["Be kind online.", "Think before posting."]})


def publish_successor(old: PolicyVersion, label: str = "2027-2030") -> PolicyVersion:
    """What publishing a new version does to the data: the old one superseded, the new one live."""
    return make_successor(old, label=label, sections={"Purpose": ["Be kinder online."]})


def acknowledged(version: PolicyVersion, *people) -> list[Acknowledgement]:
    return [acknowledge(version, by=person)[0] for person in people]
