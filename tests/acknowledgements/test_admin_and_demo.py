"""HR can look acknowledgements up in the admin but never add, change or delete them; the demo data."""

import io

import pytest
from django.core.management import call_command

from acknowledgements.models import Acknowledgement, Reminder
from acknowledgements.selectors import outstanding
from policies.models import PolicyVersion
from symphony_portal.trust.models import User

from .conftest import acknowledged

pytestmark = pytest.mark.django_db


def test_it_shows_hr_the_records_read_only_in_the_admin(client, hr, teacher, teacher_record):
    client.force_login(hr)
    base = "/admin/acknowledgements/acknowledgement/"
    listing = client.get(base)
    assert listing.status_code == 200 and "Tess Teacher" in listing.content.decode()
    detail = client.get(f"{base}{teacher_record.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{teacher_record.pk}/change/", {"statement": "changed"}).status_code == 403
    assert client.post(f"{base}{teacher_record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/acknowledgements/reminder/add/").status_code == 403
    assert Acknowledgement.objects.get(pk=teacher_record.pk).statement == teacher_record.statement


def test_it_keeps_staff_out_of_the_admin(client, teacher, teacher_record):
    client.force_login(teacher)
    response = client.get("/admin/acknowledgements/acknowledgement/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.fixture
def teacher_record(version, teacher):
    return acknowledged(version, teacher)[0]


def run(name: str) -> str:
    out = io.StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


def test_it_loads_a_mix_of_acknowledged_and_outstanding_demo_people_once():
    run("load_demo_trust")
    run("load_seed_policy")
    assert "loaded (8 acknowledged" in run("load_demo_acknowledgements")
    version = PolicyVersion.objects.get(policy__slug="social-media-policy")
    waiting = set(outstanding(version).values_list("email", flat=True))
    assert "tom.baker@symphony.example" in waiting and "sarah.okafor@symphony.example" not in waiting
    assert len(waiting) == User.objects.count() - 8
    assert "already loaded" in run("load_demo_acknowledgements")
    assert Acknowledgement.objects.count() == 8 and not Reminder.objects.exists()
