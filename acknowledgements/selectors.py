"""Who has acknowledged what: the reads the compliance pages, the CSV, home and reminders share.

Every read here takes a constant number of queries however many people the trust has.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from policies.models import PolicyVersion
from symphony_portal.trust.models import CENTRAL_TEAM as TRUST_CENTRAL_TEAM
from symphony_portal.trust.models import Kind, School, User

from .models import Acknowledgement, Reminder

CENTRAL_TEAM = TRUST_CENTRAL_TEAM  # the trust's one name for the people of no school


def published_versions() -> list[PolicyVersion]:
    """The live version of each policy: the versions everyone is asked to acknowledge. One query."""
    return list(PolicyVersion.objects.published().select_related("policy").order_by("policy__title"))


def outstanding(version: PolicyVersion):
    """Active people who have not acknowledged this version (everyone it applies to: every kind)."""
    acknowledged = Acknowledgement.objects.filter(person=OuterRef("pk"), version=version)
    return User.objects.active().filter(~Exists(acknowledged))


def outstanding_with_reminders(version: PolicyVersion):
    """Outstanding people with how many reminders they have had about this version, and when the last."""
    reminders = Reminder.objects.filter(
        recipient=OuterRef("pk"), version=version, about=Reminder.About.OWN
    ).values("recipient")
    return outstanding(version).annotate(
        reminders_sent=Coalesce(
            Subquery(reminders.annotate(n=Count("pk")).values("n")), Value(0), output_field=IntegerField()
        ),
        last_reminded_at=Subquery(reminders.annotate(last=Max("sent_at")).values("last")),
    )


def waiting_for(user: User) -> list[PolicyVersion]:
    """Published versions this person has not acknowledged yet. One query."""
    mine = Acknowledgement.objects.filter(person=user, version=OuterRef("pk"))
    return list(
        PolicyVersion.objects.published()
        .filter(~Exists(mine))
        .select_related("policy")
        .order_by("policy__title")
    )


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
    if not version.published_at:
        return None
    return ((today or timezone.localdate()) - timezone.localdate(version.published_at)).days


class Share:
    """Derived figures of anything with ``acknowledged`` and ``total`` counts."""

    acknowledged: int
    total: int

    @property
    def outstanding(self) -> int:
        return self.total - self.acknowledged

    @property
    def percent(self) -> int:
        return round(100 * self.acknowledged / self.total) if self.total else 100


@dataclass
class KindTally(Share):
    kind: str
    label: str
    acknowledged: int = 0
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


def compliance_scope(user: User) -> Scope:
    """The Executive Head and HR see every school and the central team; a Head sees their own school."""
    if user.sees_whole_trust:
        return Scope(schools=list(School.objects.order_by("name")), central=True, whole_trust=True)
    if user.headed_school_ids:
        return Scope(schools=list(School.objects.filter(pk__in=user.headed_school_ids)), central=False)
    raise Http404("No compliance page for you.")


def compliance(version: PolicyVersion, scope: Scope) -> list[GroupCompliance]:
    """Counts of acknowledgements of the version by school and kind, for the active people. Two queries."""
    groups: dict[int | None, GroupCompliance] = {s.pk: GroupCompliance(s.name, s) for s in scope.schools}
    if scope.central:
        groups[None] = GroupCompliance(CENTRAL_TEAM, None)
    people = User.objects.active().filter(scope.people_filter())
    for row in people.values("school_id", "kind").annotate(n=Count("pk")).order_by():
        groups[row["school_id"]].tally(row["kind"]).total = row["n"]
    done = (
        Acknowledgement.objects.filter(
            scope.people_filter("person__"), version=version, person__is_active=True
        )
        .values("person__school_id", "person__kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in done:
        groups[row["person__school_id"]].tally(row["person__kind"]).acknowledged = row["n"]
    return list(groups.values())


def trust_summary(groups: list[GroupCompliance]) -> GroupCompliance:
    """The sum of several groups' counts, by kind."""
    summary = GroupCompliance("Whole trust", None)
    for group in groups:
        for tally in group.tallies.values():
            total = summary.tally(tally.kind)
            total.acknowledged += tally.acknowledged
            total.total += tally.total
    return summary


def outstanding_people(version: PolicyVersion, *, school: School | None = None, everyone: bool = False):
    """The outstanding people of one school (or the central team), or of everyone, in reading order."""
    people = outstanding_with_reminders(version).select_related("school")
    if not everyone:
        people = people.filter(school=school)
    return people.order_by(F("school__name").asc(nulls_last=True), "kind", "full_name", "pk")


def register_rows(versions: list[PolicyVersion]):
    """The register as CSV rows: every acknowledgement on record, then everyone outstanding today.

    One query for the records and one per live version (per policy, not per person). Rows are read as
    plain values: building model instances for thousands of rows would double the download's time.
    """
    kinds = dict(Kind.choices)
    zone = timezone.get_current_timezone()
    records = Acknowledgement.objects.order_by(
        "version__policy__title", "-version__created_at", "school_name", "person__full_name", "pk"
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
    )
    for title, label, name, email, kind, school, roles, job, at, statement, print_ in records.iterator(
        chunk_size=2000
    ):
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
        ]
    for version in versions:
        people = (
            outstanding(version)
            .order_by(F("school__name").asc(nulls_last=True), "full_name", "pk")
            .values_list("full_name", "email", "kind", "school__name", "job_title")
        )
        for name, email, kind, school, job in people.iterator(chunk_size=2000):
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
                "Outstanding",
                "",  # nothing confirmed yet: no time, statement or fingerprint
                "",
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
]
