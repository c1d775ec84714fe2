from django import template
from django.db import connection
from django.db.models import QuerySet

from approvals import permissions
from approvals.models import GroupHandover, SiteApprovalRequest

register = template.Library()


def offers_to(user) -> "QuerySet[GroupHandover]":
    """Groups offered to this person (a person or an ``OuterRef`` to one), not yet taken or declined."""
    return GroupHandover.objects.filter(offered_to=user, status=GroupHandover.Status.OFFERED)


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
    # One statement for what waits for everyone on staff: their requests sent back for changes (a count) and
    # whether any group is offered to them; the offers themselves (rare) are read only when there are some.
    # Plain SQL: the ORM's building of this query (a count subquery and an EXISTS) cost ~0.4 ms, more than
    # the two simple queries it replaces. The table names are the models' own, the values are parameters.
    requests_table = SiteApprovalRequest._meta.db_table
    handovers_table = GroupHandover._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {requests_table} WHERE requester_id = %s AND status = %s), "  # noqa: S608
            f"EXISTS (SELECT 1 FROM {handovers_table} WHERE offered_to_id = %s AND status = %s)",
            [user.pk, SiteApprovalRequest.Status.CHANGES_REQUESTED, user.pk, GroupHandover.Status.OFFERED],
        )
        changes, offered = cursor.fetchone()
    # Only what the panel says (values, not rows).
    offers = (
        list(offers_to(user).values("group_id", "group__name", "offered_by__full_name")) if offered else []
    )
    return {
        "show": bool(waiting or due or unrun or changes or offers),
        "waiting": waiting,
        "due": due,
        "unrun": unrun,
        "changes": changes,
        "offers": offers,
    }
