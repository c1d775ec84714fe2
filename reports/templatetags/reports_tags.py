from django import template

from ..models import ConcernReport, Status
from ..permissions import can_list_cases, can_see_counts, can_step_aside

register = template.Library()


def _can_list_cases(context) -> bool:
    """The menu and the home panel of one page ask the same predicate: answered once per request."""
    request = context.get("request")
    if request is None:
        return can_list_cases(context["user"])
    if not hasattr(request, "_can_list_cases"):
        request._can_list_cases = can_list_cases(context["user"])
    return request._can_list_cases


@register.inclusion_tag("reports/_nav_items.html", takes_context=True)
def reports_nav(context):
    """The menu items of reports: "My cases" only for those who handle cases, "Report counts" for HR."""
    user = context["user"]
    return {"user": user, "show_cases": _can_list_cases(context), "show_counts": can_see_counts(user)}


@register.inclusion_tag("reports/_home_panel.html", takes_context=True)
def reports_home_panel(context):
    """Cases awaiting this person (received, and not acknowledged within 7 days). Two queries at most.

    Whoever the menu offers "My cases" is told here what awaits them: both ask ``can_list_cases``.
    """
    user = context["user"]
    waiting = overdue = 0
    handles = _can_list_cases(context)
    if handles:
        cases = ConcernReport.objects.handled_by(user).filter(status=Status.RECEIVED, handler=user)
        waiting = cases.count()
        overdue = cases.awaiting_acknowledgement().count() if waiting else 0
    return {"handles": handles, "waiting": waiting, "overdue": overdue}


@register.filter
def can_be_stepped_aside_by(report, user) -> bool:
    """``{% if report|can_be_stepped_aside_by:user %}``: the same rule as the step-aside page."""
    return can_step_aside(user, report)
