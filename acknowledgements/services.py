"""Writes of the acknowledgements app: acknowledging a version, and chasing those who have not."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import NamedTuple, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Field, Max, Q
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.html import format_html

from policies.models import PolicyVersion
from policies.selectors import fingerprint
from symphony_portal.lib import emails
from symphony_portal.lib.db import writing_atomic
from symphony_portal.trust.models import Role, School, User

from .models import Acknowledgement, Reminder, statement_for
from .permissions import check_can_send_reminders_to_school, check_can_send_reminders_to_trust
from .selectors import (
    CENTRAL_TEAM,
    acknowledged_condition,
    audiences,
    counting_record,
    is_expected,
    published_versions,
    round_opened_at,
    round_start,
)


class NotCurrentVersionError(ValidationError):
    """Only the live version of a policy can be acknowledged."""

    def __init__(self, version: PolicyVersion):
        super().__init__(
            f"{version} is not the current version of the policy and cannot be acknowledged: "
            "please read and acknowledge the current version.",
            code="not_current",
        )


class NotInAudienceError(ValidationError):
    """Only the people a policy is for acknowledge it (policies.audience)."""

    @staticmethod
    def explain(version: PolicyVersion) -> str:
        return (
            f"The {version.title} is not one you are asked to acknowledge: HR has addressed it to other "
            "people. You can read it; if you think it should apply to you, ask HR."
        )

    def __init__(self, version: PolicyVersion):
        super().__init__(self.explain(version), code="not_in_audience")


@transaction.atomic
def acknowledge(version: PolicyVersion, *, by: User) -> tuple[Acknowledgement, bool]:
    """Record that this person confirmed the version; returns (record, created).

    A second request (double click, two tabs, two requests at once) gets the existing record: the
    unique constraint decides the race, and the losing insert is rolled back to its savepoint. A record
    that already counts for the version (one carried over by a minor change, one of this year's round)
    is returned as it is: nothing is recorded twice. For a policy acknowledged every year the record
    names the round it belongs to.
    """
    version = PolicyVersion.objects.select_related("policy").get(pk=version.pk)
    existing = counting_record(by, version)
    if existing:
        return existing, False
    # Read the status under a shared lock held until commit: a publication in progress is waited for
    # (then this version is superseded and refused), and none can supersede it before this commits.
    if PolicyVersion.objects.status_for_share(version.pk) != PolicyVersion.Status.PUBLISHED:
        raise NotCurrentVersionError(version)
    version = PolicyVersion.objects.select_related("policy").get(pk=version.pk)  # as it is under the lock
    if not is_expected(by, version):
        raise NotInAudienceError(version)
    record = Acknowledgement(
        round_starts_on=round_start(version),
        person=by,
        version=version,
        kind=by.kind,
        school_id=by.school_id,
        school_name=by.school_name,
        role_labels="; ".join(by.role_labels()),
        job_title=by.job_title,
        statement=statement_for(by.kind),
        fingerprint=fingerprint(version),
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raced = counting_record(by, version)
        if raced is None:  # the other insert was of another round (one opened meanwhile): try again once
            raise
        return raced, False
    return record, True


# --- Reminders ---------------------------------------------------------------------------------


class ReminderRecord(NamedTuple):
    """A ``Reminder`` row a run will write, as plain values (tens of thousands a run: no model instances)."""

    recipient: User
    version: PolicyVersion
    about: str
    sent_at: datetime
    school_id: int | None = None
    outstanding_count: int = 0

    @property
    def recipient_id(self) -> int:
        return self.recipient.pk

    @property
    def version_id(self) -> int:
        return self.version.pk

    def day_key(self) -> str:
        """The row's key for its recipient, version, kind and day: a second run that day records nothing."""
        where, day = self.school_id or "-", f"{self.sent_at:%Y-%m-%d}"
        return f"acknowledgement-reminder:{self.version.pk}:{self.about}:{where}:{day}:{self.recipient.pk}"


@dataclass
class PlannedEmail:
    """One email of a run: whom to, from which templates and context, under which outbox key, and the
    records it leaves. Rendered when first asked for (a run queued in parts renders each part in turn)."""

    templates: emails.EmailTemplates | None  # None: counted, never rendered (the preview page)
    to: str
    context: dict
    records: list[ReminderRecord]
    line: str
    key: str  # one per email and day: whatever runs the reminders again that day queues nothing twice
    rendered: EmailMultiAlternatives | None = None

    @property
    def message(self) -> EmailMultiAlternatives | None:
        if self.rendered is None and self.templates is not None:
            self.rendered = self.templates.build(to=[self.to], context=self.context)
        return self.rendered


@dataclass
class ReminderPlan:
    """What one run of the reminders would send: each email with its outbox key, and the records to keep.

    A person's email lists every version waiting for them, so one email may carry several records.
    """

    emails: list[PlannedEmail] = field(default_factory=list)
    people: int = 0
    heads: int = 0
    skipped: int = 0  # outstanding people not reminded now: they had one within the interval

    @property
    def messages(self) -> list[EmailMultiAlternatives | None]:
        return [planned.message for planned in self.emails]

    @property
    def dedupe_keys(self) -> list[str]:
        return [planned.key for planned in self.emails]

    @property
    def records(self) -> list[ReminderRecord]:
        return [record for planned in self.emails for record in planned.records]

    @property
    def lines(self) -> list[str]:
        return [planned.line for planned in self.emails]


def _heads_by_school() -> dict[int | None, list[User]]:
    """Who hears about a school's outstanding people: its Heads; for the central team, the Executive Head."""
    heads: dict[int | None, list[User]] = dict(User.objects.active().heads_by_school())
    executive_heads = list(User.objects.active().holding(Role.EXECUTIVE_HEAD).order_by("full_name"))
    if executive_heads:
        heads[None] = executive_heads
    return heads


def _heads_told(versions: list[PolicyVersion]) -> dict[tuple[int, int, int | None], datetime]:
    """When each Head was last told about each version and school: (version, Head, school). One query."""
    if not versions:
        return {}
    rows = (
        Reminder.objects.filter(version__in=versions, about=Reminder.About.SCHOOL)
        .values("version_id", "recipient_id", "school_id")
        .annotate(last=Max("sent_at"))
        .order_by()
    )
    return {(r["version_id"], r["recipient_id"], r["school_id"]): r["last"] for r in rows}


@dataclass
class Waiting:
    """One outstanding person and the live versions waiting for them, each with its reminders so far."""

    person: User
    versions: list[PolicyVersion] = field(default_factory=list)
    reminders: list[tuple[int, datetime | None]] = field(default_factory=list)  # (how many, the last)


def _waiting(versions: list[PolicyVersion], *, school: School | None) -> list[Waiting]:
    """Everyone outstanding for any live version (``outstanding_with_reminders``'s rule, for all versions
    at once), in name order, with what waits for them and the reminders they had about it (in this
    round, for a policy acknowledged every year). Two queries, whatever the number of people or versions.
    """
    if not versions:
        return []
    by_version = audiences(versions)
    flags, conditions = {}, []
    for version in versions:
        waits = by_version[version.pk].people_q() & ~Q(acknowledged_condition(version))
        conditions.append(waits)
        flags[f"waits_{version.pk}"] = ExpressionWrapper(waits, output_field=BooleanField())
    people = User.objects.active().filter(reduce(or_, conditions))
    sent = Reminder.objects.filter(about=Reminder.About.OWN, recipient__is_active=True)
    if school is not None:
        people, sent = people.filter(school=school), sent.filter(recipient__school=school)
    # Reminders count within the round open today for a policy acknowledged every year (as in
    # outstanding_with_reminders): the count starts again with each round.
    this_round = []
    for version in versions:
        start = round_start(version)
        this_round.append(
            Q(version=version, sent_at__gte=round_opened_at(start)) if start else Q(version=version)
        )
    counts = {
        (row["recipient_id"], row["version_id"]): (row["n"], row["last"])
        for row in sent.filter(reduce(or_, this_round))
        .values("recipient_id", "version_id")
        .annotate(n=Count("pk"), last=Max("sent_at"))
        .order_by()
    }
    waiting = []
    for person in people.annotate(**flags).select_related("school").order_by("full_name", "pk"):
        entry = Waiting(person)
        for version in versions:
            if getattr(person, f"waits_{version.pk}"):
                entry.versions.append(version)
                entry.reminders.append(counts.get((person.pk, version.pk), (0, None)))
        waiting.append(entry)
    return waiting


def reminder_item(version: PolicyVersion) -> dict:
    """A version as a reminder email lists it: its link, and its line in the HTML and in the text.

    The lines are made here, once per version and run, rather than in the templates' loop, once per email
    and version (43,000 times at 30 policies and 5,000 people). The HTML line is escaped as the template
    would escape it; the text is never shown as HTML.
    """
    link = emails.absolute_url("acknowledgements:acknowledge", version.pk)
    return {
        "version": version,
        "name": str(version),  # for the command's list of what it queued
        "link": link,
        "html": format_html('<li><a href="{}">{} {}</a></li>', link, version.title, version.label),
        "text": f"{version.title} {version.label}: {link}",
    }


def plan_reminders(
    *, now: datetime | None = None, school: School | None = None, with_messages: bool = True
) -> ReminderPlan:
    """The reminders due now: THE reminder rule, used by the command (cron) and "Send reminders now".

    One email to each person listing every live version waiting for them, sent when any of those was last
    reminded more than ACKNOWLEDGEMENT_REMINDER_DAYS days ago (or never); people reminded within the
    interval about everything waiting for them are counted in ``skipped``. Each Head (at most as often)
    hears about their people still outstanding after ACKNOWLEDGEMENT_REMINDERS_BEFORE_HEAD reminders about
    a version. ``school`` limits the run to that school's people (and its Heads' notes); None is the whole
    trust, the central team included. ``with_messages=False`` counts without rendering the emails (the
    preview page). Only the audience of each version is outstanding (``outstanding_with_reminders``).

    A constant number of queries, whatever the number of people and policies; each version's link and
    each template are worked out once per run, not once per email.
    """
    now = now or timezone.now()
    every = timedelta(days=settings.ACKNOWLEDGEMENT_REMINDER_DAYS)
    after = settings.ACKNOWLEDGEMENT_REMINDERS_BEFORE_HEAD
    plan = ReminderPlan()
    versions = published_versions()
    waiting = _waiting(versions, school=school)
    # Those past the Heads' threshold, by version and school, in the order the versions are listed.
    overdue: dict[int, dict[int | None, list[User]]] = {version.pk: {} for version in versions}
    reminder = emails.EmailTemplates("acknowledgement_reminder") if with_messages else None
    # One item per version, its lines rendered once and shared by every email that lists it.
    items = {v.pk: reminder_item(v) for v in versions}
    all_on_one_page = emails.absolute_url("acknowledgements:waiting") if with_messages else ""
    for entry in waiting:
        person = entry.person
        due = False
        for version, (sent, last) in zip(entry.versions, entry.reminders, strict=True):
            if sent >= after:
                overdue[version.pk].setdefault(person.school_id, []).append(person)
            due = due or not (last and last > now - every)
        if not due:
            plan.skipped += 1
            continue
        plan.people += 1
        listed = [items[v.pk] for v in entry.versions]
        plan.emails.append(
            PlannedEmail(
                reminder,
                person.email,
                {
                    "person": person,
                    "items": listed,
                    "version": entry.versions[0],
                    "link": all_on_one_page if len(listed) > 1 else listed[0]["link"],
                },
                [ReminderRecord(person, v, Reminder.About.OWN, now) for v in entry.versions],
                f"reminder to {person.email} about {', '.join(items[v.pk]['name'] for v in entry.versions)}",
                f"acknowledgement-reminder:own:{'-'.join(str(v.pk) for v in entry.versions)}:{now:%Y-%m-%d}",
            )
        )
    notes = [(version, overdue[version.pk]) for version in versions if overdue[version.pk]]
    if not notes:
        return plan
    heads = _heads_by_school()
    told = _heads_told([version for version, _ in notes])
    note = emails.EmailTemplates("acknowledgements_outstanding_head") if with_messages else None
    for version, late_by_school in notes:
        for school_id, late in late_by_school.items():
            school_name = late[0].school_name if school_id else CENTRAL_TEAM
            for head in heads.get(school_id, []):
                last_told = told.get((version.pk, head.pk, school_id))
                if last_told and last_told > now - every:
                    continue
                plan.heads += 1
                plan.emails.append(
                    PlannedEmail(
                        note,
                        head.email,
                        {
                            "head": head,
                            "version": version,
                            "school_name": school_name,
                            "people": late,
                            "reminders": after,
                            "link": (
                                emails.absolute_url("acknowledgements:compliance_school", late[0].school.slug)
                                if late[0].school is not None
                                else emails.absolute_url("acknowledgements:compliance_central")
                            ),
                        },
                        [
                            ReminderRecord(
                                head,
                                version,
                                Reminder.About.SCHOOL,
                                now,
                                school_id=school_id,
                                outstanding_count=len(late),
                            )
                        ],
                        f"note to {head.email}: {len(late)} still outstanding at {school_name} "
                        f"about {version}",
                        f"acknowledgement-reminder:{version.pk}:school:{school_id or '-'}:{now:%Y-%m-%d}",
                    )
                )
    return plan


def queue_reminders(
    *,
    now: datetime | None = None,
    school: School | None = None,
    by: User | None = None,
    in_parts: bool = False,
) -> ReminderPlan:
    """Plan the reminders due now and queue them, with their records ("reminder queued"), in one transaction.

    ``by`` is the person pressing "Send reminders now" (None for the command), held to the permission
    to remind ``school`` (None: the whole trust). The live versions are locked
    first: a second run at the same moment (cron on two hosts, two people pressing the button) waits for
    this one, then plans with its records in view and finds nothing due. The outbox delivers the emails
    and retries them while the mail server is away. Where row locks do not exist (SQLite) the day's
    unique keys decide: the outbox's and the reminders' own, so a run racing this one writes nothing twice.

    ``in_parts`` (the command, for the whole trust): the emails are rendered, queued and recorded in
    parts, each committed on its own (the first FIRST_PART emails, then PART at a time), so the
    worker starts sending while the rest are still being written instead of after all of them. Each
    part's emails and records commit together (an email is never queued without its records, nor
    recorded without being queued); each part locks the live versions again, so a run racing this one
    waits for each part and, between parts, finds what is already queued under the day's keys. A run
    that stops half-way leaves its first parts queued and recorded; the next run reminds the rest.
    """
    if by is not None:
        if school is None:
            check_can_send_reminders_to_trust(by)
        else:
            check_can_send_reminders_to_school(by, school)
    if not in_parts:
        with writing_atomic():
            _lock_live_versions()
            plan = plan_reminders(now=now, school=school)
            _queue(plan.emails)
        return plan
    with writing_atomic():
        _lock_live_versions()
        plan = plan_reminders(now=now, school=school)
        _queue(plan.emails[:FIRST_PART])
    for start in range(FIRST_PART, len(plan.emails), PART):
        part = plan.emails[start : start + PART]
        for planned in part:  # rendered before the transaction: it holds the write lock only to write
            planned.message  # noqa: B018
        with writing_atomic():
            _lock_live_versions()
            _queue(part)
    return plan


# A run in parts: a small first part, so the worker has something to send at once, then larger ones
# (each part costs a few statements: the outbox's key check and inserts, the records' insert, a task).
FIRST_PART, PART = 200, 500


def _lock_live_versions() -> None:
    list(
        PolicyVersion.objects.select_for_update().filter(status=PolicyVersion.Status.PUBLISHED).order_by("pk")
    )


def _queue(planned: list[PlannedEmail]) -> None:
    """Put these emails in the outbox and write their records, in the current transaction."""
    if planned:
        messages = [p.message for p in planned]
        if any(message is None for message in messages):  # a preview's plan is counted, never queued
            raise ValueError("Only a plan made with its messages can be queued.")
        emails.send_batch([m for m in messages if m is not None], dedupe_keys=[p.key for p in planned])
        _record_reminders([record for p in planned for record in p.records])


def _record_reminders(records: list[ReminderRecord]) -> None:
    """Write the run's ``Reminder`` rows, skipping any whose day key is already there (a racing run's).

    Plain rows instead of ``bulk_create``: a run for the whole trust records one row per person and
    waiting version (~43,000 at 30 policies and 5,000 people), and building and preparing a model instance
    for each took ~2.5 s, most of the command's time. The values are plain ids and strings and one moment
    for the whole run, converted for the database once; rows are only ever added (Reminder is
    append-only). SQLite takes them in one ``executemany``; PostgreSQL in one statement, each column sent
    as one array (``unnest``): as 43,000 statements in psycopg's pipeline they took 2.1 s.
    """
    if not records:
        return
    meta = Reminder._meta
    names = ["recipient", "version", "about", "school", "outstanding_count", "sent_at", "dedupe_key"]
    fields = [cast(Field, meta.get_field(name)) for name in names]  # all concrete columns
    ops = connection.ops
    columns = ", ".join(ops.quote_name(f.column or f.name) for f in fields)
    table = ops.quote_name(meta.db_table)
    into = f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {table} ({columns})"
    unless_there = ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)
    moments = {}  # each distinct time, as the database takes it (one per run)
    rows = []
    for r in records:
        if r.sent_at not in moments:
            moments[r.sent_at] = meta.get_field("sent_at").get_db_prep_save(r.sent_at, connection)
        rows.append(
            (
                r.recipient.pk,
                r.version.pk,
                r.about,
                r.school_id,
                r.outstanding_count,
                moments[r.sent_at],
                r.day_key(),
            )
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
            cursor.execute(
                f"{into} SELECT * FROM unnest({arrays}) {unless_there}",  # noqa: S608 - our names only
                [list(column) for column in zip(*rows, strict=True)],
            )
        else:
            values = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"{into} VALUES ({values}) {unless_there}", rows)
