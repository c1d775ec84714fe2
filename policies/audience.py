"""Who must acknowledge a policy, and by when: the one home of the audience rule.

A policy is for everyone unless HR narrows it ("Who must acknowledge" page) by kind (employees,
governors, trustees), by school (all schools, or chosen ones, with or without the central trust team:
the people of no school, trustees among them) and by a tag HR keeps ("Works directly with children").
``Audience.people_q`` is the rule as a condition on people; every count, list, reminder and the
acknowledge page ask it (``acknowledgements.selectors``). ``Audience.includes`` is the same rule for one
person already in memory; a test holds the two to the same answers for every combination.

Deadlines: a publication gives N school days (the policy's ``acknowledge_within_days``) from the day it
was published, or, for someone who joined the audience later, from the day they joined it: joined the
trust (``date_joined``), moved into a chosen school (``school_since``, only for a policy of chosen
schools) or was given the tag (``PersonTag.added_at``). A change of kind is not dated: a person whose
kind changes counts from the latest of those days.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from symphony_portal.lib.school_days import add_school_days, latest_start_overdue_on
from symphony_portal.trust.models import Kind, PersonTag, User

from .models import Policy, PolicyVersion

ALL_KINDS = frozenset(Kind.values)


def _start_of_day_after(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


@dataclass(frozen=True)
class Audience:
    kinds: frozenset[str]
    school_ids: frozenset[int] | None  # None: every school and the central trust team
    central_team: bool  # with chosen schools: the people of no school too
    tag_id: int | None
    days: int  # school days to acknowledge

    @classmethod
    def of(cls, policy: Policy, *, school_ids: set[int] | None = None) -> "Audience":
        """The policy's audience; its chosen schools are read unless given (lists read all at once)."""
        kinds = {
            kind
            for kind, wanted in (
                (Kind.EMPLOYEE, policy.for_employees),
                (Kind.GOVERNOR, policy.for_governors),
                (Kind.TRUSTEE, policy.for_trustees),
            )
            if wanted
        }
        if policy.all_schools:
            schools = None
        elif school_ids is not None:
            schools = frozenset(school_ids)
        else:
            schools = frozenset(policy.audience_schools.values_list("pk", flat=True))
        return cls(
            kinds=frozenset(str(k) for k in kinds),
            school_ids=schools,
            central_team=policy.all_schools or policy.include_central_team,
            tag_id=policy.audience_tag_id,
            days=policy.acknowledge_within_days,
        )

    @property
    def is_everyone(self) -> bool:
        return self.kinds == ALL_KINDS and self.school_ids is None and self.tag_id is None

    def people_q(self) -> Q:
        """The condition on a person (a ``User`` row) for being in this audience. Activity is not in it."""
        condition = Q()
        if self.kinds != ALL_KINDS:
            condition &= Q(kind__in=sorted(self.kinds))
        if self.school_ids is not None:
            schools = Q(school_id__in=sorted(self.school_ids))
            if self.central_team:
                schools |= Q(school__isnull=True)
            condition &= schools
        if self.tag_id is not None:
            condition &= Q(Exists(PersonTag.objects.filter(person=OuterRef("pk"), tag_id=self.tag_id)))
        return condition

    def includes(self, person: User, tag_ids: set[int]) -> bool:
        """``people_q`` for one person in memory, with the ids of the tags they carry."""
        if person.kind not in self.kinds:
            return False
        if self.school_ids is not None:
            if person.school_id is None and not self.central_team:
                return False
            if person.school_id is not None and person.school_id not in self.school_ids:
                return False
        return self.tag_id is None or self.tag_id in tag_ids

    def joined_before_q(self, moment: datetime) -> Q:
        """In the audience already before ``moment``: joined the trust, the chosen school, the tag."""
        condition = Q(date_joined__lt=moment)
        if self.school_ids is not None:
            condition &= Q(school_since__lt=moment)
        if self.tag_id is not None:
            tagged = PersonTag.objects.filter(person=OuterRef("pk"), tag_id=self.tag_id, added_at__lt=moment)
            condition &= Q(Exists(tagged))
        return condition

    def joined_at(self, person: User, tag_added: dict[int, datetime]) -> datetime:
        """When this person joined the audience (``tag_added``: when they got each tag they carry)."""
        moments = [person.date_joined]
        if self.school_ids is not None:
            moments.append(person.school_since)
        if self.tag_id is not None and self.tag_id in tag_added:
            moments.append(tag_added[self.tag_id])
        return max(moments)

    def overdue_q(self, version: PolicyVersion, today: date) -> Q | None:
        """People of the audience whose time to acknowledge ``version`` ended before ``today`` (None: nobody).

        Their start is the later of the publication (or this year's round opening, for a yearly policy)
        and their joining; the deadline is N school days on.
        """
        latest_start = latest_start_overdue_on(today, self.days)
        opened = opened_at(version, today)
        if opened is None or timezone.localdate(opened) > latest_start:
            return None
        return self.joined_before_q(_start_of_day_after(latest_start))

    def deadline(self, version: PolicyVersion, joined: datetime | None = None) -> date | None:
        """The last day to acknowledge ``version``: N school days after publication (or after this year's
        round opened, for a yearly policy), or after joining."""
        opened = opened_at(version)
        if opened is None:
            return None
        start = opened if joined is None else max(opened, joined)
        return add_school_days(timezone.localdate(start), self.days)


def opened_at(version: PolicyVersion, today: date | None = None) -> datetime | None:
    """When the time to acknowledge ``version`` started: its publication, or for a policy acknowledged
    every year the opening of the round open ``today`` (midnight trust time), whichever is later."""
    if version.published_at is None:
        return None
    start = version.policy.round_start(today) if version.is_published else None
    if start is None:
        return version.published_at
    return max(version.published_at, timezone.make_aware(datetime.combine(start, time.min)))


def describe(policy, school_names: list[str], tag) -> str:
    """The audience in words ("Employees and governors of Harmony Primary School, with the tag ...").

    ``policy`` is a Policy or one of its historical records (the history shows past audiences).
    """
    kinds = [
        label
        for label, wanted in (
            ("employees", policy.for_employees),
            ("governors", policy.for_governors),
            ("trustees", policy.for_trustees),
        )
        if wanted
    ]
    if len(kinds) == 3 and policy.all_schools and tag is None:
        return "Everyone"
    who = ", ".join(kinds[:-1]) + " and " + kinds[-1] if len(kinds) > 1 else (kinds or ["nobody"])[0]
    if not policy.all_schools:
        places = sorted(school_names) + (["the central trust team"] if policy.include_central_team else [])
        where = (
            ", ".join(places[:-1]) + " and " + places[-1] if len(places) > 1 else (places or ["nowhere"])[0]
        )
        who += f" of {where}"
    else:
        who = "all " + who
    if tag is not None:
        who += f', with the tag "{tag}"'
    return who[0].upper() + who[1:]


def tag_dates(person: User) -> dict[int, datetime]:
    """When the person got each tag they carry, by tag id. One query."""
    return dict(PersonTag.objects.filter(person=person).order_by().values_list("tag_id", "added_at"))


def audiences_of(versions: Iterable[PolicyVersion]) -> dict[int, Audience]:
    """Each version's audience, by version id (versions read with their policy). One query, and none
    when no policy has chosen schools."""
    versions = list(versions)
    narrowed = {v.policy_id for v in versions if not v.policy.all_schools}
    chosen: dict[int, set[int]] = {policy_id: set() for policy_id in narrowed}
    if narrowed:
        through = Policy.audience_schools.through.objects.filter(policy_id__in=narrowed)
        for policy_id, school_id in through.values_list("policy_id", "school_id"):
            chosen[policy_id].add(school_id)
    return {v.pk: Audience.of(v.policy, school_ids=chosen.get(v.policy_id)) for v in versions}
