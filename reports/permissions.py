"""Who may open the lists of reports and their counts. The menu, the home panel and the views all ask here.

What a person may *see* of a report is scoped in ``ConcernReportQuerySet`` (``submitted_by``,
``handled_by``), which asks ``can_handle_every_case``; anyone else gets "not found".
"""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from symphony_portal.trust.models import Role
from symphony_portal.trust.permissions import Person, signed_in

if TYPE_CHECKING:
    from .models import ConcernReport


def can_report(user: Person) -> bool:
    """Every employee, governor and trustee may report a colleague's post."""
    return signed_in(user)


def can_handle_every_case(user: Person) -> bool:
    """The Executive Head Teacher may open any case (never one about themselves or made by them)."""
    return signed_in(user) and user.is_executive_head


def can_list_cases(user: Person) -> bool:
    """Whether this person has a list of cases to handle.

    Heads (and the Executive Head Teacher) always do. Routing only ever gives a case to someone else
    when the Chair of Trustees or HR stand in (the Executive Head is the subject), so they have a list
    while they handle one; nobody else is ever routed a case, and asking costs them no query.
    """
    from .models import ConcernReport  # the QuerySets ask this module: imported when first needed

    if signed_in(user):
        if user.is_head_teacher:
            return True
        if user.is_chair_of_trustees or user.is_hr:
            return ConcernReport.objects.handled_by(user).exists()
    return False


def check_can_list_cases(user: Person) -> None:
    if not can_list_cases(user):
        raise PermissionDenied("Only a Head Teacher, or the handler of a case, has a list of cases.")


def can_see_counts(user: Person) -> bool:
    """HR sees the counts of reports (by school, status and outcome), never their content."""
    return signed_in(user) and user.is_hr


def check_can_see_counts(user: Person) -> None:
    if not can_see_counts(user):
        raise PermissionDenied("Only HR can see report counts.")


# The names these predicates had before; kept for callers written against them.
may_list_cases = can_list_cases
may_see_counts = can_see_counts


def can_step_aside(user: Person, report: "ConcernReport") -> bool:
    """The handler of an open case may step aside from it (a conflict of interest), before opening it.

    Only the handler: the Executive Head Teacher, who sees every case, steps aside only from the ones they
    handle. Asks no query.
    """
    return signed_in(user) and report.handler_id == user.pk and not report.is_closed


def check_can_step_aside(user: Person, report: "ConcernReport") -> None:
    """Raise PermissionDenied unless ``user`` may step aside from ``report`` (fetch it scoped first: 404)."""
    if not can_step_aside(user, report):
        raise PermissionDenied("Only the handler of an open case can step aside from it.")


def holds_role_for_step(user: Person, role: str, *, school_id: int | None) -> bool:
    """Whether this person still holds the role a step of the chain gives cases to (routing re-checks it).

    A Head Teacher / Head of School step is held at the case's school only; the trust-wide roles anywhere.
    """
    if not signed_in(user):
        return False
    if role == Role.HEAD_TEACHER:
        return school_id in user.headed_school_ids
    return user.has_role(role)
