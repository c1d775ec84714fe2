"""Who may do what with the trust's directory: the administration, people, roles, accounts.

The roles that read confidential reports (Heads, the Executive Head, the Chair of Trustees) and HR
itself are granted and removed only by a trust administrator (a superuser): otherwise HR could make
themselves a reader of every case. For the same reason nobody sets another person's password, and only
a superuser touches a superuser's account or the admin flags.
"""

from collections.abc import Collection
from typing import TypeGuard

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from .models import GUARDED_ROLES, Kind, User

ROLE_CHANGE_REFUSED = (
    "Role changes for Heads, the Executive Head, the Chair and HR are made by a trust administrator."
)
# The people import shows rows changing such roles as problems, in these words.
ROLE_CHANGE_PROBLEM = (
    "role changes for Heads, the Executive Head, the Chair and HR are made by a trust administrator"
)
FLAGS_REFUSED = (
    "Only a trust administrator can change the superuser or admin access flags, groups or permissions."
)
PASSWORD_REFUSED = (
    "Nobody sets another person's password: send them a password reset email, and they choose their own."  # noqa: S105
)

Person = User | AnonymousUser


def signed_in(user: Person | None) -> TypeGuard[User]:
    """Signed in and still with the trust: no rule says yes to anyone else. Every app's rules start here."""
    return user is not None and bool(user.is_authenticated and user.is_active)


def is_trust_administrator(user: Person) -> bool:
    """A superuser who is still active: the trust's administrator."""
    return signed_in(user) and bool(user.is_superuser)


def can_use_admin(user: Person) -> bool:
    """HR's back office (schools, people, policies): HR and trust administrators."""
    return is_trust_administrator(user) or (signed_in(user) and user.is_hr)


def check_can_use_admin(user: Person) -> None:
    if not can_use_admin(user):
        raise PermissionDenied("Only HR and trust administrators can open the administration.")


def can_import_people(user: Person) -> bool:
    """HR keeps the directory up to date from their CSV export."""
    return signed_in(user) and user.is_hr


def check_can_import_people(user: Person) -> None:
    if not can_import_people(user):
        raise PermissionDenied("Only HR can import people.")


def can_change_roles(user: Person | None) -> bool:
    """Granting or removing a Head's, the Executive Head's, the Chair's or HR's role: trust administrators."""
    return user is not None and is_trust_administrator(user)


def check_can_change_roles(user: Person | None) -> None:
    if not can_change_roles(user):
        raise PermissionDenied(ROLE_CHANGE_REFUSED)


def can_change_admin_flags(user: Person) -> bool:
    """The superuser and admin-access flags, groups and permissions: trust administrators only."""
    return is_trust_administrator(user)


def check_can_change_admin_flags(user: Person) -> None:
    if not can_change_admin_flags(user):
        raise PermissionDenied(FLAGS_REFUSED)


def can_set_password(user: Person, person: User) -> bool:
    """One's own password only (through "change password"); for anyone else, a reset email."""
    return signed_in(user) and user.pk == person.pk


def check_can_set_password(user: Person, person: User) -> None:
    if not can_set_password(user, person):
        raise PermissionDenied(PASSWORD_REFUSED)


def holds_guarded_role(person: Person) -> bool:
    """Holds a role that reads cases, or HR."""
    return isinstance(person, User) and any(person.has_role(role) for role in GUARDED_ROLES)


def can_change_account(user: Person, person: User) -> bool:
    """Editing a person's details in the admin.

    HR edits ordinary people. A superuser's or admin-access account, and the sign-in address of anyone
    holding a role that reads cases or HR's (a changed address receives the password reset), are left to
    trust administrators.
    """
    if is_trust_administrator(user):
        return True
    if not can_use_admin(user):
        return False
    return not (person.is_superuser or person.is_staff)


def can_change_sign_in_address(user: Person, person: User | None) -> bool:
    """Whether the email a person signs in with may be changed (a new one gets their reset link)."""
    if is_trust_administrator(user):
        return True
    if person is None:  # a person being created has no account to take over yet
        return can_use_admin(user)
    return can_change_account(user, person) and not holds_guarded_role(person)


def can_change_active_flag(user: Person, person: User) -> bool:
    """Deactivating (or reactivating) a person.

    HR does it for people who leave; for someone holding a role that reads cases or HR's it is left to a
    trust administrator: deactivating the Executive Head and the Chair would send cases up to HR.
    """
    if is_trust_administrator(user):
        return True
    return can_change_account(user, person) and not holds_guarded_role(person)


def can_delete_person(user: Person) -> bool:
    """Nobody: people who leave are deactivated, so their records stay attributed to them."""
    return False


def can_be_deactivated_by_import(
    person: Person, *, importer: User | None, roles: Collection[str] | None = None
) -> bool:
    """An import never deactivates the person importing, a trust administrator, or anyone holding a role
    that reads cases or HR's (``roles``: the roles they hold, when already read; else read from them)."""
    if not isinstance(person, User) or person.is_superuser:
        return False
    if importer is not None and person.pk == importer.pk:
        return False
    holds = holds_guarded_role(person) if roles is None else any(role in GUARDED_ROLES for role in roles)
    return not holds


def can_keep_tags(user: Person) -> bool:
    """HR keeps the tags that policies can be addressed to ("Works directly with children")."""
    return signed_in(user) and user.is_hr


def check_can_keep_tags(user: Person) -> None:
    if not can_keep_tags(user):
        raise PermissionDenied("Only HR can keep people's tags.")


def must_use_second_factor(person: Person) -> bool:
    """Those who read cases or manage people (a guarded role) and superusers sign in with a second factor."""
    return isinstance(person, User) and (bool(person.is_superuser) or holds_guarded_role(person))


SECOND_FACTOR_RESET_REFUSED = "Only a trust administrator can reset another person's second factor."


def can_reset_second_factor(user: Person, person: User) -> bool:
    """A trust administrator resets someone else's lost second factor; one's own is changed on its page."""
    return is_trust_administrator(user) and user.pk != person.pk


def check_can_reset_second_factor(user: Person, person: User) -> None:
    if not can_reset_second_factor(user, person):
        raise PermissionDenied(SECOND_FACTOR_RESET_REFUSED)


def can_sign_in_with_password(person: Person) -> bool:
    """A password signs this person in: anyone, unless PASSWORD_SIGN_IN_FOR_EMPLOYEES is off, which leaves
    it to governors and trustees (no trust account) and superusers (who repair single sign-on)."""
    if not signed_in(person):
        return False
    return settings.PASSWORD_SIGN_IN_FOR_EMPLOYEES or person.is_superuser or person.kind != Kind.EMPLOYEE
