"""Small deterministic builders for tests: every object a test needs, made in one line."""

import itertools

from django.utils import timezone

from policies.models import Clause, Policy, PolicyVersion, Section
from symphony_portal.trust.models import Kind, RoleAssignment, School, User

_counter = itertools.count(1)


def make_school(name: str, slug: str | None = None) -> School:
    return School.objects.create(name=name, slug=slug or name.lower().replace(" ", "-"))


def make_person(
    name: str,
    *,
    school: School | None = None,
    kind: str = Kind.EMPLOYEE,
    roles: tuple = (),
    email: str | None = None,
    job_title: str = "",
    password: str | None = None,
    is_active: bool = True,
) -> User:
    """A person of the trust; ``roles`` holds role names, or (role, school) pairs for a Head."""
    email = email or name.lower().replace(" ", ".") + "@symphony.test"
    person = User.objects.create_user(
        email, password, full_name=name, kind=kind, school=school, job_title=job_title, is_active=is_active
    )
    for role in roles:
        role_name, role_school = role if isinstance(role, tuple) else (role, None)
        RoleAssignment.objects.create(user=person, role=role_name, school=role_school)
    return person


def make_version(
    *,
    policy: Policy | None = None,
    label: str | None = None,
    status: str = PolicyVersion.Status.PUBLISHED,
    sections: dict[str, list[str]] | None = None,
    review: tuple[str, int] = ("autumn", 2019),
    adopted: tuple[str, int] = ("autumn", 2016),
    **fields,
) -> PolicyVersion:
    """A version with its sections and clauses, created as a draft and then given its status.

    An adopted version gets the policy's title as its adopted title. A superseded one is superseded by
    the policy's live version (``superseded_by`` if given), or else by a live successor made for it.
    """
    n = next(_counter)
    policy = policy or Policy.objects.create(title=f"Test Policy {n}", slug=f"test-policy-{n}")
    sections = sections if sections is not None else {"Purpose": ["First clause.", "Second clause."]}
    version = PolicyVersion.objects.create(
        policy=policy,
        label=label or f"v{n}",
        adopted_season=adopted[0],
        adopted_year=adopted[1],
        review_season=review[0],
        review_year=review[1],
        **fields,
    )
    for s_pos, (heading, texts) in enumerate(sections.items(), start=1):
        section = Section.objects.create(version=version, position=s_pos, heading=heading)
        for c_pos, text in enumerate(texts, start=1):
            Clause.objects.create(version=version, section=section, position=c_pos, text=text)
    if status == PolicyVersion.Status.DRAFT:
        return version
    live = PolicyVersion.objects.filter(policy=policy, status=PolicyVersion.Status.PUBLISHED).first()
    superseded = False
    if status == PolicyVersion.Status.SUPERSEDED and live is not None:  # an older version of a live policy
        version.superseded_by, version.superseded_at = version.superseded_by or live, timezone.now()
    else:
        status, superseded = PolicyVersion.Status.PUBLISHED, status == PolicyVersion.Status.SUPERSEDED
    version.status, version.adopted_title = status, version.adopted_title or policy.title
    version.save()
    if status == PolicyVersion.Status.PUBLISHED and superseded:  # no live version yet: give it a successor
        make_successor(version, label=f"{version.label} successor", sections=sections)
        version.refresh_from_db()
    return version


def make_successor(old: PolicyVersion, *, label: str, **kwargs) -> PolicyVersion:
    """What publishing a new version does to the data: a draft made live, the old version superseded
    by it (in that order of checks: the old one names its successor)."""
    new = make_version(policy=old.policy, label=label, status=PolicyVersion.Status.DRAFT, **kwargs)
    old.status, old.superseded_at, old.superseded_by = PolicyVersion.Status.SUPERSEDED, timezone.now(), new
    old.save(update_fields=["status", "superseded_at", "superseded_by"])
    new.status, new.adopted_title = PolicyVersion.Status.PUBLISHED, new.policy.title
    new.save()
    return new
