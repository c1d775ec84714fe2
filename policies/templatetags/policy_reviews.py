from django import template
from django.utils.html import format_html

from symphony_portal.lib.terms import ReviewStatus

from .. import permissions
from ..models import PolicyVersion

register = template.Library()


@register.filter
def review_badge(review: ReviewStatus) -> str:
    """``{{ version.review_status|review_badge }}``: where the review stands, as a badge.

    A filter rather than an included template: home shows one per live policy.
    """
    return format_html('<span class="badge review-badge review-{}">{}</span>', review.state, review.label)


@register.inclusion_tag("policies/_home_reviews.html", takes_context=True)
def review_panel(context) -> dict:
    """Where each policy's review stands, for HR and the Executive Head Teacher; nothing for others.

    Two queries whatever the number of policies: the live versions (none when the page has read them as
    ``live_versions``: home does), then the drafts in progress.
    """
    user = context["user"]
    if not permissions.can_follow_reviews(user):
        return {"show": False}
    versions = context.get("live_versions")
    if versions is None:
        versions = list(PolicyVersion.objects.published().select_related("policy").order_by("policy__title"))
    drafts = {
        d.policy_id: d
        for d in PolicyVersion.objects.filter(status=PolicyVersion.Status.DRAFT).select_related("policy")
    }
    rows = [{"version": v, "review": v.review_status(), "draft": drafts.get(v.policy_id)} for v in versions]
    live = {v.policy_id for v in versions}
    # Policies added to the library and not yet published: only HR, who write them, see these.
    new_drafts = []
    if permissions.can_manage_reviews(user):
        new_drafts = sorted(
            (d for d in drafts.values() if d.policy_id not in live), key=lambda d: d.policy.title
        )
    return {"show": True, "rows": rows, "new_drafts": new_drafts, "user": user}
