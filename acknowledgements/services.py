"""Writes of the acknowledgements app: acknowledging a version, and chasing those who have not."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from policies.models import PolicyVersion
from policies.selectors import fingerprint
from symphony_portal.lib import emails
from symphony_portal.trust.models import Role, School, User

from .models import Acknowledgement, Reminder, statement_for
from .permissions import check_can_send_reminders_to_school, check_can_send_reminders_to_trust
from .selectors import (
    CENTRAL_TEAM,
    counting_record,
    is_expected,
    outstanding_with_reminders,
    published_versions,
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


@dataclass
class ReminderPlan:
    """What one run of the reminders would send: each email with its outbox key, and the records to keep.

    A person's email lists every version waiting for them, so one email may carry several records.
    """

    messages: list = field(default_factory=list)
    dedupe_keys: list[str] = field(default_factory=list)
    records: list[Reminder] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    people: int = 0
    heads: int = 0
    skipped: int = 0  # outstanding people not reminded now: they had one within the interval

    def add(self, message, records: list[Reminder], line: str, key: str) -> None:
        """``key``: one per email and day: whatever runs the reminders again that day queues nothing twice."""
        self.messages.append(message)
        self.records.extend(records)
        self.lines.append(line)
        self.dedupe_keys.append(key)


def _day_key(reminder: Reminder) -> str:
    """A reminder row's key for its day; with the recipient added, a second run records nothing new."""
    r = reminder
    return f"acknowledgement-reminder:{r.version_id}:{r.about}:{r.school_id or '-'}:{r.sent_at:%Y-%m-%d}"


def _heads_by_school() -> dict[int | None, list[User]]:
    """Who hears about a school's outstanding people: its Heads; for the central team, the Executive Head."""
    heads: dict[int | None, list[User]] = dict(User.objects.active().heads_by_school())
    executive_heads = list(User.objects.active().holding(Role.EXECUTIVE_HEAD).order_by("full_name"))
    if executive_heads:
        heads[None] = executive_heads
    return heads


def _last_sent(about: str, version: PolicyVersion) -> dict[tuple[int, int | None], datetime]:
    rows = Reminder.objects.filter(version=version, about=about).values_list(
        "recipient_id", "school_id", "sent_at"
    )
    last: dict[tuple[int, int | None], datetime] = {}
    for recipient_id, school_id, sent_at in rows:
        key = (recipient_id, school_id)
        last[key] = max(sent_at, last.get(key, sent_at))
    return last


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
    """
    now = now or timezone.now()
    every = timedelta(days=settings.ACKNOWLEDGEMENT_REMINDER_DAYS)
    after = settings.ACKNOWLEDGEMENT_REMINDERS_BEFORE_HEAD
    plan = ReminderPlan()
    heads = None
    waiting: dict[int, tuple[User, list[PolicyVersion], bool]] = {}
    overdue_notes = []
    for version in published_versions():
        overdue: dict[int | None, list[User]] = {}
        people = outstanding_with_reminders(version).select_related("school").order_by("full_name", "pk")
        if school is not None:
            people = people.filter(school=school)
        for person in people:
            if person.reminders_sent >= after:
                overdue.setdefault(person.school_id, []).append(person)
            due = not (person.last_reminded_at and person.last_reminded_at > now - every)
            _person, versions, any_due = waiting.setdefault(person.pk, (person, [], False))
            versions.append(version)
            waiting[person.pk] = (_person, versions, any_due or due)
        if overdue:
            overdue_notes.append((version, overdue))
    for person, versions, any_due in sorted(waiting.values(), key=lambda w: (w[0].full_name, w[0].pk)):
        if not any_due:
            plan.skipped += 1
            continue
        plan.people += 1
        items = [
            {"version": v, "link": emails.absolute_url("acknowledgements:acknowledge", v.pk)}
            for v in versions
        ]
        plan.add(
            emails.build(
                "acknowledgement_reminder",
                to=[person.email],
                context={
                    "person": person,
                    "items": items,
                    "version": versions[0],
                    "link": emails.absolute_url("acknowledgements:waiting")
                    if len(versions) > 1
                    else items[0]["link"],
                },
            )
            if with_messages
            else None,
            [Reminder(recipient=person, version=v, about=Reminder.About.OWN, sent_at=now) for v in versions],
            f"reminder to {person.email} about {', '.join(str(v) for v in versions)}",
            f"acknowledgement-reminder:own:{'-'.join(str(v.pk) for v in versions)}:{now:%Y-%m-%d}",
        )
    for version, overdue in overdue_notes:
        heads = heads if heads is not None else _heads_by_school()
        told = _last_sent(Reminder.About.SCHOOL, version)
        for school_id, late in overdue.items():
            school_name = late[0].school_name if school_id else CENTRAL_TEAM
            for head in heads.get(school_id, []):
                sent = told.get((head.pk, school_id))
                if sent and sent > now - every:
                    continue
                plan.heads += 1
                plan.add(
                    None
                    if not with_messages
                    else emails.build(
                        "acknowledgements_outstanding_head",
                        to=[head.email],
                        context={
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
                    ),
                    [
                        Reminder(
                            recipient=head,
                            version=version,
                            about=Reminder.About.SCHOOL,
                            school_id=school_id,
                            outstanding_count=len(late),
                            sent_at=now,
                        )
                    ],
                    f"note to {head.email}: {len(late)} still outstanding at {school_name} about {version}",
                    f"acknowledgement-reminder:{version.pk}:school:{school_id or '-'}:{now:%Y-%m-%d}",
                )
    return plan


def queue_reminders(
    *, now: datetime | None = None, school: School | None = None, by: User | None = None
) -> ReminderPlan:
    """Plan the reminders due now and queue them, with their records ("reminder queued"), in one transaction.

    ``by`` is the person pressing "Send reminders now" (None for the command), held to the permission
    to remind ``school`` (None: the whole trust). The live versions are locked
    first: a second run at the same moment (cron on two hosts, two people pressing the button) waits for
    this one, then plans with its records in view and finds nothing due. The outbox delivers the emails
    and retries them while the mail server is away. Where row locks do not exist (SQLite) the day's
    unique keys decide: the outbox's and the reminders' own, so a run racing this one writes nothing twice.
    """
    if by is not None:
        if school is None:
            check_can_send_reminders_to_trust(by)
        else:
            check_can_send_reminders_to_school(by, school)
    with transaction.atomic():
        list(
            PolicyVersion.objects.select_for_update()
            .filter(status=PolicyVersion.Status.PUBLISHED)
            .order_by("pk")
        )
        plan = plan_reminders(now=now, school=school)
        if plan.messages:
            emails.send_batch(plan.messages, dedupe_keys=plan.dedupe_keys)
            for record in plan.records:
                record.dedupe_key = f"{_day_key(record)}:{record.recipient_id}"
            Reminder.objects.bulk_create(plan.records, batch_size=500, ignore_conflicts=True)
    return plan
