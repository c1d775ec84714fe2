"""Who may open the lists of reports. Kept apart from the views so the menu's template tag can ask too."""

from django.core.exceptions import PermissionDenied

from symphony_portal.trust.models import User

from .models import ConcernReport


def may_list_cases(user) -> bool:
    """Whether this person has a list of cases to handle.

    Heads (and the Executive Head Teacher) always do. Routing only ever gives a case to someone else
    when the Chair of Trustees or HR stand in (the Executive Head is the subject), so they have a list
    while they handle one; nobody else is ever routed a case, and asking costs them no query.
    """
    if user.is_head_teacher:
        return True
    if user.is_chair_of_trustees or user.is_hr:
        return ConcernReport.objects.handled_by(user).exists()
    return False


def may_see_counts(user) -> bool:
    """HR sees the counts of reports (by school, status and outcome), never their content."""
    return user.is_active and user.is_hr


def can_step_aside(user: User, report: ConcernReport) -> bool:
    """The handler of an open case may step aside from it (a conflict of interest), before opening it.

    Only the handler: the Executive Head Teacher, who sees every case, steps aside only from the ones they
    handle. Asks no query.
    """
    return user.is_authenticated and user.is_active and report.handler_id == user.pk and not report.is_closed


def check_can_step_aside(user: User, report: ConcernReport) -> None:
    """Raise PermissionDenied unless ``user`` may step aside from ``report`` (fetch it scoped first: 404)."""
    if not can_step_aside(user, report):
        raise PermissionDenied("Only the handler of an open case can step aside from it.")
