"""Writes to the trust's directory: granting and removing roles, importing people from HR's CSV, and
inviting the new ones.

Roles are granted and removed only through ``grant_role`` and ``remove_role``: a trust administrator
acts, the change is recorded (``RoleChange``) and the Executive Head and the Chair of Trustees are told.

The file is the truth for the people in it: their name, kind, school, job title and roles become what
the file says (a role missing from their row is taken away). People missing from the file are left
alone unless HR asks for them to be deactivated; nobody is ever deleted.
"""

import logging
from collections.abc import Callable

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from symphony_portal.lib import emails
from symphony_portal.mail import outbox
from symphony_portal.mail.models import OutgoingEmail

from . import people_import, permissions
from .models import (
    GUARDED_ROLES,
    SCHOOL_ROLES,
    PeopleImport,
    PersonTag,
    Role,
    RoleAssignment,
    RoleChange,
    School,
    SecondFactorReset,
    Tag,
    User,
)

logger = logging.getLogger(__name__)

# Rows written per INSERT/UPDATE: the number of queries grows with the batches, not with the rows.
BATCH_SIZE = 500


def _role_key(role: str, school: School | None) -> tuple[Role, School | None]:
    role = Role(role)  # an unknown role is a ValueError: a bug, not input
    if role in SCHOOL_ROLES and school is None:
        raise ValidationError("A Head Teacher / Head of School needs a school.")
    if role not in SCHOOL_ROLES:
        school = None  # trust-wide roles have no school
    return role, school


@transaction.atomic
def grant_role(person: User, role: str, *, school: School | None = None, by: User) -> RoleAssignment:
    """Give a person a role (at a school, for a Head); recorded, and announced once committed."""
    permissions.check_can_change_roles(by)
    role, school = _role_key(role, school)
    person = User.objects.select_for_update().get(pk=person.pk)  # one change to a person's roles at a time
    if RoleAssignment.objects.held(person, role, school=school).exists():
        raise ValidationError(f"{person} already holds this role.")
    assignment = RoleAssignment(user=person, role=role, school=school)
    assignment._history_user = by
    assignment.full_clean()
    assignment.save()
    _record_role_change(person, role, school, RoleChange.Action.GRANTED, by=by)
    return assignment


@transaction.atomic
def remove_role(person: User, role: str, *, school: School | None = None, by: User) -> None:
    """Take a role away from a person; recorded, and announced once committed."""
    permissions.check_can_change_roles(by)
    role, school = _role_key(role, school)
    person = User.objects.select_for_update().get(pk=person.pk)
    assignment = RoleAssignment.objects.held(person, role, school=school).first()
    if assignment is None:
        raise ValidationError(f"{person} does not hold this role.")
    assignment._history_user = by
    assignment.delete()
    _record_role_change(person, role, school, RoleChange.Action.REMOVED, by=by)


def _record_role_change(person: User, role: Role, school: School | None, action: str, *, by: User) -> None:
    if role not in GUARDED_ROLES:
        return
    change = RoleChange.objects.create(person=person, role=role, school=school, action=action, changed_by=by)
    # Outbox rows in this transaction: a rolled-back change announces nothing, a committed one always.
    announce_role_change(change)


def role_change_recipients(change: RoleChange) -> list[str]:
    """The Executive Head and the Chair of Trustees; the Chair alone when the Executive Head is changed."""
    chairs = User.objects.active().holding(Role.CHAIR_OF_TRUSTEES)
    executive_heads = User.objects.active().holding(Role.EXECUTIVE_HEAD)
    people = chairs if change.concerns_executive_head else chairs | executive_heads
    return sorted(set(people.values_list("email", flat=True)))


def announce_role_change(change: RoleChange) -> None:
    """Email who changed whose role, which, where and when: the trust's check on its administrators."""
    recipients = role_change_recipients(change)
    if not recipients:
        logger.warning("Role change %s: no active Executive Head or Chair of Trustees to tell", change.pk)
        return
    # Plain text only in the context: the message may be kept and sent later.
    when = timezone.localtime(change.changed_at)
    emails.send(
        "role_changed",
        to=recipients,
        context={
            "role": change.get_role_display(),
            "school": change.school.name if change.school else "",
            "action": change.get_action_display(),
            "person": f"{change.person.full_name} ({change.person.email})",
            "changed_by": f"{change.changed_by.full_name} ({change.changed_by.email})",
            "when": f"{when:%d %B %Y, %H:%M}",
            "link": emails.absolute_url("login"),
        },
    )


def upload_people_import(text: str, *, filename: str, by: User | None) -> PeopleImport:
    """Keep an uploaded CSV as a pending import: nothing about people changes until it is confirmed."""
    if by is not None:  # None: the shell's import_people, run by whoever administers the server
        permissions.check_can_import_people(by)
    people_import.check_file(text)
    return PeopleImport.objects.create(filename=filename[:255], content=text, uploaded_by=by)


# Deactivating more than this share of the active people needs the exact count typed in (the command's
# --confirm-deactivate N); the web page always asks for it.
DEACTIVATE_WITHOUT_COUNT_SHARE = 0.10


def check_deactivation(plan: people_import.Plan, *, confirmed_count: int | None) -> None:
    """Refuse a deactivation that is not deliberate: no rows, a wrong count, or too many uncounted.

    `confirmed_count` is the number of people the person confirmed would be deactivated (typed on the
    page, or --confirm-deactivate); it must be exactly the number the file deactivates now. Without it,
    at most 10% of the active people can be deactivated.
    """
    if plan.rows == 0:
        raise ValidationError(
            "Nothing was imported: this file has no rows, so it cannot be the full list of people. "
            "Deactivating everyone missing from it would deactivate the whole trust."
        )
    count = len(plan.missing)
    if confirmed_count is not None and confirmed_count != count:
        raise ValidationError(
            f"Nothing was imported: you confirmed {confirmed_count} but this import would deactivate "
            f"{count} {'person' if count == 1 else 'people'}. Check the list and type that number."
        )
    if confirmed_count is None and count > plan.active_count * DEACTIVATE_WITHOUT_COUNT_SHARE:
        raise ValidationError(
            f"Nothing was imported: this would deactivate {count} of the {plan.active_count} active people "
            f"(more than {DEACTIVATE_WITHOUT_COUNT_SHARE:.0%}). If that is right, confirm the exact number "
            f"(--confirm-deactivate {count})."
        )


# Called with (rows done, rows in the file) as the import goes, and with the record just before the
# import's transaction commits (its last chance to refuse: the task checks its job is still its own).
Progress = Callable[[int, int], None]
BeforeCommit = Callable[[PeopleImport], None]


@transaction.atomic
def confirm_people_import(
    pending: PeopleImport,
    *,
    deactivate_missing: bool,
    by: User | None,
    confirmed_deactivate_count: int | None = None,
    progress: Progress | None = None,
    before_commit: BeforeCommit | None = None,
) -> PeopleImport:
    """Write a pending import in one transaction; a file with any problem changes nothing.

    With `deactivate_missing`, the active people not in the file are deactivated, never the importer,
    administrators or the last active holder of HR, Executive Head Teacher or Chair of Trustees, and
    only as deliberately as check_deactivation asks. The new people's invitations are outbox rows
    written in this same transaction: a rolled-back import invites nobody, a committed one everyone.
    Web requests do not call this: they queue a job (``import_jobs.request_import``) whose task does.
    """
    if by is not None:
        permissions.check_can_import_people(by)
    pending = PeopleImport.objects.select_for_update().get(pk=pending.pk)
    if not pending.is_pending:
        raise ValidationError("This file has already been imported.")
    # Planned again inside the transaction: the directory may have changed since the preview.
    plan = people_import.plan(pending.content, importer=by)
    if plan.has_problems:
        count = len(plan.problems)
        raise ValidationError(
            f"Nothing was imported: the file has {count} problem{pluralize(count)} to fix first "
            "(see the list with row numbers)."
        )
    if deactivate_missing:
        check_deactivation(plan, confirmed_count=confirmed_deactivate_count)
    report = progress or (lambda done, total: None)
    done = len(plan.unchanged)
    report(done, plan.rows)
    reason = f"People import {pending.pk} ({pending.filename})"[:100]
    created = []
    for start in range(0, len(plan.to_create), BATCH_SIZE):
        batch = _create_people(plan.to_create[start : start + BATCH_SIZE], by=by, reason=reason)
        _invite_now(pending, batch)
        created += batch
        done += len(batch)
        report(done, plan.rows)
    _update_people(plan, by=by, reason=reason)
    _set_roles(plan, created, by=by, reason=reason)
    report(plan.rows, plan.rows)
    deactivated = plan.missing if deactivate_missing else []
    for person in deactivated:
        person.is_active = False
    bulk_update_with_history(
        deactivated, User, ["is_active"], batch_size=BATCH_SIZE, default_user=by, default_change_reason=reason
    )

    pending.status = PeopleImport.Status.IMPORTED
    pending.imported_at = timezone.now()
    pending.deactivate_missing = deactivate_missing
    pending.created_count = len(created)
    pending.updated_count = len(plan.to_update)
    pending.unchanged_count = len(plan.unchanged)
    pending.deactivated_count = len(deactivated)
    pending.invitations_sent = sum(1 for p in created if p.is_active and not p.has_usable_password())
    pending.invitation_problem = ""
    pending.save(
        update_fields=[
            "status",
            "imported_at",
            "deactivate_missing",
            "created_count",
            "updated_count",
            "unchanged_count",
            "deactivated_count",
            "invitations_sent",
            "invitation_problem",
        ]
    )
    PeopleImport.created_people.through.objects.bulk_create(
        [PeopleImport.created_people.through(peopleimport=pending, user=p) for p in created],
        batch_size=BATCH_SIZE,
    )
    if before_commit is not None:
        before_commit(pending)
    return pending


def _create_people(rows: list[people_import.PersonRow], *, by: User | None, reason: str) -> list[User]:
    new_people = []
    for row in rows:
        person = User(
            email=row.email,
            full_name=row.full_name,
            kind=row.kind,
            school=row.school,
            job_title=row.job_title,
        )
        # No password travels anywhere: the invitation's link lets them choose one.
        person.set_unusable_password()
        new_people.append(person)
    return bulk_create_with_history(
        new_people, User, batch_size=BATCH_SIZE, default_user=by, default_change_reason=reason
    )


def _update_people(plan: people_import.Plan, *, by: User | None, reason: str) -> None:
    # Only the fields that change anywhere are written: an UPDATE of many rows costs per field.
    people, fields = [], set()
    for update in plan.to_update:
        person, wanted = update.person, update.wanted
        new_values = {
            "full_name": wanted.full_name,
            "kind": wanted.kind,
            "school": wanted.school,
            "job_title": wanted.job_title,
            "is_active": True,
        }
        changed = {name for name, value in new_values.items() if getattr(person, name) != value}
        for name in changed:
            setattr(person, name, new_values[name])
        if "school" in changed:  # moved: a policy of chosen schools gives them its time from today
            person.school_since = timezone.now()
            changed.add("school_since")
        if changed:  # a change of roles alone leaves the person's row as it is
            people.append(person)
            fields |= changed
    if people:
        bulk_update_with_history(
            people, User, sorted(fields), batch_size=BATCH_SIZE, default_user=by, default_change_reason=reason
        )


def _set_roles(plan: people_import.Plan, created: list[User], *, by: User | None, reason: str) -> None:
    """Give the people in the file exactly the roles their row names; others keep theirs.

    The plan refuses rows that would change a guarded role (all of today's roles are), so this writes
    nothing unless a role HR may manage is added one day; the check below keeps it that way.
    """
    to_add, to_remove = [], []
    for person, row in zip(created, plan.to_create, strict=True):
        to_add += [RoleAssignment(user=person, role=role, school_id=school) for role, school in row.roles]
    for update in plan.to_update:
        current = plan.current_roles.get(update.person.pk, {})
        to_add += [
            RoleAssignment(user=update.person, role=role, school_id=school)
            for role, school in update.wanted.roles - current.keys()
        ]
        to_remove += [pk for key, pk in current.items() if key not in update.wanted.roles]
    removing = list(RoleAssignment.objects.filter(pk__in=to_remove))
    if any(a.role in GUARDED_ROLES for a in [*to_add, *removing]):
        raise PermissionDenied(permissions.ROLE_CHANGE_REFUSED)
    # Taking a role away: one deletion each, so that its history records who took it away.
    for assignment in removing:
        assignment._history_user = by
        assignment._change_reason = reason
        assignment.delete()
    bulk_create_with_history(
        to_add, RoleAssignment, batch_size=BATCH_SIZE, default_user=by, default_change_reason=reason
    )


def invitation_link(person: User) -> str:
    """A set-your-password link, the same as a password reset's: valid until used or it expires."""
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    return emails.absolute_url("password_reset_confirm", uid, default_token_generator.make_token(person))


def invite(person: User) -> None:
    """Email one new person the link to choose their password (people added in the admin)."""
    if not person.is_active or person.has_usable_password():
        return
    emails.send(
        "people_invitation",
        to=[person.email],
        context={"person": person, "link": invitation_link(person), "sign_in": emails.absolute_url("login")},
    )


def _invite_later(people_import_record: PeopleImport, people: list[User]) -> int:
    """Record how many are invited and enqueue the task that queues their emails; returns how many."""
    from . import tasks

    invited = [p.pk for p in people if p.is_active and not p.has_usable_password()]
    PeopleImport.objects.filter(pk=people_import_record.pk).update(
        invitations_sent=len(invited), invitation_problem=""
    )
    people_import_record.invitations_sent, people_import_record.invitation_problem = len(invited), ""
    if invited:
        outbox.enqueue(tasks.invite_people, people_import_record.pk, invited)
    return len(invited)


def _invite_now(people_import_record: PeopleImport, people: list[User]) -> int:
    """Write the invitations of an import's new people to the outbox, in the import's transaction.

    Keyed by the import: were the same people ever passed twice, each would still get one invitation.
    """
    invited = [p for p in people if p.is_active and not p.has_usable_password()]
    return send_invitations(invited, dedupe_key=f"people-import-{people_import_record.pk}")


def send_invitations(people: list[User], *, dedupe_key: str | None = None) -> int:
    """Queue for each person still without a password an email with a link to choose one."""
    messages = [
        emails.build(
            "people_invitation",
            to=[person.email],
            context={
                "person": person,
                "link": invitation_link(person),
                "sign_in": emails.absolute_url("login"),
            },
        )
        for person in people
        if person.is_active and not person.has_usable_password()
    ]
    # The outbox adds each address to the key: one key per import is one invitation per person.
    return emails.send_batch(messages, dedupe_keys=[dedupe_key] * len(messages))


@transaction.atomic
def resend_invitations(people_import_record: PeopleImport, *, by: User | None) -> int:
    """Invite again the people this import created who have not chosen a password yet.

    Someone whose invitation is still waiting in the outbox (the mail server is away) is not queued a
    second one: it will arrive.
    """
    if by is not None:
        permissions.check_can_import_people(by)
    logger.info("People import %s: invitations sent again by %s", people_import_record.pk, by)
    waiting = [
        p for p in people_import_record.created_people.filter(is_active=True) if not p.has_usable_password()
    ]
    still_queued = set(
        OutgoingEmail.objects.filter(
            about="people_invitation",
            status__in=[OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.RETRYING],
            to__in=[p.email for p in waiting],
        ).values_list("to", flat=True)
    )
    return _invite_later(people_import_record, [p for p in waiting if p.email not in still_queued])


# --- Tags HR keeps -----------------------------------------------------------------------------------


@transaction.atomic
def create_tag(name: str, *, description: str = "", by: User) -> Tag:
    """A new tag HR can give people and address policies to."""
    permissions.check_can_keep_tags(by)
    name = " ".join(name.split())
    if not name:
        raise ValidationError("A tag needs a name.")
    if Tag.objects.filter(name__iexact=name).exists():
        raise ValidationError(f'There is already a tag called "{name}".')
    base = slugify(name)[:50] or "tag"
    slug, n = base, 1
    while Tag.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    tag = Tag(name=name, slug=slug, description=description)
    tag._history_user = by
    tag.save()
    return tag


@transaction.atomic
def tag_people(tag: Tag, people: list[User], *, by: User) -> list[User]:
    """Give the tag to these people (from now: their time to acknowledge starts today); returns who got it.

    People who already carry it keep their first date. Recorded in the history with who added it.
    """
    permissions.check_can_keep_tags(by)
    Tag.objects.select_for_update().get(pk=tag.pk)  # two HR pages at once: one adds, the other sees it
    carrying = set(PersonTag.objects.filter(tag=tag, person__in=people).values_list("person_id", flat=True))
    new = [person for person in people if person.pk not in carrying]
    now = timezone.now()
    rows = [PersonTag(person=person, tag=tag, added_at=now, added_by=by) for person in new]
    bulk_create_with_history(rows, PersonTag, batch_size=BATCH_SIZE, default_user=by)
    return new


@transaction.atomic
def untag_person(tag: Tag, person: User, *, by: User) -> bool:
    """Take the tag from a person (kept in the history); False when they did not carry it."""
    permissions.check_can_keep_tags(by)
    row = PersonTag.objects.select_for_update().filter(tag=tag, person=person).first()
    if row is None:
        return False
    row._history_user = by
    row.delete()
    return True


@transaction.atomic
def reset_second_factor(person: User, *, by: User) -> SecondFactorReset:
    """Remove a person's authenticators (they set a new one up at their next sign-in), record it, tell them.

    The person is told by email in the same transaction (the outbox), so a reset nobody asked for is
    noticed; their open sessions end, so whoever holds them must sign in again with the new set-up.
    """
    from allauth.mfa.models import Authenticator
    from django.contrib.sessions.models import Session

    permissions.check_can_reset_second_factor(by, person)
    person = User.objects.select_for_update().get(pk=person.pk)
    removed, _ = Authenticator.objects.filter(user_id=person.pk).delete()
    reset = SecondFactorReset.objects.create(person=person, reset_by=by, removed=removed)
    _end_sessions_of(person, Session)
    when = timezone.localtime(reset.reset_at)
    emails.send(
        "second_factor_reset",
        to=[person.email],
        context={
            "name": person.full_name,
            "reset_by": by.full_name,
            "when": f"{when:%d %B %Y, %H:%M}",
            "link": emails.absolute_url("login"),
        },
    )
    return reset


def _end_sessions_of(person: User, session_model) -> None:
    """Delete the database sessions signed in as this person (sessions live in the database)."""
    user_id = str(person.pk)
    stale = [
        s.session_key
        for s in session_model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get("_auth_user_id") == user_id
    ]
    session_model.objects.filter(session_key__in=stale).delete()
