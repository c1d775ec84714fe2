"""The home page tells each person what waits for them in approvals."""

import datetime

import pytest
from django.utils import timezone

from approvals import services
from tests.approvals.builders import make_approved_site, make_group, make_site_request

pytestmark = pytest.mark.django_db


def test_it_tells_the_head_what_waits_for_a_decision_or_reapproval(
    client_for, teacher, colleague, head, other_head
):
    make_site_request(teacher, runners=[teacher, colleague])
    make_site_request(colleague, runners=[teacher, colleague])
    make_approved_site(
        teacher,
        runners=[teacher, colleague],
        by=head,
        review_due_on=timezone.localdate() + datetime.timedelta(days=3),
    )

    page = client_for(head).get("/").content.decode()
    assert "2 requests for a social media site waiting for your decision" in page
    assert "1 site due for re-approval" in page
    assert "Social media sites and groups" not in client_for(other_head).get("/").content.decode()


def test_it_tells_the_requester_about_changes_asked_for(client_for, teacher, colleague, head):
    site = make_site_request(teacher, runners=[teacher, colleague])
    services.decide_request(site, "changes_requested", by=head, note="Name a third person.")

    assert "1 of your requests needs changes" in client_for(teacher).get("/").content.decode()


def test_it_shows_nothing_to_someone_with_nothing_waiting(client_for, teacher, colleague, governor):
    make_group(teacher)
    for person in (teacher, colleague, governor):
        assert "Social media sites and groups" not in client_for(person).get("/").content.decode()
