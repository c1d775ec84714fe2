"""Every change to requests, sites and employee groups: one transaction each, its emails queued in it."""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from symphony_portal.lib import emails
from symphony_portal.trust.models import Role, User

from . import permissions
from .models import (
    EmployeeGroup,
    GroupHandover,
    SiteApprovalRequest,
    SiteEvent,
    one_year_after,
    runners_reach,
)

logger = logging.getLogger(__name__)

Status = SiteApprovalRequest.Status

# The fields a requester fills in; the rest belong to the decision.
REQUEST_FIELDS = (
    "platform",
    "name",
    "link",
    "purpose",
    "audience",
    "shows_pupil_images",
    "consent_confirmed",
    "moderation_plan",
)


def _check_runners(runners: list[User], *, requester: User) -> None:
    if len({r.pk for r in runners}) < 2:
        raise ValidationError(
            "Name at least two colleagues who will run the site, so that it survives a leaver."
        )
    if any(not r.is_active for r in runners):
        raise ValidationError("Only colleagues who are still with the trust can run a site.")
    if any(not permissions.can_run_site_for(r, requester=requester) for r in runners):
        raise ValidationError(f"Only colleagues {runners_reach(requester)} can run this site.")


def _check_images(fields: dict) -> None:
    if fields.get("shows_pupil_images") and not fields.get("consent_confirmed"):
        raise ValidationError("Confirm the school's consent arrangements before pupils' images can appear.")


def _record(request: SiteApprovalRequest, kind: str, *, by: User, note: str = "") -> SiteEvent:
    return SiteEvent.objects.create(request=request, kind=kind, by=by, note=note)


def _save_decision(request: SiteApprovalRequest, kind: str, *, by: User, note: str, outcome: str) -> None:
    """Record who decided what and when on the row, on the timeline and in an email to the requester."""
    request.decided_by, request.decided_at, request.decision_note = by, timezone.now(), note
    request._history_user = by
    request.save()
    _record(request, kind, by=by, note=note)
    _email_requester(request, outcome)


def deciders_of(request: SiteApprovalRequest) -> list[User]:
    """Who a request is sent to: the Heads of its school, or the Executive Head Teacher."""
    people = User.objects.active().exclude(pk=request.requester_id)
    if request.for_executive_head:
        people = people.holding(Role.EXECUTIVE_HEAD)
    elif request.school_id is None:
        return []
    else:
        people = people.holding(Role.HEAD_TEACHER, school=request.school)
    return list(people.order_by("full_name"))


def _email_deciders(request: SiteApprovalRequest) -> None:
    recipients = [u.email for u in deciders_of(request)]
    if recipients:
        link = emails.absolute_url(request.get_absolute_url())
        emails.send("site_request_waiting", to=recipients, context={"link": link})


def _email_requester(request: SiteApprovalRequest, outcome: str) -> None:
    # Outcome and link only: what the site is, and the Head's note, stay in the portal.
    to = [request.requester.email]
    context = {"outcome": outcome, "link": emails.absolute_url(request.get_absolute_url())}
    emails.send("site_request_decided", to=to, context=context)


@transaction.atomic
def submit_request(requester: User, *, runners: list[User], **fields) -> SiteApprovalRequest:
    """Ask the Head of one's school (or the Executive Head) to approve a work-related site."""
    if not permissions.can_ask_for_approval(requester):
        raise PermissionDenied("Only staff of the trust ask for approval of a work-related site.")
    _check_runners(runners, requester=requester)
    _check_images(fields)
    heads_own_school = requester.school_id is not None and requester.school_id in requester.headed_school_ids
    request = SiteApprovalRequest(
        requester=requester,
        school_id=requester.school_id,
        for_executive_head=requester.school_id is None or heads_own_school,
        **{name: fields[name] for name in REQUEST_FIELDS if name in fields},
    )
    request._history_user = requester
    request.full_clean()
    request.save()
    request.runners.set(runners)
    _record(request, SiteEvent.Kind.SUBMITTED, by=requester)
    _email_deciders(request)
    return request


@transaction.atomic
def resubmit_request(
    request: SiteApprovalRequest, *, by: User, runners: list[User], **fields
) -> SiteApprovalRequest:
    """Change a request the Head asked changes to, and send it back for a decision."""
    request = SiteApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if by != request.requester:
        raise PermissionDenied("Only the person who asked can change the request.")
    if not request.can_be_changed:
        raise ValidationError("This request can only be changed after the Head asks for changes.")
    _check_runners(runners, requester=request.requester)
    _check_images(fields)
    for name in REQUEST_FIELDS:
        if name in fields:
            setattr(request, name, fields[name])
    request.status = Status.SUBMITTED
    request.submitted_at = timezone.now()
    request._history_user = by
    request.full_clean()
    request.save()
    request.runners.set(runners)
    _record(request, SiteEvent.Kind.RESUBMITTED, by=by)
    _email_deciders(request)
    return request


DECISIONS: dict[str, SiteEvent.Kind] = {
    Status.APPROVED: SiteEvent.Kind.APPROVED,
    Status.DECLINED: SiteEvent.Kind.DECLINED,
    Status.CHANGES_REQUESTED: SiteEvent.Kind.CHANGES_REQUESTED,
}


@transaction.atomic
def decide_request(
    request: SiteApprovalRequest, outcome: str, *, by: User, note: str = ""
) -> SiteApprovalRequest:
    """Approve, decline or ask for changes to a waiting request, and email the requester the outcome."""
    request = SiteApprovalRequest.objects.select_for_update().select_related("requester").get(pk=request.pk)
    if not permissions.can_decide(by, request):
        raise PermissionDenied("Only the Head of the requester's school decides this request.")
    if outcome not in DECISIONS:
        raise ValidationError("Choose approve, decline or ask for changes.")
    if not request.is_waiting:
        raise ValidationError("This request has already been decided.")
    if outcome != Status.APPROVED and not note.strip():
        raise ValidationError("Say why, so that the requester knows what to do next.")
    request.status = outcome
    if outcome == Status.APPROVED:
        request.approved_on = timezone.localdate()
        request.review_due_on = one_year_after(request.approved_on)
    _save_decision(
        request, DECISIONS[outcome], by=by, note=note, outcome=request.get_status_display().lower()
    )
    return request


@transaction.atomic
def reapprove_site(
    request: SiteApprovalRequest, *, by: User, note: str = "", on: datetime.date | None = None
) -> SiteApprovalRequest:
    """Approve a site on the register for another year from today."""
    request = SiteApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if not permissions.can_decide(by, request):
        raise PermissionDenied("Only the Head of the site's school re-approves it.")
    if not request.is_approved:
        raise ValidationError("Only a site on the register can be re-approved.")
    if not request.runners.filter(is_active=True).exists():
        raise ValidationError(
            "Every colleague named to run this site has left: withdraw it, or ask staff to request it again."
        )
    today = on or timezone.localdate()
    request.review_due_on = one_year_after(today)
    _save_decision(request, SiteEvent.Kind.REAPPROVED, by=by, note=note, outcome="re-approved")
    return request


@transaction.atomic
def withdraw_site(request: SiteApprovalRequest, *, by: User, note: str) -> SiteApprovalRequest:
    """Take a site off the register: it may no longer be run as a work-related site."""
    request = SiteApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if not permissions.can_decide(by, request):
        raise PermissionDenied("Only the Head of the site's school withdraws it.")
    if not request.is_approved:
        raise ValidationError("Only a site on the register can be withdrawn.")
    if not note.strip():
        raise ValidationError("Say why the site is withdrawn.")
    request.status = Status.WITHDRAWN
    _save_decision(request, SiteEvent.Kind.WITHDRAWN, by=by, note=note, outcome="withdrawn")
    return request


@transaction.atomic
def record_site_link(request: SiteApprovalRequest, *, by: User, link: str) -> SiteApprovalRequest:
    """Record the web address of an approved site once it exists; a *change* of address waits for the Head.

    The first address is recorded at once (the Head approved a site that did not exist yet). Changing it
    afterwards could point the register at any page, so the new address waits in `proposed_link` and the
    Head is emailed; the register shows the approved address until the Head decides.
    """
    request = SiteApprovalRequest.objects.select_for_update().select_related("requester").get(pk=request.pk)
    if not permissions.can_record_link(by, request):
        raise PermissionDenied("Only the requester or a named runner records the site's address.")
    if not request.is_approved:
        raise ValidationError("Only an approved site's address can be recorded.")
    request._history_user = by
    if not request.link:
        request.link = link
        request.full_clean()
        request.save(update_fields=["link"])
        _record(request, SiteEvent.Kind.LINK_RECORDED, by=by, note=link)
        return request
    if link == request.link:
        raise ValidationError("That is already the site's approved address.")
    request.proposed_link, request.link_proposed_by = link, by
    request.full_clean()
    request.save(update_fields=["proposed_link", "link_proposed_by"])
    _record(request, SiteEvent.Kind.LINK_PROPOSED, by=by, note=link)
    recipients = [u.email for u in deciders_of(request)]
    if recipients:
        url = emails.absolute_url(request.get_absolute_url())
        emails.send("site_address_waiting", to=recipients, context={"link": url})
    return request


@transaction.atomic
def decide_site_link(
    request: SiteApprovalRequest, *, approve: bool, by: User, note: str = ""
) -> SiteApprovalRequest:
    """Approve or decline the new address waiting for an approved site; the register follows only approval."""
    request = SiteApprovalRequest.objects.select_for_update().select_related("requester").get(pk=request.pk)
    if not permissions.can_decide(by, request):
        raise PermissionDenied("Only the Head of the site's school approves its new address.")
    if not request.has_address_waiting:
        raise ValidationError("No new address is waiting for approval on this site.")
    if not approve and not note.strip():
        raise ValidationError("Say why, so that the site's runners know what to do next.")
    proposed = request.proposed_link
    if approve:
        request.link = proposed
    request.proposed_link, request.link_proposed_by = "", None
    request._history_user = by
    request.save(update_fields=["link", "proposed_link", "link_proposed_by"])
    kind = SiteEvent.Kind.LINK_APPROVED if approve else SiteEvent.Kind.LINK_DECLINED
    _record(request, kind, by=by, note=proposed if approve else f"{proposed}: {note}")
    _email_requester(request, "given its new web address" if approve else "kept at its approved web address")
    return request


@transaction.atomic
def register_group(registrant: User, **fields) -> EmployeeGroup:
    """Record an employee group someone created; they are responsible for monitoring it."""
    if not permissions.can_ask_for_approval(registrant):
        raise PermissionDenied("Only staff of the trust register employee groups.")
    group = EmployeeGroup(
        responsible=registrant, school_id=registrant.school_id, registered_by=registrant, **fields
    )
    group._history_user = registrant
    group.full_clean()
    group.save()
    return group


@transaction.atomic
def offer_group(group: EmployeeGroup, *, by: User, to: User) -> GroupHandover:
    """Offer responsibility for a group to a colleague; a previous open offer is replaced."""
    group = EmployeeGroup.objects.select_for_update().get(pk=group.pk)
    if group.responsible_id != by.pk:
        raise PermissionDenied("Only the person responsible for the group can hand it over.")
    if to.pk == by.pk:
        raise ValidationError("Choose a colleague other than yourself.")
    if not permissions.can_ask_for_approval(to):
        raise ValidationError("Responsibility can only go to a member of staff still with the trust.")
    for open_offer in group.handovers.filter(status=GroupHandover.Status.OFFERED):
        open_offer.status, open_offer.answered_at = GroupHandover.Status.CANCELLED, timezone.now()
        open_offer._history_user = by
        open_offer.save()
    handover = GroupHandover(group=group, offered_by=by, offered_to=to)
    handover._history_user = by
    handover.save()
    return handover


@transaction.atomic
def accept_handover(handover: GroupHandover, *, by: User) -> EmployeeGroup:
    """The colleague takes on responsibility for the group: only now does it move to them."""
    handover = GroupHandover.objects.select_for_update().select_related("group").get(pk=handover.pk)
    _check_answerable(handover, by)
    group = handover.group
    if group.responsible_id != handover.offered_by_id:
        raise ValidationError("The person who made this offer is no longer responsible for the group.")
    handover.status, handover.answered_at = GroupHandover.Status.ACCEPTED, timezone.now()
    handover._history_user = by
    handover.save()
    group.responsible, group.school_id = by, by.school_id
    group._history_user = by
    group.save()
    return group


@transaction.atomic
def decline_handover(handover: GroupHandover, *, by: User) -> GroupHandover:
    """The colleague turns the offer down; responsibility stays where it was."""
    handover = GroupHandover.objects.select_for_update().get(pk=handover.pk)
    _check_answerable(handover, by)
    handover.status, handover.answered_at = GroupHandover.Status.DECLINED, timezone.now()
    handover._history_user = by
    handover.save()
    return handover


def _check_answerable(handover: GroupHandover, by: User) -> None:
    if handover.offered_to_id != by.pk:
        raise PermissionDenied("Only the colleague it was offered to can answer this offer.")
    if not handover.is_open:
        raise ValidationError("This offer has already been answered.")
