from django import template

from ..models import ConcernReport, Status
from ..permissions import can_step_aside, may_list_cases

register = template.Library()


@register.inclusion_tag("reports/_nav_items.html", takes_context=True)
def reports_nav(context):
    """The menu items of reports: "My cases" only for those who handle cases, "Report counts" for HR."""
    user = context["user"]
    return {"user": user, "show_cases": may_list_cases(user), "show_counts": user.is_hr}


@register.inclusion_tag("reports/_home_panel.html", takes_context=True)
def reports_home_panel(context):
    """Cases awaiting this person (received, and not acknowledged within 7 days). Two queries at most."""
    user = context["user"]
    waiting = overdue = 0
    handles = user.is_head_teacher
    if handles:
        cases = ConcernReport.objects.handled_by(user).filter(status=Status.RECEIVED, handler=user)
        waiting = cases.count()
        overdue = cases.awaiting_acknowledgement().count() if waiting else 0
    return {"handles": handles, "waiting": waiting, "overdue": overdue}


@register.filter
def can_be_stepped_aside_by(report, user) -> bool:
    """``{% if report|can_be_stepped_aside_by:user %}``: the same rule as the step-aside page."""
    return can_step_aside(user, report)
