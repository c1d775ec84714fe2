"""Who has acknowledged what: the reads the compliance pages, the CSV, home and reminders share.

Every read here takes a constant number of queries however many people the trust has.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from policies.models import PolicyVersion
from symphony_portal.trust.models import Kind, School, User

from .models import Acknowledgement, Reminder

CENTRAL_TEAM = "Central trust team"


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


def days_since_publication(version: PolicyVersion, today=None) -> int | None:
    if not version.published_at:
        return None
    return ((today or timezone.localdate()) - timezone.localdate(version.published_at)).days


@dataclass
class KindTally:
    kind: str
    label: str
    acknowledged: int = 0
    total: int = 0

    @property
    def outstanding(self) -> int:
        return self.total - self.acknowledged

    @property
    def percent(self) -> int:
        return round(100 * self.acknowledged / self.total) if self.total else 100


@dataclass
class GroupCompliance:
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

    @property
    def acknowledged(self) -> int:
        return sum(t.acknowledged for t in self.tallies.values())

    @property
    def total(self) -> int:
        return sum(t.total for t in self.tallies.values())

    @property
    def outstanding(self) -> int:
        return self.total - self.acknowledged

    @property
    def percent(self) -> int:
        return round(100 * self.acknowledged / self.total) if self.total else 100


@dataclass
class Scope:
    """The part of the trust a person may see the compliance of."""

    schools: list[School]
    central: bool  # trust-wide: every school, the central trust team and the Board of Trustees


def compliance_scope(user: User) -> Scope:
    """The Executive Head and HR see every school and the central team; a Head sees their own school."""
    if user.is_executive_head or user.is_hr:
        return Scope(schools=list(School.objects.order_by("name")), central=True)
    if user.headed_school_ids:
        return Scope(schools=list(School.objects.filter(pk__in=user.headed_school_ids)), central=False)
    raise Http404("No compliance page for you.")


def compliance(version: PolicyVersion, scope: Scope) -> list[GroupCompliance]:
    """Counts of acknowledgements of the version by school and kind, for the active people. Two queries."""
    groups = {s.pk: GroupCompliance(s.name, s) for s in scope.schools}
    if scope.central:
        groups[None] = GroupCompliance(CENTRAL_TEAM, None)
    in_scope = Q(school__in=[s.pk for s in scope.schools])
    people = User.objects.active().filter(in_scope | Q(school=None) if scope.central else in_scope)
    for row in people.values("school_id", "kind").annotate(n=Count("pk")).order_by():
        groups[row["school_id"]].tally(row["kind"]).total = row["n"]
    done = (
        Acknowledgement.objects.filter(version=version, person__in=people)
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

    Three queries however many rows: the acknowledgements, then the outstanding people of each live
    version (one query per policy, not per person).
    """
    records = Acknowledgement.objects.select_related("person", "version__policy").order_by(
        "version__policy__title", "-version__created_at", "school_name", "person__full_name", "pk"
    )
    for ack in records.iterator(chunk_size=2000):
        yield [
            ack.version.policy.title,
            ack.version.label,
            ack.person.full_name,
            ack.person.email,
            ack.get_kind_display(),
            ack.school_name,
            ack.role_labels,
            ack.job_title,
            "Acknowledged",
            timezone.localtime(ack.acknowledged_at).strftime("%Y-%m-%d %H:%M"),
            ack.statement,
            ack.fingerprint,
        ]
    for version in versions:
        people = (
            outstanding(version)
            .select_related("school")
            .order_by(F("school__name").asc(nulls_last=True), "full_name", "pk")
        )
        for person in people.iterator(chunk_size=2000):
            yield [
                version.policy.title,
                version.label,
                person.full_name,
                person.email,
                person.get_kind_display(),
                person.school_name,
                "",
                person.job_title,
                "Outstanding",
                "",
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
