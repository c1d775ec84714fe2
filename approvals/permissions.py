"""Who may do what with requests, sites and employee groups (what they may *see* is in the QuerySets)."""

from symphony_portal.trust.models import Kind, User

from .models import SiteApprovalRequest


def can_ask_for_approval(user: User) -> bool:
    """Staff of the trust (not governors or trustees) who are still with it."""
    return user.is_authenticated and user.is_active and user.kind == Kind.EMPLOYEE


def can_decide(user: User, request: SiteApprovalRequest) -> bool:
    """The Head of the request's school, or the Executive Head Teacher; never the requester."""
    if not can_ask_for_approval(user) or user.pk == request.requester_id:
        return False
    if user.is_executive_head:
        return True
    return request.school_id in user.headed_school_ids and not request.for_executive_head


def can_record_link(user: User, request: SiteApprovalRequest) -> bool:
    """The requester or a named runner records where the approved site lives."""
    if not can_ask_for_approval(user):
        return False
    return user.pk == request.requester_id or request.runners.filter(pk=user.pk).exists()


def can_download_register(user: User) -> bool:
    """HR keep the trust's register, so they download it."""
    return can_ask_for_approval(user) and user.is_hr
