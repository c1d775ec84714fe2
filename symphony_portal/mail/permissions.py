"""Who may see how the portal's email is getting on: the one place that says so."""

from django.core.exceptions import PermissionDenied


def can_see_mail_delivery(user) -> bool:
    """HR sees which emails failed or keep retrying (to whom, the subject, the server's answer) and can
    try them again. Nobody else: addresses and subjects say who is being chased about what."""
    return bool(user.is_authenticated and user.is_active and user.is_hr)


def check_can_see_mail_delivery(user) -> None:
    if not can_see_mail_delivery(user):
        raise PermissionDenied("Only HR can see how the portal's email is getting on.")
