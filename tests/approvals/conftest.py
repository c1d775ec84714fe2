import pytest
from django.test import Client

from tests.builders import make_person


@pytest.fixture
def central_staff(db):
    """Lucy of the central trust team (no school): her requests go to the Executive Head Teacher."""
    return make_person("Lucy Central", job_title="Trust Finance Officer")


@pytest.fixture
def crescendo_teacher(crescendo):
    return make_person("Chris Crescendo", school=crescendo, job_title="Music Teacher")


@pytest.fixture
def client_for():
    """A signed-in test client for one person."""

    def make(person) -> Client:
        client = Client()
        client.force_login(person)
        return client

    return make
