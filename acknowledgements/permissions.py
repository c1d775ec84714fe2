"""Who may do what with acknowledgements' records: ``can_*`` predicates and ``check_*`` guards."""

from django.core.exceptions import PermissionDenied

from symphony_portal.trust.models import User


def can_make_signoff_pack(user: User) -> bool:
    """HR and the Executive Head Teacher make, follow and download the signed-off review pack."""
    return user.is_active and (user.is_hr or user.is_executive_head)


def check_can_make_signoff_pack(user: User) -> None:
    if not can_make_signoff_pack(user):
        raise PermissionDenied("Only HR and the Executive Head Teacher can make the sign-off pack.")
