from django import template

from approvals import permissions
from approvals.models import GroupHandover, SiteApprovalRequest

register = template.Library()

register.filter("can_ask_for_approval", permissions.can_ask_for_approval)
register.filter("can_decide_requests", permissions.can_decide_requests)


@register.inclusion_tag("approvals/_home_panel.html", takes_context=True)
def approvals_panel(context) -> dict:
    """What waits for this person: decisions, re-approvals, changes to make and groups offered to them."""
    user = context["user"]
    if not permissions.can_ask_for_approval(user):
        return {"show": False}
    requests = SiteApprovalRequest.objects
    waiting = due = unrun = 0
    if permissions.can_decide_requests(user):
        waiting = requests.waiting_for(user).count()
        due = requests.decidable_by(user).due_for_review().count()
        unrun = requests.decidable_by(user).approved().runners_all_left().count()
    changes = requests.filter(requester=user, status=SiteApprovalRequest.Status.CHANGES_REQUESTED).count()
    # Only what the panel says (values, not rows): on home, for everyone on staff, usually no offer at all.
    offers = list(
        GroupHandover.objects.filter(offered_to=user, status=GroupHandover.Status.OFFERED).values(
            "group_id", "group__name", "offered_by__full_name"
        )
    )
    return {
        "show": bool(waiting or due or unrun or changes or offers),
        "waiting": waiting,
        "due": due,
        "unrun": unrun,
        "changes": changes,
        "offers": offers,
    }
