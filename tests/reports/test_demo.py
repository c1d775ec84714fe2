"""The demo reports load once, between the demo people, and a second run changes nothing."""

import io

import pytest
from django.core.management import call_command

from reports.models import ConcernReport, Evidence, Status

pytestmark = pytest.mark.django_db


def run(name: str) -> str:
    out = io.StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


def test_it_asks_for_the_demo_people_first():
    assert "load the demo people first" in run("load_demo_reports")
    assert not ConcernReport.objects.exists()


def test_it_loads_reports_in_every_state_once():
    run("load_demo_trust")
    run("load_seed_policy")
    assert "loaded" in run("load_demo_reports")
    statuses = set(ConcernReport.objects.values_list("status", flat=True))
    assert statuses == {Status.RECEIVED, Status.UNDER_REVIEW, Status.CLOSED}
    first = ConcernReport.objects.get(
        reporter__email="tom.baker@symphony.example", subject__email="josh.reed@symphony.example"
    )
    assert first.handler.email == "sarah.okafor@symphony.example"
    assert Evidence.objects.count() == 1
    assert ConcernReport.objects.awaiting_acknowledgement().count() == 1
    counts = (ConcernReport.objects.count(), Evidence.objects.count())
    assert "already loaded" in run("load_demo_reports")
    assert (ConcernReport.objects.count(), Evidence.objects.count()) == counts
