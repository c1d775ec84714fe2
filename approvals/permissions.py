"""Who may do what with requests, sites and employee groups (what they may *see* is in the QuerySets)."""

from typing import TYPE_CHECKING, TypeGuard

from django.core.exceptions import PermissionDenied

from symphony_portal.trust.models import Kind, User
from symphony_portal.trust.permissions import Person, signed_in

if TYPE_CHECKING:  # the QuerySets in models.py ask the predicates here
    from .models import SiteApprovalRequest


def _staff(user: Person) -> TypeGuard[User]:
    return signed_in(user) and user.kind == Kind.EMPLOYEE


def can_ask_for_approval(user: Person) -> bool:
    """Staff of the trust (not governors or trustees) who are still with it."""
    return _staff(user)


def can_decide_requests(user: Person) -> bool:
    """Heads (and the Executive Head) decide requests and see what is due for re-approval."""
    return _staff(user) and user.is_head_teacher


def check_can_decide_requests(user: Person) -> None:
    if not can_decide_requests(user):
        raise PermissionDenied("The re-approval list is for Head Teachers.")


def can_decide_every_request(user: Person) -> bool:
    """The Executive Head Teacher may decide any school's request (and is sent the central team's)."""
    return _staff(user) and user.is_executive_head


def can_see_every_school(user: Person) -> bool:
    """The Executive Head Teacher and HR see the register and groups of every school."""
    return _staff(user) and user.sees_whole_trust


def can_decide(user: Person, request: "SiteApprovalRequest") -> bool:
    """The Head of the request's school, or the Executive Head Teacher; never the requester."""
    if not _staff(user) or user.pk == request.requester_id:
        return False
    if can_decide_every_request(user):
        return True
    return request.school_id in user.headed_school_ids and not request.for_executive_head


def can_record_link(user: Person, request: "SiteApprovalRequest") -> bool:
    """The requester or a named runner records where the approved site lives."""
    if not _staff(user):
        return False
    return user.pk == request.requester_id or request.runners.filter(pk=user.pk).exists()


def can_download_register(user: Person) -> bool:
    """HR keep the trust's register, so they download it."""
    return _staff(user) and user.is_hr


def can_search_runners(user: Person) -> bool:
    """Whoever may ask for approval may look up the colleagues they can name to run the site."""
    return can_ask_for_approval(user)


def check_can_search_runners(user: Person) -> None:
    if not can_search_runners(user):
        raise PermissionDenied("Only staff of the trust look for colleagues to run a site.")


def can_run_site_for(person: Person, *, requester: User) -> bool:
    """A requester names runners still with the trust from their own school or the central trust team.

    The site belongs to the requester's school, so its Head can hold its runners to account; the central
    team (HR, the Executive Head and their colleagues) can help run any school's site.
    """
    if not _staff(person):
        return False
    return person.school_id is None or person.school_id == requester.school_id
