"""Who has acknowledged what: the reads the compliance pages, the CSV, home and reminders share.

Every read here takes a constant number of queries however many people the trust has.
"""

from copy import copy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from policies.audience import Audience, audiences_of, tag_dates
from policies.models import PolicyVersion, round_label
from policies.selectors import carried_over_to
from symphony_portal.trust.models import CENTRAL_TEAM as TRUST_CENTRAL_TEAM
from symphony_portal.trust.models import Kind, PersonTag, School, User

from .models import Acknowledgement, Reminder

CENTRAL_TEAM = TRUST_CENTRAL_TEAM  # the trust's one name for the people of no school


def published_versions() -> list[PolicyVersion]:
    """The live version of each policy: the versions people are asked to acknowledge. One query."""
    return list(PolicyVersion.objects.published().select_related("policy").order_by("policy__title"))


# --- Which acknowledgements count ------------------------------------------------------------------------
#
# The one rule for "has this person acknowledged what is live", used by every page, list, count, export
# and reminder. An acknowledgement counts for a version when
#   - it is of that version, or of an earlier version whose acknowledgements were carried over to it by a
#     run of minor changes (PolicyVersion.carries_over_from names the first version of the run); and
#   - for a policy acknowledged every year, and for its live version, it was made in the round open today
#     (Policy.round_start: derived from the date, so no job opens rounds and every host agrees).
# Records are never copied or rewritten: a carried-over record stays bound to the text that was signed.


def round_start(version: PolicyVersion, today: date | None = None) -> date | None:
    """The first day of the yearly round the live version is acknowledged in today; None if none applies."""
    if not version.is_published:
        return None  # a superseded version's record is whatever was acknowledged while it was live
    return version.policy.round_start(today)


def round_opened_at(start: date) -> datetime:
    """The moment a round opens: midnight, the trust's time, on its first day."""
    return timezone.make_aware(datetime.combine(start, time.min))


def counting_acknowledgements(version: PolicyVersion, *, today: date | None = None, prefix: str = "") -> Q:
    """The condition on an acknowledgement (or on ``prefix``, e.g. "acknowledgements__") for counting as
    an acknowledgement of this version today. See the rule above."""
    if version.carries_over_from_id:
        base = version.carries_over_from_id
        condition = Q(**{f"{prefix}version_id": base}) | Q(
            **{
                f"{prefix}version__carries_over_from_id": base,
                f"{prefix}version__created_at__lte": version.created_at,
            }
        )
    else:
        condition = Q(**{f"{prefix}version_id": version.pk})
    start = round_start(version, today)
    if start is not None:
        condition &= Q(**{f"{prefix}acknowledged_at__gte": round_opened_at(start)})
    return condition


def counting_record(
    user: User, version: PolicyVersion, *, today: date | None = None, with_version: bool = True
) -> Acknowledgement | None:
    """This person's acknowledgement that counts for the version today, if any (the latest). One query.

    ``with_version=False`` leaves the record's version (and its policy) to be loaded if asked for: a
    policy's page, which shows the record's version only when it is carried over from an earlier one.
    """
    records = Acknowledgement.objects.filter(counting_acknowledgements(version, today=today), person=user)
    if with_version:
        records = records.select_related("version__policy")
    return records.order_by("-acknowledged_at", "-pk").first()


def record_for(user: User, version: PolicyVersion, *, with_version: bool = True) -> Acknowledgement | None:
    """The record a page shows for this person and version: for the live version, the one that counts
    today (possibly carried over); for a superseded one, their last record of it. One query
    (``with_version`` as for ``counting_record``)."""
    if version.is_published:
        return counting_record(user, version, with_version=with_version)
    records = Acknowledgement.objects.filter(person=user, version=version)
    if with_version:
        records = records.select_related("version__policy")
    return records.order_by("-acknowledged_at", "-pk").first()


# --- Who is expected to acknowledge (the audience: policies.audience holds the rule) ---------------


def audiences(versions: list[PolicyVersion]) -> dict[int, Audience]:
    """Each version's audience, by version id. One query, and none when no policy has chosen schools."""
    return audiences_of(versions)


def audience_of(version: PolicyVersion) -> Audience:
    """The version's audience: who must acknowledge it (the policy's audience today)."""
    return audiences([version])[version.pk]


def expected(version: PolicyVersion, audience: Audience | None = None):
    """Active people of the version's audience: everyone counted, asked and reminded for it."""
    audience = audience or audience_of(version)
    return User.objects.active().filter(audience.people_q())


def acknowledged_condition(version: PolicyVersion, *, today: date | None = None) -> Exists:
    """On a person: they have an acknowledgement that counts for this version today (the rule of
    ``counting_acknowledgements``: carried over by minor changes, of this year's round)."""
    return Exists(
        Acknowledgement.objects.filter(counting_acknowledgements(version, today=today), person=OuterRef("pk"))
    )


def is_expected(person: User, version: PolicyVersion) -> bool:
    """Whether this person must acknowledge this version (active and in its audience). One query."""
    return expected(version).filter(pk=person.pk).exists()


def in_audience(person: User, version: PolicyVersion) -> bool:
    """``is_expected`` for a person already in memory (the signed-in person), by the audience's rule in
    Python (``Audience.includes``, held to ``people_q`` by a test): no query for a policy for everyone or
    for kinds of people; one for chosen schools, one for a tag."""
    if not person.is_active:
        return False
    audience = audience_of(version)
    return audience.includes(person, set(tag_dates(person)) if audience.tag_id else set())


def outstanding(version: PolicyVersion, audience: Audience | None = None, *, today: date | None = None):
    """Active people of the version's audience with no acknowledgement that counts for it today."""
    return expected(version, audience).filter(~acknowledged_condition(version, today=today))


def outstanding_with_reminders(version: PolicyVersion, *, today: date | None = None):
    """Outstanding people with how many reminders they have had about this version, when the last, and
    whether their time to acknowledge has run out (``is_overdue``)."""
    audience = audience_of(version)
    # In this round, for a policy acknowledged every year: the count starts again with each round.
    sent = Reminder.objects.filter(recipient=OuterRef("pk"), version=version, about=Reminder.About.OWN)
    start = round_start(version, today)
    if start is not None:
        sent = sent.filter(sent_at__gte=round_opened_at(start))
    reminders = sent.values("recipient")
    late = audience.overdue_q(version, today or timezone.localdate())
    return outstanding(version, audience, today=today).annotate(
        reminders_sent=Coalesce(
            Subquery(reminders.annotate(n=Count("pk")).values("n")), Value(0), output_field=IntegerField()
        ),
        last_reminded_at=Subquery(reminders.annotate(last=Max("sent_at")).values("last")),
        is_overdue=ExpressionWrapper(late, output_field=BooleanField()) if late else Value(False),
    )


def tags_and_latest_acknowledgements(user: User) -> tuple[dict[int, datetime], dict[int, datetime]]:
    """When the person got each tag they carry (by tag id, as ``tag_dates``), and their latest
    acknowledgement in each run of minor changes (by the run's first version: ``carries_over_from``, or the
    version itself). One statement.

    Plain SQL: home asks this on every reading, and the ORM's building of the two queries it replaces (a
    grouped annotation over a join) cost more than the database's answers. Table and column names are the
    models' own; the person is a parameter.
    """
    tags, records, versions = PersonTag._meta, Acknowledgement._meta, PolicyVersion._meta
    first = versions.get_field("carries_over_from").column
    run = f"COALESCE(v.{first}, a.{records.get_field('version').column})"
    sql = (
        f"SELECT 0, {tags.get_field('tag').column}, {tags.get_field('added_at').column} "  # noqa: S608
        f"FROM {tags.db_table} WHERE {tags.get_field('person').column} = %s "
        f"UNION ALL SELECT 1, {run}, MAX(a.{records.get_field('acknowledged_at').column}) "
        f"FROM {records.db_table} a INNER JOIN {versions.db_table} v "
        f"ON v.{versions.pk.column} = a.{records.get_field('version').column} "
        f"WHERE a.{records.get_field('person').column} = %s GROUP BY {run}"
    )
    tagged: dict[int, datetime] = {}
    last_in_run: dict[int, datetime] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk])
        for which, key, moment in cursor.fetchall():
            (last_in_run if which else tagged)[key] = _moment(moment)
    return tagged, last_in_run


def _moment(value) -> datetime:
    """A date and time as the database gave it: SQLite gives text (in UTC), PostgreSQL an aware datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def waiting_for(
    user: User,
    *,
    today: date | None = None,
    versions: list[PolicyVersion] | None = None,
    by_version: dict[int, Audience] | None = None,
) -> list[PolicyVersion]:
    """Live versions this person must acknowledge (in the audience) with no acknowledgement of theirs that
    counts for them, each with ``acknowledge_by`` (their deadline) and ``is_overdue``. Three queries at
    most, however many policies; two when the page has read the live versions already (``versions``: the
    live versions with their policies, as ``published_versions`` reads them; those returned are given the
    two attributes, the others are left as they are); one with their audiences too (``by_version``, as
    ``audiences`` reads them: home has both from policies.live, shared by every request, so those returned
    are then copies).

    The rule of ``counting_acknowledgements`` for live versions, read in one query for the home page:
    a live version's run of minor changes is every version with the same first version
    (``carries_over_from``, or itself), and the person's latest record in the run must be of this round.
    """
    if not (user.is_authenticated and user.is_active):
        return []
    if versions is None:
        versions = published_versions()
    shared = by_version is not None
    if by_version is None:
        by_version = audiences(versions)
    # The person's tags and latest acknowledgement in each run, together (no model rows).
    tagged, last_in_run = tags_and_latest_acknowledgements(user)
    mine = [version for version in versions if by_version[version.pk].includes(user, set(tagged))]
    today = today or timezone.localdate()
    waiting = []
    for version in mine:
        audience = by_version[version.pk]
        start = round_start(version, today)
        last = last_in_run.get(version.carries_over_from_id or version.pk)
        if last is not None and (start is None or last >= round_opened_at(start)):
            continue
        # Home's versions are shared by every request of the process: the person's deadline goes on a copy.
        # Any: the two attributes below are this person's, set here and read by the templates.
        marked: Any = copy(version) if shared else version
        marked.acknowledge_by = audience.deadline(version, audience.joined_at(user, tagged))
        marked.is_overdue = marked.acknowledge_by is not None and marked.acknowledge_by < today
        waiting.append(marked)
    return waiting


def last_acknowledged_before(user: User, version: PolicyVersion) -> PolicyVersion | None:
    """The most recent earlier version of the same policy this person acknowledged, if any. One query."""
    record = (
        Acknowledgement.objects.filter(person=user, version__policy_id=version.policy_id)
        .exclude(version=version)
        .filter(version__created_at__lt=version.created_at)
        .select_related("version__policy")
        .order_by("-version__created_at")
        .first()
    )
    return record.version if record else None


def days_since_publication(version: PolicyVersion, today=None) -> int | None:
    """Days people have been asked for the version: since it was published, or since this year's round
    opened for a policy acknowledged every year (whichever is later)."""
    if not version.published_at:
        return None
    today = today or timezone.localdate()
    since = timezone.localdate(version.published_at)
    start = round_start(version, today)
    return (today - max(since, start or since)).days


class Share:
    """Derived figures of anything with ``acknowledged``, ``overdue`` and ``total`` counts.

    Outstanding people are either still within their time (waiting) or past it (overdue).
    """

    acknowledged: int
    overdue: int
    total: int

    @property
    def outstanding(self) -> int:
        return self.total - self.acknowledged

    @property
    def waiting(self) -> int:
        return self.outstanding - self.overdue

    @property
    def percent(self) -> int:
        return round(100 * self.acknowledged / self.total) if self.total else 100


@dataclass
class KindTally(Share):
    kind: str
    label: str
    acknowledged: int = 0
    overdue: int = 0
    total: int = 0


@dataclass
class GroupCompliance(Share):
    """One school (or the central trust team) against one version: counts by kind."""

    name: str
    school: School | None
    tallies: dict[str, KindTally] = field(default_factory=dict)

    def tally(self, kind: str) -> KindTally:
        if kind not in self.tallies:
            self.tallies[kind] = KindTally(kind, Kind(kind).label)
        return self.tallies[kind]

    @property
    def by_kind(self) -> list[KindTally]:
        return [self.tallies[k] for k in Kind.values if k in self.tallies]

    # A group's counts are the sums of its kinds' (Share's fields become read-only properties here).
    @property
    def acknowledged(self) -> int:  # type: ignore[override]
        return sum(t.acknowledged for t in self.tallies.values())

    @property
    def overdue(self) -> int:  # type: ignore[override]
        return sum(t.overdue for t in self.tallies.values())

    @property
    def total(self) -> int:  # type: ignore[override]
        return sum(t.total for t in self.tallies.values())


@dataclass
class Scope:
    """The part of the trust a person may see the compliance of."""

    schools: list[School]
    central: bool  # the central trust team and the Board of Trustees
    whole_trust: bool = False  # every school and the central team: no filter needed

    def people_filter(self, prefix: str = "") -> Q:
        """The condition on a person (or on ``prefix``, e.g. "person__") for being in this scope."""
        if self.whole_trust:
            return Q()
        in_scope = Q(**{f"{prefix}school__in": [s.pk for s in self.schools]})
        return in_scope | Q(**{f"{prefix}school": None}) if self.central else in_scope

    def reloaded(self) -> "Scope":
        """The same scope with its schools read again. One query.

        A cached compliance fragment must be made only from what is read after the compliance generation
        (acknowledgements.compliance_cache): a school renamed or added just before would otherwise be
        kept, as it was, under the new generation.
        """
        schools = School.objects.order_by("name")
        if not self.whole_trust:
            schools = schools.filter(pk__in=[s.pk for s in self.schools])
        return Scope(schools=list(schools), central=self.central, whole_trust=self.whole_trust)


def compliance_scope(user: User) -> Scope:
    """The Executive Head and HR see every school and the central team; a Head sees their own school."""
    if user.sees_whole_trust:
        return Scope(schools=list(School.objects.order_by("name")), central=True, whole_trust=True)
    if user.headed_school_ids:
        return Scope(schools=list(School.objects.filter(pk__in=user.headed_school_ids)), central=False)
    raise Http404("No compliance page for you.")


def _count(condition: Q | None) -> Count:
    return Count("pk", filter=condition) if condition else Count("pk")


def compliance_of(
    versions: list[PolicyVersion], scope: Scope, *, today: date | None = None
) -> dict[int, list[GroupCompliance]]:
    """For each version (by id): its audience's counts by school and kind, acknowledged, overdue and in
    all, of the active people in the scope. Two queries, whatever the number of versions and people."""
    today = today or timezone.localdate()
    by_version = audiences(versions)
    result: dict[int, list[GroupCompliance]] = {}
    groups_of: dict[int, dict[int | None, GroupCompliance]] = {}
    aggregates: dict[str, Count] = {}
    for version in versions:
        groups: dict[int | None, GroupCompliance] = {s.pk: GroupCompliance(s.name, s) for s in scope.schools}
        if scope.central:
            groups[None] = GroupCompliance(CENTRAL_TEAM, None)
        result[version.pk] = list(groups.values())
        audience = by_version[version.pk]
        member = audience.people_q()
        done = acknowledged_condition(version, today=today)
        late = audience.overdue_q(version, today)
        groups_of[version.pk] = groups
        aggregates[f"total_{version.pk}"] = _count(member)
        aggregates[f"done_{version.pk}"] = _count(member & Q(done))
        if late is not None:
            aggregates[f"late_{version.pk}"] = _count(member & ~Q(done) & late)
    if not versions:
        return result
    people = User.objects.active().filter(scope.people_filter())
    for row in people.values("school_id", "kind").annotate(**aggregates).order_by():
        for version in versions:
            total = row[f"total_{version.pk}"]
            if not total or row["school_id"] not in groups_of[version.pk]:
                continue
            tally = groups_of[version.pk][row["school_id"]].tally(row["kind"])
            tally.total = total
            tally.acknowledged = row[f"done_{version.pk}"]
            tally.overdue = row.get(f"late_{version.pk}", 0)
    return result


def compliance(version: PolicyVersion, scope: Scope) -> list[GroupCompliance]:
    """Counts of the version's audience by school and kind, for the active people. Two queries."""
    return compliance_of([version], scope)[version.pk]


def trust_summary(groups: list[GroupCompliance]) -> GroupCompliance:
    """The sum of several groups' counts, by kind."""
    summary = GroupCompliance("Whole trust", None)
    for group in groups:
        for tally in group.tallies.values():
            total = summary.tally(tally.kind)
            total.acknowledged += tally.acknowledged
            total.overdue += tally.overdue
            total.total += tally.total
    return summary


def outstanding_people(version: PolicyVersion, *, school: School | None = None, everyone: bool = False):
    """The outstanding people of one school (or the central team), or of everyone, in reading order."""
    people = outstanding_with_reminders(version).select_related("school")
    if not everyone:
        people = people.filter(school=school)
    return people.order_by(F("school__name").asc(nulls_last=True), "kind", "full_name", "pk")


@dataclass
class OutstandingPerson:
    """Someone who has not acknowledged a version yet: waiting, or overdue once their time has passed."""

    person: User
    overdue: bool
    reminders_sent: int = 0
    last_reminded_at: object = None


@dataclass
class OutstandingList:
    overdue: list[OutstandingPerson] = field(default_factory=list)
    waiting: list[OutstandingPerson] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.overdue) + len(self.waiting)


def outstanding_by_version(
    versions: list[PolicyVersion],
    *,
    school: School | None = None,
    everyone: bool = False,
    today: date | None = None,
) -> dict[int, OutstandingList]:
    """For each version (by id): its outstanding people of one school (or the central team), or of
    everyone, overdue and waiting apart, in reading order. Three queries, whatever the number of versions.
    """
    today = today or timezone.localdate()
    result = {version.pk: OutstandingList() for version in versions}
    if not versions:
        return result
    by_version = audiences(versions)
    flags: dict[str, ExpressionWrapper | Value] = {}
    conditions: list[Q] = []
    for version in versions:
        audience = by_version[version.pk]
        waits = audience.people_q() & ~Q(acknowledged_condition(version, today=today))
        late = audience.overdue_q(version, today)
        conditions.append(waits)
        flags[f"waits_{version.pk}"] = ExpressionWrapper(waits, output_field=BooleanField())
        flags[f"late_{version.pk}"] = (
            ExpressionWrapper(waits & late, output_field=BooleanField()) if late is not None else Value(False)
        )
    people = User.objects.active().filter(reduce(or_, conditions))
    if not everyone:
        people = people.filter(school=school)
    people = (
        people.annotate(**flags)
        .select_related("school")
        .order_by(F("school__name").asc(nulls_last=True), "kind", "full_name", "pk")
    )
    reminders = Reminder.objects.filter(
        version__in=versions, about=Reminder.About.OWN, recipient__is_active=True
    )
    if not everyone:
        reminders = reminders.filter(recipient__school=school)
    sent = {
        (row["recipient_id"], row["version_id"]): (row["n"], row["last"])
        for row in reminders.values("recipient_id", "version_id")
        .annotate(n=Count("pk"), last=Max("sent_at"))
        .order_by()
    }
    for person in people:
        for version in versions:
            if not getattr(person, f"waits_{version.pk}"):
                continue
            n, last = sent.get((person.pk, version.pk), (0, None))
            is_late = bool(getattr(person, f"late_{version.pk}"))
            listing = result[version.pk]
            (listing.overdue if is_late else listing.waiting).append(
                OutstandingPerson(person, is_late, n, last)
            )
    return result


def carry_over_note(signed: PolicyVersion, later: list[PolicyVersion]) -> str:
    """What a record of ``signed`` says when minor changes carried it over: "acknowledged 2016-2019;
    carried over to 2016-2019 rev. 2 as a minor change"; empty when it was not carried over."""
    if not later:
        return ""
    names = ", then ".join(v.label for v in later)
    changes = "a minor change" if len(later) == 1 else "minor changes"
    return f"acknowledged {signed.label}; carried over to {names} as {changes}"


def carry_over_notes() -> dict[int, str]:
    """For each adopted version whose acknowledgements were carried over, the note its records carry.
    One query."""
    versions = list(PolicyVersion.objects.adopted())
    later = carried_over_to(versions, adopted=versions)
    return {v.pk: note for v in versions if (note := carry_over_note(v, later[v.pk]))}


def round_of(start: date | None) -> str:
    return round_label(start) if start else ""


def register_rows(versions: list[PolicyVersion]):
    """The register as CSV rows: every acknowledgement on record, then everyone of each live version's
    audience who has not acknowledged it, "Overdue" once their time has passed, otherwise "Waiting".

    Every record stays in the register: last year's round of a yearly policy (its round shown), and a
    record carried over by a minor change (shown against the version signed, with a note). Three queries
    for the records and one per live version (per policy, not per person). Rows are read as plain values:
    building model instances for thousands of rows would double the download's time.
    """
    kinds = dict(Kind.choices)
    zone = timezone.get_current_timezone()
    notes = carry_over_notes()
    records = Acknowledgement.objects.order_by(
        "version__policy__title",
        "-version__created_at",
        "-round_starts_on",
        "school_name",
        "person__full_name",
        "pk",
    ).values_list(
        "version__policy__title",
        "version__label",
        "person__full_name",
        "person__email",
        "kind",
        "school_name",
        "role_labels",
        "job_title",
        "acknowledged_at",
        "statement",
        "fingerprint",
        "round_starts_on",
        "version_id",
    )
    for (
        title,
        label,
        name,
        email,
        kind,
        school,
        roles,
        job,
        at,
        statement,
        print_,
        start,
        version_id,
    ) in records.iterator(chunk_size=2000):
        when = at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        yield [
            title,
            label,
            name,
            email,
            kinds[kind],
            school,
            roles,
            job,
            "Acknowledged",
            when,
            statement,
            print_,
            round_of(start),
            notes.get(version_id, ""),
        ]
    today = timezone.localdate()
    for version in versions:
        audience = audience_of(version)
        late = audience.overdue_q(version, today)
        this_round = round_of(round_start(version))
        people = (
            outstanding(version, audience)
            .annotate(late=ExpressionWrapper(late, output_field=BooleanField()) if late else Value(False))
            .order_by(F("school__name").asc(nulls_last=True), "full_name", "pk")
            .values_list("full_name", "email", "kind", "school__name", "job_title", "late")
        )
        for name, email, kind, school, job, is_late in people.iterator(chunk_size=2000):
            school = school or CENTRAL_TEAM
            yield [
                version.title,
                version.label,
                name,
                email,
                kinds[kind],
                school,
                "",
                job,
                "Overdue" if is_late else "Waiting",
                "",  # nothing confirmed yet: no time, statement or fingerprint
                "",
                "",
                this_round,
                "",
            ]


REGISTER_HEADER = [
    "Policy",
    "Version",
    "Name",
    "Email",
    "Kind",
    "School",
    "Roles at the time",
    "Job title",
    "Status",
    "Acknowledged at",
    "Statement confirmed",
    "Fingerprint (SHA-256)",
    "Round",
    "Carried over",
]
