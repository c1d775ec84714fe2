"""Who may do what with policies. The one place that combines facts about a person into a rule."""

from django.core.exceptions import PermissionDenied

from symphony_portal.trust.models import User


def can_draft_policies(user: User) -> bool:
    """HR draft, edit, approve and publish the next version of a policy."""
    return user.is_authenticated and user.is_active and user.is_hr


def check_can_draft_policies(user: User) -> None:
    if not can_draft_policies(user):
        raise PermissionDenied("Only HR can draft and edit policies.")
