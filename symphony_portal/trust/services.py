"""Writes to the trust's directory: importing people from HR's CSV, and inviting the new ones.

The file is the truth for the people in it: their name, kind, school, job title and roles become what
the file says (a role missing from their row is taken away). People missing from the file are left
alone unless HR asks for them to be deactivated; nobody is ever deleted.
"""

import logging

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from symphony_portal.lib import emails
from symphony_portal.mail import outbox
from symphony_portal.mail.models import OutgoingEmail

from . import people_import
from .models import PeopleImport, RoleAssignment, User

logger = logging.getLogger(__name__)

# Rows written per INSERT/UPDATE: the number of queries grows with the batches, not with the rows.
BATCH_SIZE = 500


def upload_people_import(text: str, *, filename: str, by: User | None) -> PeopleImport:
    """Keep an uploaded CSV as a pending import: nothing about people changes until it is confirmed."""
    people_import.check_file(text)
    return PeopleImport.objects.create(filename=filename[:255], content=text, uploaded_by=by)


@transaction.atomic
def confirm_people_import(
    pending: PeopleImport, *, deactivate_missing: bool, by: User | None
) -> PeopleImport:
    """Write a pending import in one transaction; a file with any problem changes nothing."""
    pending = PeopleImport.objects.select_for_update().get(pk=pending.pk)
    if not pending.is_pending:
        raise ValidationError("This file has already been imported.")
    # Planned again inside the transaction: the directory may have changed since the preview.
    plan = people_import.plan(pending.content, importer=by)
    if plan.has_problems:
        raise ValidationError(
            f"Nothing was imported: the file has {len(plan.problems)} problem(s) to fix first "
            "(see the list with row numbers)."
        )
    reason = f"People import {pending.pk} ({pending.filename})"[:100]
    created = _create_people(plan, by=by, reason=reason)
    _update_people(plan, by=by, reason=reason)
    _set_roles(plan, created, by=by, reason=reason)
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
    pending.save(
        update_fields=[
            "status",
            "imported_at",
            "deactivate_missing",
            "created_count",
            "updated_count",
            "unchanged_count",
            "deactivated_count",
        ]
    )
    PeopleImport.created_people.through.objects.bulk_create(
        [PeopleImport.created_people.through(peopleimport=pending, user=p) for p in created],
        batch_size=BATCH_SIZE,
    )
    # A task stored in this transaction writes the invitations to the outbox (rendering thousands of
    # emails is not the request's job): a rolled-back import invites nobody, a committed one everyone.
    _invite_later(pending, created)
    return pending


def _create_people(plan: people_import.Plan, *, by: User | None, reason: str) -> list[User]:
    new_people = []
    for row in plan.to_create:
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
        if changed:  # a change of roles alone leaves the person's row as it is
            people.append(person)
            fields |= changed
    if people:
        bulk_update_with_history(
            people, User, sorted(fields), batch_size=BATCH_SIZE, default_user=by, default_change_reason=reason
        )


def _set_roles(plan: people_import.Plan, created: list[User], *, by: User | None, reason: str) -> None:
    """Give the people in the file exactly the roles their row names; others keep theirs."""
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
    # Taking a role away is rare (a Head leaves the post): one deletion each, so that its history
    # records who took it away.
    for assignment in RoleAssignment.objects.filter(pk__in=to_remove):
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


def send_invitations(people: list[User]) -> int:
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
    return emails.send_batch(messages)


@transaction.atomic
def resend_invitations(people_import_record: PeopleImport, *, by: User | None) -> int:
    """Invite again the people this import created who have not chosen a password yet.

    Someone whose invitation is still waiting in the outbox (the mail server is away) is not queued a
    second one: it will arrive.
    """
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
