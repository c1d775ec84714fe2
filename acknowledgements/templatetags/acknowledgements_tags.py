from django import template

from ..permissions import can_make_signoff_pack
from ..selectors import waiting_for

register = template.Library()

# {% if user|can_make_signoff_pack %}: the menu asks the same rule as the views.
register.filter("can_make_signoff_pack", can_make_signoff_pack)


@register.inclusion_tag("acknowledgements/_home_panel.html", takes_context=True)
def acknowledgements_panel(context):
    """What is waiting for the signed-in person to acknowledge, and their compliance pages. One query."""
    user = context["user"]
    return {
        "user": user,
        "waiting": waiting_for(user),
        "sees_trust": user.is_executive_head or user.is_hr,
        "sees_school": bool(user.headed_school_ids),
    }
