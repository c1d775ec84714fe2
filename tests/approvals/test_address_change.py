"""A new address for an approved site goes back to the Head; the register keeps the approved one till then."""

import csv
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from approvals import services
from approvals.models import SiteApprovalRequest, SiteEvent
from tests.approvals.builders import make_approved_site

pytestmark = pytest.mark.django_db

OLD, NEW = "https://www.facebook.com/harmony-y6", "https://evil.example/harmony-y6"


@pytest.fixture
def site(teacher, colleague, head):
    return make_approved_site(teacher, runners=[teacher, colleague], by=head, name="Harmony Y6", link=OLD)


def register_links(client, hr) -> list[str]:
    body = b"".join(client.get("/approvals/register.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    return [value for row in rows for value in row.values() if value.startswith("http")]


def test_it_sends_a_changed_address_to_the_head_and_keeps_the_approved_one_on_the_register(
    client_for, site, colleague, head, hr, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(colleague).post(f"/approvals/requests/{site.pk}/address/", {"link": NEW})
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.link == OLD and site.proposed_link == NEW and site.link_proposed_by == colleague
    assert site.status == SiteApprovalRequest.Status.APPROVED
    assert site.events.last().kind == SiteEvent.Kind.LINK_PROPOSED
    # The fixture's own emails (the approval) are delivered with it: look at the address change's.
    about_address = [m for m in mail.outbox if "address" in m.subject.lower()]
    assert [m.to for m in about_address] == [[head.email]]
    assert NEW not in about_address[0].body  # the address itself stays in the portal

    register = client_for(head).get("/approvals/").content.decode()
    assert OLD in register and NEW not in register
    assert register_links(client_for(hr), hr) == [OLD]

    detail = client_for(head).get(f"/approvals/requests/{site.pk}/").content.decode()
    assert "A new web address" in detail and NEW in detail
    assert f'href="{NEW}"' not in detail  # shown, not linked, until approved


def test_it_puts_the_new_address_on_the_register_once_the_head_approves(
    client_for, site, colleague, head, teacher
):
    services.record_site_link(site, by=colleague, link=NEW)
    response = client_for(head).post(f"/approvals/requests/{site.pk}/address/decide/", {"outcome": "approve"})
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.link == NEW and site.proposed_link == "" and site.link_proposed_by is None
    assert site.events.last().kind == SiteEvent.Kind.LINK_APPROVED and site.events.last().by == head
    assert NEW in client_for(teacher).get("/approvals/").content.decode()


def test_it_keeps_the_approved_address_when_the_head_declines_with_a_reason(
    client_for, site, colleague, head
):
    services.record_site_link(site, by=colleague, link=NEW)
    url = f"/approvals/requests/{site.pk}/address/decide/"
    no_reason = client_for(head).post(url, {"outcome": "decline"})
    assert no_reason.status_code == 200 and "Say why" in no_reason.content.decode()
    client_for(head).post(
        f"/approvals/requests/{site.pk}/address/decide/", {"outcome": "decline", "note": "Not our page."}
    )
    site.refresh_from_db()
    assert site.link == OLD and site.proposed_link == ""
    declined = site.events.last()
    assert declined.kind == SiteEvent.Kind.LINK_DECLINED and "Not our page." in declined.note


def test_it_refuses_the_decision_to_runners_and_other_heads(client_for, site, teacher, colleague, other_head):
    services.record_site_link(site, by=colleague, link=NEW)
    url = f"/approvals/requests/{site.pk}/address/decide/"
    assert client_for(teacher).post(url, {"outcome": "approve"}).status_code == 403
    assert client_for(other_head).post(url, {"outcome": "approve"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.decide_site_link(site, approve=True, by=colleague)
    site.refresh_from_db()
    assert site.link == OLD


def test_it_records_the_first_address_at_once_and_refuses_the_same_address_again(teacher, colleague, head):
    site = make_approved_site(teacher, runners=[teacher, colleague], by=head)
    site = services.record_site_link(site, by=colleague, link=OLD)
    assert site.link == OLD and not site.has_address_waiting
    with pytest.raises(ValidationError):
        services.record_site_link(site, by=colleague, link=OLD)


def test_it_says_so_when_no_new_address_is_waiting(client_for, site, head):
    response = client_for(head).post(
        f"/approvals/requests/{site.pk}/address/decide/", {"outcome": "approve"}, follow=True
    )
    assert "No new address is waiting" in response.content.decode()
    site.refresh_from_db()
    assert site.link == OLD
