"""Who may do what with policies: reading is open to everyone signed in; HR runs the review.

What a person may *see* (drafts only for HR) is in ``PolicyVersionQuerySet.readable_by``, which asks
``can_manage_reviews`` here.
"""

from django.core.exceptions import PermissionDenied

from symphony_portal.trust.permissions import Person, signed_in


def can_manage_reviews(user: Person) -> bool:
    """HR drafts, edits, approves and publishes versions, and is the only one who sees drafts."""
    return signed_in(user) and user.is_hr


def check_can_manage_reviews(user: Person) -> None:
    if not can_manage_reviews(user):
        raise PermissionDenied("Only HR can draft and edit policies.")


def can_follow_reviews(user: Person) -> bool:
    """Where each policy's review stands: HR and the Executive Head Teacher (the whole trust's view)."""
    return signed_in(user) and user.sees_whole_trust


def can_see_exports(user: Person) -> bool:
    """The record of every document that left the portal: HR."""
    return signed_in(user) and user.is_hr


def check_can_see_exports(user: Person) -> None:
    if not can_see_exports(user):
        raise PermissionDenied("Only HR can see the record of exports.")


def can_add_policies(user: Person) -> bool:
    """New policies join the library through HR, who then take the first draft through the review."""
    return signed_in(user) and user.is_hr


def check_can_add_policies(user: Person) -> None:
    if not can_add_policies(user):
        raise PermissionDenied("Only HR can add policies.")


def can_set_audience(user: Person) -> bool:
    """Who must acknowledge a policy, and within how many school days: HR decides."""
    return signed_in(user) and user.is_hr


def check_can_set_audience(user: Person) -> None:
    if not can_set_audience(user):
        raise PermissionDenied("Only HR can decide who must acknowledge a policy.")
