from django import template

from .. import permissions
from ..selectors import waiting_for

register = template.Library()

register.filter("can_see_compliance", permissions.can_see_compliance)
register.filter("can_use_signoff_packs", permissions.can_use_signoff_packs)


@register.inclusion_tag("acknowledgements/_home_panel.html", takes_context=True)
def acknowledgements_panel(context):
    """What is waiting for the signed-in person to acknowledge, and their compliance pages. One query."""
    user = context["user"]
    return {
        "user": user,
        "waiting": waiting_for(user),
        "sees_trust": permissions.can_see_trust_compliance(user),
        "sees_school": permissions.can_see_compliance(user),
    }
