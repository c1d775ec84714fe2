"""Approved sites come back to the Head for re-approval; a site whose runners have all left is flagged."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from approvals.models import SiteApprovalRequest, SiteEvent, one_year_after
from symphony_portal.trust.models import User
from tests.approvals.builders import make_approved_site

pytestmark = pytest.mark.django_db

Status = SiteApprovalRequest.Status


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def test_it_lists_sites_due_within_thirty_days_or_overdue_to_their_head(
    client_for, teacher, colleague, head, other_head, crescendo_teacher, exec_head
):
    overdue = make_approved_site(
        teacher, runners=[teacher, colleague], by=head, name="Overdue", review_due_on=days(-3)
    )
    soon = make_approved_site(
        teacher, runners=[teacher, colleague], by=head, name="Soon", review_due_on=days(30)
    )
    make_approved_site(teacher, runners=[teacher, colleague], by=head, name="Later", review_due_on=days(31))
    elsewhere = make_approved_site(
        crescendo_teacher,
        runners=[crescendo_teacher, other_head],
        by=other_head,
        name="Elsewhere",
        review_due_on=days(1),
    )

    page = client_for(head).get("/approvals/due/").content.decode()
    assert page.index("Overdue") < page.index("Soon")  # soonest first
    assert "Later" not in page and "Elsewhere" not in page
    assert set(SiteApprovalRequest.objects.decidable_by(head).due_for_review()) == {overdue, soon}

    everything = client_for(exec_head).get("/approvals/due/").content.decode()
    assert all(name in everything for name in ("Overdue", "Soon", "Elsewhere")) and "Later" not in everything
    assert elsewhere.pk in {
        s.pk for s in SiteApprovalRequest.objects.decidable_by(exec_head).due_for_review()
    }


def test_it_lets_the_head_reapprove_a_site_for_another_year(
    client_for, teacher, colleague, head, django_capture_on_commit_callbacks
):
    site = make_approved_site(teacher, runners=[teacher, colleague], by=head, review_due_on=days(5))
    client = client_for(head)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/approvals/requests/{site.pk}/review/", {"outcome": "reapprove", "note": "Still useful."}
        )

    site.refresh_from_db()
    today = timezone.localdate()
    assert site.status == Status.APPROVED
    assert site.review_due_on == one_year_after(today)
    assert site.events.last().kind == SiteEvent.Kind.REAPPROVED and site.events.last().by == head
    # (the builder's own emails to the Head go out with it: the outbox delivers everything due)
    assert [m.to for m in mail.outbox if "re-approved" in m.subject] == [[teacher.email]]
    assert "Site re-approved until" in client.get(response["Location"]).content.decode()
    assert not SiteApprovalRequest.objects.due_for_review().exists()


def test_it_lets_the_head_withdraw_a_site_with_a_reason(client_for, teacher, colleague, head):
    site = make_approved_site(teacher, runners=[teacher, colleague], by=head, review_due_on=days(-1))

    refused = client_for(head).post(f"/approvals/requests/{site.pk}/review/", {"outcome": "withdraw"})
    assert refused.status_code == 200 and "Say why the site is withdrawn." in refused.content.decode()
    site.refresh_from_db()
    assert site.status == Status.APPROVED

    client_for(head).post(
        f"/approvals/requests/{site.pk}/review/", {"outcome": "withdraw", "note": "No longer used."}
    )
    site.refresh_from_db()
    assert site.status == Status.WITHDRAWN and site.decision_note == "No longer used."
    assert site.events.last().kind == SiteEvent.Kind.WITHDRAWN
    assert not SiteApprovalRequest.objects.on_register_of(head).exists()
    assert "Year 6 Class Page" not in client_for(teacher).get("/approvals/").content.decode()


@pytest.mark.parametrize(("who", "status"), [("teacher", 403), ("hr", 403), ("other_head", 404)])
def test_it_refuses_reapproval_from_anyone_but_the_head(
    client_for, teacher, colleague, head, request, who, status
):
    site = make_approved_site(teacher, runners=[teacher, colleague], by=head, review_due_on=days(2))
    person = request.getfixturevalue(who)

    response = client_for(person).post(f"/approvals/requests/{site.pk}/review/", {"outcome": "reapprove"})

    assert response.status_code == status
    site.refresh_from_db()
    assert site.review_due_on == days(2) and site.events.count() == 2


def test_it_flags_a_site_whose_named_runners_have_all_left(
    client_for, teacher, colleague, other_teacher, head
):
    site = make_approved_site(teacher, runners=[teacher, colleague], by=head, name="Abandoned page")
    still_run = make_approved_site(teacher, runners=[teacher, other_teacher], by=head, name="Kept page")
    User.objects.filter(pk__in=[teacher.pk, colleague.pk]).update(is_active=False)

    assert list(SiteApprovalRequest.objects.runners_all_left()) == [site]
    due_page = client_for(head).get("/approvals/due/").content.decode()
    flagged = due_page[due_page.index("named runners have all left") :]
    assert "Abandoned page" in flagged and "Kept page" not in flagged
    register = client_for(head).get("/approvals/").content.decode()
    row = register[register.index("Abandoned page") :][:400]
    assert "Every named runner has left" in row
    kept_row = register[register.index("Kept page") :][:400]
    assert "Every named runner has left" not in kept_row
    assert (
        "Every colleague named to run this site has left"
        in client_for(head).get(f"/approvals/requests/{site.pk}/").content.decode()
    )
    assert still_run.pk not in {s.pk for s in SiteApprovalRequest.objects.runners_all_left()}


def test_it_refuses_to_reapprove_a_site_nobody_runs_any_more(client_for, teacher, colleague, head):
    site = make_approved_site(teacher, runners=[teacher, colleague], by=head, review_due_on=days(3))
    User.objects.filter(pk__in=[teacher.pk, colleague.pk]).update(is_active=False)
    client = client_for(head)

    response = client.post(f"/approvals/requests/{site.pk}/review/", {"outcome": "reapprove"})

    assert "has left: withdraw it" in client.get(response["Location"]).content.decode()
    site.refresh_from_db()
    assert site.review_due_on == days(3)


def test_it_lets_a_named_runner_record_the_sites_address(client_for, teacher, colleague, other_teacher, head):
    site = make_approved_site(teacher, runners=[teacher, colleague], by=head)

    bad = client_for(colleague).post(
        f"/approvals/requests/{site.pk}/address/", {"link": "javascript:alert(1)"}
    )
    assert bad.status_code == 200 and "Enter a" in bad.content.decode()
    site.refresh_from_db()
    assert site.link == ""

    client_for(colleague).post(f"/approvals/requests/{site.pk}/address/", {"link": "https://example.org/y6"})
    site.refresh_from_db()
    assert site.link == "https://example.org/y6"
    assert site.events.last().kind == SiteEvent.Kind.LINK_RECORDED and site.events.last().by == colleague

    outsider = client_for(other_teacher).post(
        f"/approvals/requests/{site.pk}/address/", {"link": "https://evil.test"}
    )
    assert outsider.status_code == 404
    site.refresh_from_db()
    assert site.link == "https://example.org/y6"
