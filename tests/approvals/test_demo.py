"""`make run` loads demo requests in several states; a second run changes and duplicates nothing."""

import io

import pytest
from django.core.management import CommandError, call_command

from approvals.models import EmployeeGroup, GroupHandover, SiteApprovalRequest, SiteEvent

pytestmark = pytest.mark.django_db


def run(name: str) -> str:
    out = io.StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


def test_it_loads_demo_requests_in_every_state_once():
    run("load_demo_trust")
    assert "loaded 6 requests" in run("load_demo_approvals")

    statuses = set(SiteApprovalRequest.objects.values_list("status", flat=True))
    assert statuses == {"submitted", "changes_requested", "approved", "declined"}
    assert SiteApprovalRequest.objects.due_for_review().count() == 1
    assert SiteApprovalRequest.objects.filter(for_executive_head=True, school=None).count() == 1
    assert GroupHandover.objects.filter(status="offered").count() == 1
    counts = (SiteApprovalRequest.objects.count(), SiteEvent.objects.count(), EmployeeGroup.objects.count())

    assert "already loaded" in run("load_demo_approvals")
    assert (
        SiteApprovalRequest.objects.count(),
        SiteEvent.objects.count(),
        EmployeeGroup.objects.count(),
    ) == counts


def test_it_asks_for_the_demo_people_first():
    with pytest.raises(CommandError, match="load_demo_trust"):
        run("load_demo_approvals")
