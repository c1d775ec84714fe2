"""Writes to policies: HR drafts the next version, edits it, records its approval and publishes it.

Every function is one transaction and names the person acting (``by``), who is written into the
history of each row it changes. Emails leave only after the transaction commits.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify

from symphony_portal.lib import emails
from symphony_portal.lib.terms import Term
from symphony_portal.mail import outbox
from symphony_portal.trust.models import Kind, Role, User

from . import permissions, tasks
from .audience import Audience
from .importing import ImportedDocument, ImportedSection
from .models import Clause, ExportKind, Policy, PolicyExport, PolicyVersion, ReviewReminder, Section
from .selectors import fingerprint

logger = logging.getLogger(__name__)

UP, DOWN = "up", "down"


class EditConflict(ValidationError):
    """Someone else saved the clause after this person opened it."""

    def __init__(self, clause: Clause):
        self.current = clause
        super().__init__(
            "Someone else saved this clause while you were editing it, so your change was not saved. "
            "Your text is kept below; compare it with the wording saved now, then save again.",
            code="conflict",
        )


def _require_hr(user: User) -> None:
    permissions.check_can_manage_reviews(user)


class NoLongerDraft(ValidationError):
    """The draft someone was changing has been published (or superseded) meanwhile: nothing changed."""

    def __init__(self, version: PolicyVersion):
        who = version.published_by or "another HR person"
        when = "a moment ago"
        if version.published_at and timezone.now() - version.published_at > timedelta(minutes=10):
            when = f"on {timezone.localtime(version.published_at):%-d %B %Y at %H:%M}"
        super().__init__(
            f"This draft was published {when} by {who}, so nothing was changed. "
            "Its text is now frozen: start a new draft to make further changes.",
            code="no_longer_draft",
        )


def _require_draft(version: PolicyVersion) -> None:
    if not version.is_draft:
        raise NoLongerDraft(version)


def _lock_draft(version_id: int) -> PolicyVersion:
    """Lock the version row and re-read it: every change to a draft decides on its state under this lock,
    so a publication (which takes the same lock) happens wholly before or wholly after the change."""
    version = PolicyVersion.objects.select_for_update().get(pk=version_id)
    _require_draft(version)
    return version


def _current(row, what: str):
    """Re-read a row of the locked draft (in place); someone may have removed it a moment ago."""
    try:
        row.refresh_from_db()
    except ObjectDoesNotExist:
        raise ValidationError(
            f"This {what} was removed a moment ago by someone else: nothing was changed."
        ) from None
    return row


def _attribute(obj, by: User | None):
    obj._history_user = by  # django-simple-history records who made the change
    return obj


def _renumber(rows, by: User) -> None:
    """Give rows positions 1, 2, 3... in their current order, saving only those that moved."""
    for position, row in enumerate(rows, start=1):
        if row.position != position:
            row.position = position
            _attribute(row, by).save(update_fields=["position"])


@transaction.atomic
def set_yearly_round(policy: Policy, *, yearly_from: date | None, by: User) -> Policy:
    """Ask for the policy to be acknowledged again every year from ``yearly_from`` (None: once per version).

    Rounds are derived from the date (Policy.round_start): nothing else is written, and the change is in
    the policy's history with who made it.
    """
    _require_hr(by)
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    if yearly_from is not None and (yearly_from.month, yearly_from.day) == (2, 29):
        raise ValidationError("Choose a date other than 29 February: it is not there every year.")
    if policy.yearly_from != yearly_from:
        policy.yearly_from = yearly_from
        _attribute(policy, by).save(update_fields=["yearly_from"])
    return policy


@transaction.atomic
def start_draft(
    version: PolicyVersion, *, label: str, by: User, review_term: Term | None = None
) -> PolicyVersion:
    """Start the next version of a policy as a draft copy of its published version, keeping every key.

    The draft is due for review in `review_term` (the live version's term if none is given).
    """
    _require_hr(by)
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_published:
        raise ValidationError("A draft starts from the published version of a policy.")
    if PolicyVersion.objects.filter(policy=version.policy, status=PolicyVersion.Status.DRAFT).exists():
        raise ValidationError("This policy already has a draft of its next version.")
    if PolicyVersion.objects.filter(policy=version.policy, label=label).exists():
        raise ValidationError(f"This policy already has a version called {label}.")
    draft = _attribute(
        PolicyVersion(
            policy=version.policy,
            label=label,
            review_season=review_term.season if review_term else version.review_season,
            review_year=review_term.year if review_term else version.review_year,
            developed_by=version.developed_by,
            applies_to=version.applies_to,
            continues=version,
        ),
        by,
    )
    draft.save()
    for section in version.sections.order_by("position").prefetch_related("clauses"):
        copy = _attribute(
            Section(version=draft, key=section.key, position=section.position, heading=section.heading), by
        )
        copy.save()
        for clause in sorted(section.clauses.all(), key=lambda c: c.position):
            _attribute(
                Clause(
                    version=draft,
                    section=copy,
                    key=clause.key,
                    position=clause.position,
                    style=clause.style,
                    text=clause.text,
                ),
                by,
            ).save()
    return draft


@transaction.atomic
def edit_clause(
    clause: Clause, *, text: str, style: str, section: Section, revision: int, by: User
) -> Clause:
    """Save a clause's new wording, refusing it if someone saved the clause since ``revision``."""
    _require_hr(by)
    _lock_draft(clause.version_id)
    clause = _current(clause, "clause")
    section = _current(section, "section")
    if section.version_id != clause.version_id:
        raise ValidationError("A clause can only move to a section of its own version.")
    # Compare-and-set: only one of two concurrent saves can move the revision on (both databases).
    if not Clause.objects.filter(pk=clause.pk, revision=revision).update(revision=F("revision") + 1):
        raise EditConflict(Clause.objects.get(pk=clause.pk))
    clause.refresh_from_db()
    old_section = clause.section
    clause.text, clause.style = text, style
    if section.pk != old_section.pk:
        clause.section = section
        clause.position = (section.clauses.aggregate(last=Max("position"))["last"] or 0) + 1
    _attribute(clause, by).save()
    if section.pk != old_section.pk:
        _renumber(old_section.clauses.order_by("position"), by)
    return clause


@transaction.atomic
def add_clause(section: Section, *, text: str, style: str, after: Clause | None, by: User) -> Clause:
    """Add a clause to a draft's section, after ``after`` (or at the start when it is None)."""
    _require_hr(by)
    version = _lock_draft(section.version_id)
    section = _current(section, "section")
    siblings = list(section.clauses.order_by("position"))
    clause = Clause(version=version, section=section, text=text, style=style, position=0)
    if after is not None and after.pk not in {c.pk for c in siblings}:
        raise ValidationError("The clause to add after was moved or removed a moment ago: nothing was added.")
    index = 0 if after is None else next(i for i, c in enumerate(siblings) if c.pk == after.pk) + 1
    siblings.insert(index, clause)
    clause.position = index + 1
    _attribute(clause, by).save()
    _renumber(siblings, by)
    return clause


@transaction.atomic
def remove_clause(clause: Clause, *, by: User) -> None:
    """Remove a clause from a draft and close the gap it leaves."""
    _require_hr(by)
    _lock_draft(clause.version_id)
    clause = _current(clause, "clause")
    section = clause.section
    _attribute(clause, by).delete()
    _renumber(section.clauses.order_by("position"), by)


@transaction.atomic
def move_clause(clause: Clause, *, direction: str, by: User) -> Clause:
    """Move a clause one place up or down; past the end of its section it goes to the next section."""
    _require_hr(by)
    _lock_draft(clause.version_id)
    clause = _current(clause, "clause")
    siblings = list(clause.section.clauses.order_by("position"))
    index = next(i for i, c in enumerate(siblings) if c.pk == clause.pk)
    target = index - 1 if direction == UP else index + 1
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        _renumber(siblings, by)
        clause.refresh_from_db()
        return clause
    sections = list(clause.version.sections.order_by("position"))
    s_index = next(i for i, s in enumerate(sections) if s.pk == clause.section_id)
    s_target = s_index - 1 if direction == UP else s_index + 1
    if not 0 <= s_target < len(sections):
        raise ValidationError(f"This clause is already the {'first' if direction == UP else 'last'} one.")
    old_section, new_section = clause.section, sections[s_target]
    others = list(new_section.clauses.order_by("position"))
    clause.section = new_section
    clause.position = 0
    _attribute(clause, by).save(update_fields=["section", "position"])
    _renumber(others + [clause] if direction == UP else [clause] + others, by)
    _renumber(old_section.clauses.order_by("position"), by)
    clause.refresh_from_db()
    return clause


@transaction.atomic
def add_section(version: PolicyVersion, *, heading: str, by: User) -> Section:
    """Add an empty section at the end of a draft."""
    _require_hr(by)
    version = _lock_draft(version.pk)
    last = version.sections.aggregate(last=Max("position"))["last"] or 0
    section = _attribute(Section(version=version, heading=heading, position=last + 1), by)
    section.save()
    return section


@transaction.atomic
def edit_section(section: Section, *, heading: str, by: User) -> Section:
    """Change a draft section's heading."""
    _require_hr(by)
    _lock_draft(section.version_id)
    section = _current(section, "section")
    section.heading = heading
    _attribute(section, by).save(update_fields=["heading"])
    return section


@transaction.atomic
def remove_section(section: Section, *, by: User) -> int:
    """Remove a section of a draft with its clauses; returns how many clauses went with it."""
    _require_hr(by)
    version = _lock_draft(section.version_id)
    section = _current(section, "section")
    clauses = list(section.clauses.all())
    for clause in clauses:  # one by one, so that each deletion is in the history with who did it
        _attribute(clause, by).delete()
    _attribute(section, by).delete()
    _renumber(version.sections.order_by("position"), by)
    return len(clauses)


@transaction.atomic
def move_section(section: Section, *, direction: str, by: User) -> Section:
    """Move a section of a draft one place up or down."""
    _require_hr(by)
    version = _lock_draft(section.version_id)
    section = _current(section, "section")
    sections = list(version.sections.order_by("position"))
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    target = index - 1 if direction == UP else index + 1
    if not 0 <= target < len(sections):
        raise ValidationError(f"This section is already the {'first' if direction == UP else 'last'} one.")
    sections[index], sections[target] = sections[target], sections[index]
    _renumber(sections, by)
    section.refresh_from_db()
    return section


@transaction.atomic
def edit_version_details(
    version: PolicyVersion,
    *,
    label: str,
    adopted_season: str,
    adopted_year: int | None,
    review_season: str,
    review_year: int,
    applies_to: str,
    developed_by: str,
    by: User,
) -> PolicyVersion:
    """Change a draft's label, adoption and review terms, and who it applies to."""
    _require_hr(by)
    version = _lock_draft(version.pk)
    if PolicyVersion.objects.filter(policy=version.policy, label=label).exclude(pk=version.pk).exists():
        raise ValidationError(f"This policy already has a version called {label}.")
    version.label, version.applies_to, version.developed_by = label, applies_to, developed_by
    version.adopted_season, version.adopted_year = adopted_season, adopted_year
    version.review_season, version.review_year = review_season, review_year
    _attribute(version, by).save()
    return version


@transaction.atomic
def record_approval(
    version: PolicyVersion, *, approved_by_body: str, approved_on: date, minute_reference: str, by: User
) -> PolicyVersion:
    """Record who approved a draft, when, and the minute, for the exact text (and title) it has now.

    Under the version's lock: an approval recorded as the draft is being published waits for it and is
    then refused, rather than writing the stale draft back over the published version.
    """
    _require_hr(by)
    if approved_on > timezone.localdate():
        raise ValidationError("The date of approval cannot be in the future.")
    version = _lock_draft(version.pk)
    version.approved_by_body, version.approved_on = approved_by_body, approved_on
    version.approval_minute_reference = minute_reference
    version.title_in_fingerprint = True  # an approval recorded now covers the title the text is printed under
    version.approved_fingerprint = fingerprint(version)
    version.approval_recorded_by = by
    _attribute(version, by).save()
    return version


@transaction.atomic
def publish(
    version: PolicyVersion, *, by: User, change: str | None = None, reason: str = ""
) -> PolicyVersion:
    """Freeze an approved draft as the live version, supersede the previous one, and email everyone.

    Locks the policy, then its versions, and decides on their state as it is under the locks: a second
    publication, an approval or an edit racing this one waits, then finds the draft published and
    changes nothing. The approval's fingerprint must be of the text (and title) being published.

    ``change`` is HR's judgement of a new version, with its ``reason`` (required): a material change
    asks everyone to acknowledge again; a minor one carries the acknowledgements of the previous version
    (and of the run of minor changes before it) over, without copying a record. A policy's first
    publication has no choice. A caller that does not choose gets the safe one: material.
    """
    _require_hr(by)
    reason = " ".join(reason.split())
    if change is not None and change not in (PolicyVersion.Change.MATERIAL, PolicyVersion.Change.MINOR):
        raise ValidationError("Choose whether the change is material or minor.")
    if change is not None and not reason:
        raise ValidationError("Say why the change is material or minor: the reason is kept with the version.")
    policy = Policy.objects.select_for_update().get(pk=version.policy_id)
    versions = {v.pk: v for v in PolicyVersion.objects.select_for_update().filter(policy=policy)}
    version = versions[version.pk]
    version.policy = policy  # the title as locked: the one stored and fingerprinted
    _require_draft(version)
    if not version.has_approval:
        raise ValidationError("Record the approval (who approved it, when, the minute) before publishing.")
    if version.approved_fingerprint != fingerprint(version):
        raise ValidationError(
            "The text (or the policy's title) was changed after its approval was recorded. "
            "Record the approval of this text again."
        )
    if not version.clauses.exists():
        raise ValidationError("A version without clauses cannot be published.")
    now = timezone.now()
    previous = next((v for v in versions.values() if v.is_published), None)
    if previous is not None:
        previous.status, previous.superseded_at = PolicyVersion.Status.SUPERSEDED, now
        previous.superseded_by = version
        _attribute(previous, by).save(update_fields=["status", "superseded_at", "superseded_by"])
    version.status, version.published_at, version.published_by = PolicyVersion.Status.PUBLISHED, now, by
    version.adopted_title = policy.title
    if previous is None:
        version.change, version.change_reason, version.carries_over_from = (
            PolicyVersion.Change.FIRST,
            "",
            None,
        )
    else:
        version.change, version.change_reason = change or PolicyVersion.Change.MATERIAL, reason
        minor = version.change == PolicyVersion.Change.MINOR
        version.carries_over_from_id = previous.acknowledgement_base_id if minor else None
    _attribute(version, by).save()
    # A task stored in this transaction writes everyone's email to the outbox (rendering thousands of
    # emails is not the request's job): a rolled-back publication emails nobody, a committed one everyone.
    outbox.enqueue(tasks.notify_new_version, version.pk, previous.pk if previous else None)
    return version


def email_new_version(version: PolicyVersion, *, previous: PolicyVersion | None) -> int:
    """Queue one email to every active person of the policy's audience that a new version awaits them.

    Keyed on the version: whatever calls this twice, each person is told once.
    """
    policy_url = emails.absolute_url(version.policy.get_absolute_url())
    changes_url = emails.absolute_url(version.changes_since_url(previous)) if previous else ""
    messages = [
        emails.build(
            "policy_published",
            to=[person.email],
            context={
                "person": person,
                "version": version,
                "policy_url": policy_url,
                "changes_url": changes_url,
            },
        )
        for person in User.objects.active().filter(Audience.of(version.policy).people_q()).order_by("pk")
    ]
    queued = emails.send_batch(messages, dedupe_keys=[f"policy-published:{version.pk}"] * len(messages))
    logger.info("Queued %s emails that %s was published.", queued, version)
    return queued


# Review reminders -------------------------------------------------------------------------------------

REMINDER_DAYS_BEFORE = (
    (90, ReviewReminder.Kind.DAYS_90),
    (30, ReviewReminder.Kind.DAYS_30),
    (7, ReviewReminder.Kind.DAYS_7),
)
OVERDUE_EVERY_DAYS = 14


def scheduled_reminder(term: Term, today: date) -> tuple[str, date] | None:
    """The latest reminder the schedule has set for a review term by ``today``: (kind, its day), or None.

    90, 30 and 7 days before the term starts, then every 14 days from the first overdue day. A reminder
    stays the latest one until the next is due, so a run missed (or a mail outage) sends it late rather
    than never; the ReviewReminder log makes sure it is sent once.
    """
    first_overdue_day = term.ends_on + timedelta(days=1)
    if today >= first_overdue_day:
        periods = (today - first_overdue_day).days // OVERDUE_EVERY_DAYS
        return ReviewReminder.Kind.OVERDUE, first_overdue_day + timedelta(days=periods * OVERDUE_EVERY_DAYS)
    latest = None
    for days, kind in REMINDER_DAYS_BEFORE:
        if today >= term.starts_on - timedelta(days=days):
            latest = kind, term.starts_on - timedelta(days=days)
    return latest


class ReminderDeliveryError(Exception):
    """A reminder that cannot be queued (nobody holds the HR role); those queued before it stand."""

    def __init__(self, run: "ReminderRun", error: Exception):
        self.run, self.error = run, error
        super().__init__(str(error))


@dataclass
class ReminderRun:
    sent: list = field(default_factory=list)  # ReviewReminder rows recorded (or, in a dry run, unsaved)
    already_sent: int = 0
    not_due: int = 0
    recipients: list = field(default_factory=list)

    def summary(self, *, dry_run: bool) -> str:
        verb = "would queue" if dry_run else "queued"
        return (
            f"Review reminders: {verb} {len(self.sent)} to {len(self.recipients)} HR people; "
            f"{self.already_sent} already queued before; {self.not_due} policies with no reminder due."
        )


def send_review_reminders(*, today: date, dry_run: bool = False) -> ReminderRun:
    """Queue for HR each review reminder the schedule sets for ``today`` that has not been queued yet.

    One transaction per reminder: its record ("queued") and its outbox rows are written together, with
    the version locked, so two runs at once (two hosts' cron) queue it once; the second finds it
    recorded. The outbox delivers it, retrying while the mail server is away.
    """
    run = ReminderRun()
    run.recipients = list(User.objects.active().holding(Role.HR).order_by("pk"))
    versions = list(PolicyVersion.objects.published().select_related("policy").order_by("policy__title"))
    drafts = {
        d.policy_id: d
        for d in PolicyVersion.objects.filter(
            status=PolicyVersion.Status.DRAFT, policy__in={v.policy_id for v in versions}
        )
    }
    for version in versions:
        due = scheduled_reminder(version.review_term, today)
        if due is None:
            run.not_due += 1
            continue
        kind, due_on = due
        with transaction.atomic():
            if not dry_run:
                # Two runs at once: the second waits here, then finds the first one's record.
                PolicyVersion.objects.select_for_update().filter(pk=version.pk).first()
            if ReviewReminder.objects.filter(version=version, kind=kind, due_on=due_on).exists():
                run.already_sent += 1
                continue
            reminder = ReviewReminder(
                version=version,
                kind=kind,
                due_on=due_on,
                sent_on=today,
                recipients="\n".join(person.email for person in run.recipients),
            )
            if not dry_run:
                if not run.recipients:
                    raise ReminderDeliveryError(run, ValueError("no active person holds the HR role"))
                reminder.save()
                context = {
                    "version": version,
                    "review": version.review_status(today),
                    "reminder": reminder,
                    "draft": drafts.get(version.policy_id),
                    "policy_url": emails.absolute_url(version.policy.get_absolute_url()),
                }
                messages = [
                    emails.build("review_reminder", to=[p.email], context={**context, "person": p})
                    for p in run.recipients
                ]
                key = f"review-reminder:{version.pk}:{kind}:{due_on.isoformat()}"
                emails.send_batch(messages, dedupe_keys=[key] * len(messages))
        run.sent.append(reminder)
    return run


# --- Exports ---------------------------------------------------------------------------------------------


@transaction.atomic
def record_export(
    version: PolicyVersion, *, kind: str, content: bytes, filename: str, signed: bool = False, by: User | None
) -> PolicyExport:
    """Record that a document of ``version`` left the portal, with the SHA-256 of its exact bytes."""
    return PolicyExport.objects.create(
        version=version,
        kind=ExportKind(kind),
        exported_by=by,
        filename=filename,
        size=len(content),
        file_sha256=hashlib.sha256(content).hexdigest(),
        signed=signed,
    )


# --- New policies ---------------------------------------------------------------------------------------

RESERVED_SLUGS = {"new"}
LABEL_MAX_CHARS = 40  # PolicyVersion.label  # policies/new/ is the page that adds a policy


def new_policy_slug(title: str) -> str:
    """The policy's address, from its title ("Staff Code of Conduct" -> staff-code-of-conduct)."""
    return slugify(title)[:80].strip("-")


def check_new_policy_title(title: str) -> tuple[str, str]:
    """The title made tidy and its address, or a ValidationError if the library already has it."""
    title = " ".join(title.split())
    if not title:
        raise ValidationError("Give the policy a title.")
    # A title with no Latin letter or digit (the address allows only those) gets a neutral address.
    slug = new_policy_slug(title) or f"policy-{secrets.token_hex(4)}"
    if slug in RESERVED_SLUGS or Policy.objects.filter(slug=slug).exists():
        raise ValidationError(
            f"A policy called “{title}” (or with the same address) is already in the library."
        )
    if Policy.objects.filter(title__iexact=title).exists():
        raise ValidationError(f"A policy called “{title}” is already in the library.")
    return title, slug


@transaction.atomic
def create_policy(
    *,
    title: str,
    label: str,
    review_term: Term,
    document: ImportedDocument | None = None,
    by: User | None,
) -> PolicyVersion:
    """Add a policy to the library with its first version as a draft, empty or made from a document.

    The draft then goes through the review like any other (edit, compare, approve, publish). ``by`` is
    None only from the command line (an operator with the server's shell); a person must be HR. The
    policy's address comes from its title and is unique (a database constraint): a second policy with
    the same title, or the same upload confirmed twice at once, is refused rather than duplicated.
    """
    if by is not None:
        permissions.check_can_add_policies(by)
    title, slug = check_new_policy_title(title)
    label = " ".join(label.split())
    if not label or len(label) > LABEL_MAX_CHARS:
        raise ValidationError("Give the version a label of up to 40 characters, e.g. 2026-2029.")
    try:
        with transaction.atomic():  # a savepoint: the refusal below leaves the outer transaction usable
            policy = _attribute(Policy(title=title, slug=slug), by)
            policy.save()
    except IntegrityError:  # the same title added a moment ago, by another request
        raise ValidationError(f"A policy called “{title}” was added a moment ago.") from None
    draft = _attribute(
        PolicyVersion(
            policy=policy, label=label, review_season=review_term.season, review_year=review_term.year
        ),
        by,
    )
    draft.save()
    # From scratch: one untitled section, for HR to add clauses to.
    sections = document.sections if document is not None else [ImportedSection(heading="")]
    for position, imported in enumerate(sections, start=1):
        section = _attribute(Section(version=draft, position=position, heading=imported.heading), by)
        section.save()
        for clause_position, clause in enumerate(imported.clauses, start=1):
            _attribute(
                Clause(
                    version=draft,
                    section=section,
                    position=clause_position,
                    style=clause.style,
                    text=clause.text,
                ),
                by,
            ).save()
    return draft


# --- Who must acknowledge ----------------------------------------------------------------------


@transaction.atomic
def set_audience(
    policy: Policy,
    *,
    kinds: list[str],
    all_schools: bool,
    schools: list,
    include_central_team: bool,
    tag,
    acknowledge_within_days: int,
    by: User,
) -> Policy:
    """Decide who must acknowledge the policy and within how many school days; kept in its history.

    The audience is of the policy, not of a version: it applies to the live version at once (people who
    leave it are no longer asked or counted; their acknowledgements stay on record).
    """
    permissions.check_can_set_audience(by)
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    if not kinds:
        raise ValidationError("Choose at least one kind of person: employees, governors or trustees.")
    if not all_schools and not schools and not include_central_team:
        raise ValidationError("Choose at least one school, or the central trust team.")
    if not 1 <= acknowledge_within_days <= 200:
        raise ValidationError("The time to acknowledge is from 1 to 200 school days.")
    policy.for_employees = Kind.EMPLOYEE in kinds
    policy.for_governors = Kind.GOVERNOR in kinds
    policy.for_trustees = Kind.TRUSTEE in kinds
    policy.all_schools = all_schools
    policy.include_central_team = True if all_schools else include_central_team
    policy.audience_tag = tag
    policy.acknowledge_within_days = acknowledge_within_days
    policy.audience_changed_at, policy.audience_changed_by = timezone.now(), by
    _attribute(policy, by).save()
    policy.audience_schools.set([] if all_schools else schools)
    return policy
