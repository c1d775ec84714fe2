"""Who must acknowledge a policy: only its audience is asked, counted, listed, reminded and can acknowledge.

The cast: at Harmony, Tess (teacher), Colin (colleague), Hannah (Head) and Gwen (governor); at Crescendo,
Oscar (Head of School); of no school, Eve (Executive Head), Harriet (HR) and Trevor (trustee).
"""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from acknowledgements.models import Acknowledgement
from acknowledgements.selectors import (
    Scope,
    compliance_of,
    expected,
    outstanding,
    outstanding_by_version,
    waiting_for,
)
from acknowledgements.services import NotInAudienceError, acknowledge, plan_reminders
from policies.audience import Audience
from policies.models import PolicyVersion
from policies.services import set_audience
from symphony_portal.trust import services as trust_services
from symphony_portal.trust.models import Kind, School, User
from tests.builders import make_person, make_version

from .test_compliance import csv_rows

pytestmark = pytest.mark.django_db

EMPLOYEE, GOVERNOR, TRUSTEE = Kind.EMPLOYEE, Kind.GOVERNOR, Kind.TRUSTEE


@pytest.fixture
def cast(teacher, colleague, head, governor, other_head, exec_head, hr, trustee):
    return {
        "teacher": teacher,
        "colleague": colleague,
        "head": head,
        "governor": governor,
        "other_head": other_head,
        "exec_head": exec_head,
        "hr": hr,
        "trustee": trustee,
    }


@pytest.fixture
def children(hr, teacher, governor):
    """The tag "Works directly with children", given to Tess and Gwen."""
    tag = trust_services.create_tag("Works directly with children", by=hr)
    trust_services.tag_people(tag, [teacher, governor], by=hr)
    return tag


def addressed(
    version: PolicyVersion, hr, *, kinds=(EMPLOYEE, GOVERNOR, TRUSTEE), schools=None, central=True, tag=None
):
    set_audience(
        version.policy,
        kinds=list(kinds),
        all_schools=schools is None,
        schools=list(schools or []),
        include_central_team=central,
        tag=tag,
        acknowledge_within_days=10,
        by=hr,
    )
    return PolicyVersion.objects.select_related("policy").get(pk=version.pk)


def names(people) -> set[str]:
    return {p.full_name.split()[0] for p in people}


# Each audience and the cast members it holds (first names).
AUDIENCES = {
    "everyone": ({}, {"Tess", "Colin", "Hannah", "Gwen", "Oscar", "Eve", "Harriet", "Trevor"}),
    "employees only": ({"kinds": [EMPLOYEE]}, {"Tess", "Colin", "Hannah", "Oscar", "Eve", "Harriet"}),
    "governors and trustees": ({"kinds": [GOVERNOR, TRUSTEE]}, {"Gwen", "Trevor"}),
    "Harmony alone": ({"schools": "harmony", "central": False}, {"Tess", "Colin", "Hannah", "Gwen"}),
    "Harmony and the central team": (
        {"schools": "harmony", "central": True},
        {"Tess", "Colin", "Hannah", "Gwen", "Eve", "Harriet", "Trevor"},
    ),
    "employees of Crescendo": ({"kinds": [EMPLOYEE], "schools": "crescendo", "central": False}, {"Oscar"}),
    "the tag": ({"tag": True}, {"Tess", "Gwen"}),
    "employees with the tag": ({"kinds": [EMPLOYEE], "tag": True}, {"Tess"}),
}


def apply(version, hr, spec, *, harmony, crescendo, tag):
    spec = dict(spec)
    school = {"harmony": [harmony], "crescendo": [crescendo]}.get(spec.pop("schools", None))
    return addressed(version, hr, schools=school, tag=tag if spec.pop("tag", False) else None, **spec)


@pytest.mark.parametrize("audience_name", list(AUDIENCES))
def test_it_asks_counts_lists_and_reminds_only_the_audience(
    audience_name, cast, version, harmony, crescendo, children, hr, client
):
    spec, members = AUDIENCES[audience_name]
    version = apply(version, hr, spec, harmony=harmony, crescendo=crescendo, tag=children)
    make_person("Larry Leaver", school=harmony, is_active=False)  # never anyone's audience

    assert names(expected(version)) == members
    assert names(outstanding(version)) == members
    # Who is waiting: each person's home list has the version exactly when they are in the audience.
    assert {
        first for first, p in ((p.full_name.split()[0], p) for p in cast.values()) if waiting_for(p)
    } == members
    # Who is counted: the whole trust's totals are the audience's size.
    scope = Scope(schools=list(School.objects.order_by("name")), central=True, whole_trust=True)
    groups = compliance_of([version], scope)[version.pk]
    assert sum(g.total for g in groups) == len(members)
    assert sum(g.outstanding for g in groups) == len(members)
    # Who is listed as outstanding.
    listed = outstanding_by_version([version], everyone=True)[version.pk]
    assert names(row.person for row in listed.waiting + listed.overdue) == members
    # Who is reminded.
    plan = plan_reminders()
    assert {r.recipient.full_name.split()[0] for r in plan.records if r.about == "own"} == members
    # The register lists the same people as outstanding.
    client.force_login(hr)
    rows = csv_rows(client.get("/acknowledgements/register.csv"))
    assert {r[2].split()[0] for r in rows[1:] if r[8] in ("Waiting", "Overdue")} == members


@pytest.mark.parametrize("audience_name", list(AUDIENCES))
def test_it_counts_an_acknowledgement_only_from_the_audience(
    audience_name, cast, version, harmony, crescendo, children, hr
):
    # Everyone acknowledges while the policy is for everyone; then HR narrows it.
    for person in cast.values():
        acknowledge(version, by=person)
    spec, members = AUDIENCES[audience_name]
    version = apply(version, hr, spec, harmony=harmony, crescendo=crescendo, tag=children)
    scope = Scope(schools=list(School.objects.order_by("name")), central=True, whole_trust=True)
    groups = compliance_of([version], scope)[version.pk]
    assert sum(g.acknowledged for g in groups) == sum(g.total for g in groups) == len(members)
    assert Acknowledgement.objects.count() == len(cast)  # the records of those now outside stay


def test_it_gives_the_same_answer_in_the_database_and_in_memory_for_every_combination(
    cast, harmony, crescendo, children, hr
):
    people = list(User.objects.active())
    tags = {p.pk: set(p.person_tags.values_list("tag_id", flat=True)) for p in people}
    kind_sets = [set(c) for n in (1, 2, 3) for c in itertools.combinations(Kind.values, n)]
    for kinds, schools, central, tag in itertools.product(
        kind_sets,
        [None, {harmony.pk}, {crescendo.pk}, {harmony.pk, crescendo.pk}],
        [True, False],
        [None, children.pk],
    ):
        audience = Audience(
            kinds=frozenset(kinds),
            school_ids=schools,
            central_team=central or schools is None,
            tag_id=tag,
            days=5,
        )
        in_database = set(User.objects.active().filter(audience.people_q()).values_list("pk", flat=True))
        in_memory = {p.pk for p in people if audience.includes(p, tags[p.pk])}
        assert in_database == in_memory, audience


def test_it_refuses_an_acknowledgement_from_someone_the_policy_is_not_for(client, version, hr, governor):
    version = addressed(version, hr, kinds=[EMPLOYEE])
    with pytest.raises(NotInAudienceError):
        acknowledge(version, by=governor)
    client.force_login(governor)
    page = client.get(f"/acknowledgements/versions/{version.pk}/").content.decode()
    assert "not one you are asked to acknowledge" in page
    assert "Confirm my acknowledgement" not in page
    response = client.post(f"/acknowledgements/versions/{version.pk}/", follow=True)
    assert "not one you are asked to acknowledge" in response.content.decode()
    assert not Acknowledgement.objects.exists()
    # The policy page does not call them to acknowledge it either.
    assert "Read and acknowledge" not in client.get("/").content.decode()


def test_it_still_takes_an_acknowledgement_from_the_audience(client, version, hr, teacher):
    version = addressed(version, hr, kinds=[EMPLOYEE])
    client.force_login(teacher)
    assert (
        "Confirm my acknowledgement"
        in client.get(f"/acknowledgements/versions/{version.pk}/").content.decode()
    )
    client.post(f"/acknowledgements/versions/{version.pk}/")
    assert Acknowledgement.objects.filter(person=teacher, version=version).exists()


def test_it_gives_each_kind_its_own_statement(version, hr, teacher, governor, trustee):
    version = addressed(version, hr, kinds=[EMPLOYEE, GOVERNOR, TRUSTEE])
    statements = {p.kind: acknowledge(version, by=p)[0].statement for p in (teacher, governor, trustee)}
    assert "will comply with this policy" in statements[EMPLOYEE]
    assert "as a governor, I will comply with its spirit" in statements[GOVERNOR]
    assert "as a trustee, I will comply with its spirit" in statements[TRUSTEE]


def test_it_lets_a_tag_bring_someone_in_and_taking_it_away_take_them_out(version, hr, colleague, children):
    version = addressed(version, hr, tag=children)
    assert colleague not in outstanding(version)
    trust_services.tag_people(children, [colleague], by=hr)
    assert colleague in outstanding(version) and waiting_for(colleague) == [version]
    trust_services.untag_person(children, colleague, by=hr)
    assert colleague not in outstanding(version) and waiting_for(colleague) == []
    with pytest.raises(NotInAudienceError):
        acknowledge(version, by=colleague)


def test_it_keeps_the_school_pages_to_the_audience(
    client, version, hr, head, teacher, harmony, crescendo, other_head
):
    version = addressed(version, hr, schools=[crescendo], central=False)
    client.force_login(head)
    page = client.get(f"/acknowledgements/compliance/schools/{harmony.slug}/").content.decode()
    assert "Nobody here is asked to acknowledge it." in page
    assert teacher.full_name not in page
    client.force_login(hr)
    page = client.get(f"/acknowledgements/compliance/schools/{crescendo.slug}/").content.decode()
    assert other_head.full_name in page


def test_it_leaves_a_new_policy_for_everyone_as_before(version, cast):
    assert version.policy.all_schools and version.policy.for_governors and version.policy.audience_tag is None
    assert set(outstanding(version)) == set(User.objects.active())


def test_it_counts_the_sign_off_pack_from_the_audience(version, hr, teacher, governor):
    from acknowledgements.pack import pack_context

    version = addressed(version, hr, kinds=[GOVERNOR])
    context = pack_context(version)
    assert context["outstanding_count"] == 1  # Gwen alone: Tess and Harriet are not asked
    assert context["whole_trust"].total == 1


def test_it_gives_a_moved_person_the_chosen_schools_policy_from_the_move(version, hr, crescendo, colleague):
    version = addressed(version, hr, schools=[crescendo], central=False)
    assert colleague not in outstanding(version)
    colleague.school = crescendo
    colleague.school_since = timezone.now()
    colleague.save()
    assert colleague in outstanding(version)


def test_it_has_published_at_for_deadlines_in_the_builder(db):
    # The deadline tests below rely on giving a version its publication time.
    when = timezone.now() - timedelta(days=30)
    version = make_version(published_at=when)
    assert version.published_at == when


def test_it_emails_a_new_version_only_to_its_audience(version, hr, teacher, governor, trustee):
    from django.core import mail

    from policies.services import email_new_version
    from tests.conftest import deliver

    version = addressed(version, hr, kinds=[GOVERNOR, TRUSTEE])
    email_new_version(version, previous=None)
    deliver()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([governor.email, trustee.email])
