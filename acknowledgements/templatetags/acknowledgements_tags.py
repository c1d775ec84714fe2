from dataclasses import dataclass

from django import template

from policies.models import PolicyVersion
from symphony_portal.lib.terms import how_long

from .. import permissions
from ..models import Acknowledgement
from ..selectors import in_audience, record_for, waiting_for

register = template.Library()

register.filter("can_see_compliance", permissions.can_see_compliance)
register.filter("can_use_signoff_packs", permissions.can_use_signoff_packs)
register.filter("how_long", how_long)


@register.inclusion_tag("acknowledgements/_home_panel.html", takes_context=True)
def acknowledgements_panel(context):
    """What is waiting for the signed-in person to acknowledge, and their compliance pages. Two queries
    when the page has read the live versions (``live_versions``: home does), three otherwise."""
    user = context["user"]
    return {
        "user": user,
        "waiting": waiting_for(
            user, versions=context.get("live_versions"), by_version=context.get("live_audiences")
        ),
        "sees_trust": permissions.can_see_trust_compliance(user),
        "sees_school": permissions.can_see_compliance(user),
    }


@dataclass(frozen=True)
class AcknowledgementStatus:
    """Where the signed-in person stands with one version: acknowledged (the record), waiting, or neither."""

    record: Acknowledgement | None
    waiting: bool


@register.simple_tag(takes_context=True)
def acknowledgement_status(context, version: PolicyVersion) -> AcknowledgementStatus:
    """For a policy's page: whether this version waits for the person's acknowledgement. One query, and
    one more for a policy of chosen schools or of a tag when nothing counts yet.

    Only the live (published) version can be acknowledged, by the people it is for; a superseded one only
    shows an earlier record. The record shown for the live version is the one that counts (carried over,
    or of this year's round).
    """
    user = context["user"]
    if not permissions.can_acknowledge(user):
        return AcknowledgementStatus(record=None, waiting=False)
    record = record_for(user, version, with_version=False)
    if record is not None and record.version_id == version.pk:
        record.version = version  # the page's own; an earlier (carried-over) one is read if shown
    waiting = record is None and version.is_published and in_audience(user, version)
    return AcknowledgementStatus(record=record, waiting=waiting)
