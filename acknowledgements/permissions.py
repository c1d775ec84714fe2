"""Who may see whose acknowledgements: one's own; a Head their school's; HR and the Executive Head all.

What a person may *see* is scoped in ``AcknowledgementQuerySet.visible_to`` and
``selectors.compliance_scope`` by the person's reach (``sees_whole_trust``, ``headed_school_ids``).
"""

from django.core.exceptions import PermissionDenied

from symphony_portal.trust.models import School
from symphony_portal.trust.permissions import Person, signed_in


def can_acknowledge(user: Person) -> bool:
    """Every active person acknowledges the policies."""
    return signed_in(user)


def check_can_acknowledge(user: Person) -> None:
    if not can_acknowledge(user):
        raise PermissionDenied("Only people of the trust who are signed in acknowledge policies.")


def can_see_trust_compliance(user: Person) -> bool:
    """Every school, the central team, the full outstanding list and the register: HR, the Executive Head."""
    return signed_in(user) and user.sees_whole_trust


def check_can_see_trust_compliance(user: Person) -> None:
    if not can_see_trust_compliance(user):
        raise PermissionDenied("Only HR and the Executive Head Teacher see the whole trust's compliance.")


def can_see_school_compliance(user: Person, school: School) -> bool:
    """One school's compliance: its Heads, and whoever sees the whole trust."""
    return can_see_trust_compliance(user) or (signed_in(user) and school.pk in user.headed_school_ids)


def can_see_compliance(user: Person) -> bool:
    """Whether the person has a compliance page at all (the menu's "Compliance")."""
    return can_see_trust_compliance(user) or (signed_in(user) and bool(user.headed_school_ids))


def can_use_signoff_packs(user: Person) -> bool:
    """The signed-off review pack of an adopted version (made from its acknowledgements), to prepare and
    download: HR and the Executive Head Teacher."""
    return signed_in(user) and user.sees_whole_trust


def check_can_use_signoff_packs(user: Person) -> None:
    if not can_use_signoff_packs(user):
        raise PermissionDenied("Only HR and the Executive Head Teacher can make the sign-off pack.")


def can_send_reminders_to_trust(user: Person) -> bool:
    """ "Send reminders now" to everyone outstanding in the trust: HR and the Executive Head."""
    return can_see_trust_compliance(user)


def check_can_send_reminders_to_trust(user: Person) -> None:
    if not can_send_reminders_to_trust(user):
        raise PermissionDenied("Only HR and the Executive Head Teacher can remind the whole trust.")


def can_send_reminders_to_school(user: Person, school: School) -> bool:
    """ "Send reminders now" to one school's outstanding people: its Heads, HR and the Executive Head."""
    return can_see_school_compliance(user, school)


def check_can_send_reminders_to_school(user: Person, school: School) -> None:
    if not can_send_reminders_to_school(user, school):
        raise PermissionDenied("Only the school's Head, HR and the Executive Head can remind its people.")
