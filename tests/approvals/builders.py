"""Requests, sites and groups made through the services, as the portal makes them."""

import datetime

from approvals import services
from approvals.models import EmployeeGroup, SiteApprovalRequest
from symphony_portal.trust.models import User

REQUEST_FIELDS = {
    "platform": "facebook",
    "name": "Year 6 Class Page",
    "purpose": "Class news and trip reminders for families.",
    "audience": "Parents of Year 6",
    "moderation_plan": "Comments are held for approval and checked every school day.",
    "shows_pupil_images": False,
    "consent_confirmed": False,
}


def make_site_request(requester: User, *, runners: list[User], **fields) -> SiteApprovalRequest:
    """A request as its requester sends it (waiting for a decision)."""
    return services.submit_request(requester, runners=runners, **{**REQUEST_FIELDS, **fields})


def make_approved_site(
    requester: User, *, runners: list[User], by: User, review_due_on: datetime.date | None = None, **fields
) -> SiteApprovalRequest:
    """A site on the register, approved by ``by``; ``review_due_on`` moves its review date."""
    site = services.decide_request(make_site_request(requester, runners=runners, **fields), "approved", by=by)
    if review_due_on:
        SiteApprovalRequest.objects.filter(pk=site.pk).update(review_due_on=review_due_on)
        site.refresh_from_db()
    return site


def make_group(responsible: User, **fields) -> EmployeeGroup:
    defaults = {
        "platform": "facebook",
        "name": "Staff Wellbeing",
        "link": "https://www.facebook.com/groups/staff-wellbeing",
        "purpose": "Wellbeing events for staff.",
    }
    return services.register_group(responsible, **{**defaults, **fields})


def request_form_data(runners: list[User], **overrides) -> dict:
    """What the request form posts: Yes/No as the radio buttons send it."""
    data = {
        **{k: v for k, v in REQUEST_FIELDS.items() if k not in {"shows_pupil_images", "consent_confirmed"}},
        "runners": [r.pk for r in runners],
        "shows_pupil_images": "no",
        "link": "",
    }
    data.update(overrides)
    return data
