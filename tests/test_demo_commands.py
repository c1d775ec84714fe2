"""`make run` loads the seed policy and demo people; running it again changes and duplicates nothing."""

import io

import pytest
from django.core.management import call_command

from acknowledgements.selectors import waiting_for
from policies.models import Clause, PolicyVersion
from symphony_portal.trust.models import Kind, Role, RoleAssignment, School, User
from tests.builders import make_successor

pytestmark = pytest.mark.django_db


def run(name):
    out = io.StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


def test_it_loads_the_demo_trust_once():
    assert "loaded" in run("load_demo_trust")
    counts = (School.objects.count(), User.objects.count(), RoleAssignment.objects.count())
    User.objects.filter(email="tom.baker@symphony.example").update(job_title="Changed since")
    assert "already loaded" in run("load_demo_trust")
    assert (School.objects.count(), User.objects.count(), RoleAssignment.objects.count()) == counts
    assert User.objects.get(email="tom.baker@symphony.example").job_title == "Changed since"


def test_it_has_someone_in_every_role_and_kind_with_the_documented_password():
    run("load_demo_trust")
    assert School.objects.count() >= 2
    for role in Role.values:
        assert RoleAssignment.objects.filter(role=role).exists(), role
    for kind in Kind.values:
        assert User.objects.filter(kind=kind).exists(), kind
    assert User.objects.filter(school=None, kind=Kind.EMPLOYEE).exists()  # the central trust team
    assert User.objects.get(email="tom.baker@symphony.example").check_password("symphony-demo-2026")


def test_it_loads_the_seed_policy_once_and_leaves_later_changes_alone():
    run("load_seed_policy")
    version = PolicyVersion.objects.get(policy__slug="social-media-policy")
    # A later review supersedes it: loading again must not make it published again.
    make_successor(version, label="2019-2022")
    clauses = Clause.objects.count()
    assert "already loaded" in run("load_seed_policy")
    assert PolicyVersion.objects.count() == 2 and Clause.objects.count() == clauses
    assert PolicyVersion.objects.get(pk=version.pk).is_superseded


def test_it_loads_the_demo_library_once_next_to_the_seed_policy(seed_version):
    assert "loaded" in run("load_demo_library")
    live = {v.policy.slug: v for v in PolicyVersion.objects.published().select_related("policy")}
    assert set(live) == {
        "social-media-policy",
        "staff-code-of-conduct",
        "acceptable-use-of-it",
        "keeping-children-safe-in-education-part-one",
    }
    assert live["social-media-policy"].label == "2016-2019"  # the seed stays as it was
    kcsie = live["keeping-children-safe-in-education-part-one"].policy
    assert kcsie.yearly_from.month == 9 and kcsie.yearly_from.day == 1
    assert all(
        v.approved_fingerprint and v.change == "first" for s, v in live.items() if s != "social-media-policy"
    )
    counts = (PolicyVersion.objects.count(), Clause.objects.count())
    assert "already loaded" in run("load_demo_library")
    assert (PolicyVersion.objects.count(), Clause.objects.count()) == counts


def test_it_gives_the_demo_library_its_audiences(seed_version):
    """The Code of Conduct is for employees only; KCSIE Part one for employees with the demo's tag."""
    run("load_demo_trust")
    run("load_demo_library")
    live = {v.policy.slug: v for v in PolicyVersion.objects.published().select_related("policy")}
    governor = User.objects.get(email="margaret.ellis@symphony.example")
    teacher = User.objects.get(email="tom.baker@symphony.example")
    assert governor.kind == Kind.GOVERNOR and teacher.kind == Kind.EMPLOYEE

    def waiting(person):
        return {v.policy.slug for v in waiting_for(person)}

    assert {"staff-code-of-conduct", "keeping-children-safe-in-education-part-one"} <= waiting(teacher)
    assert "acceptable-use-of-it" in waiting(governor)
    assert "staff-code-of-conduct" not in waiting(governor)
    assert "keeping-children-safe-in-education-part-one" not in waiting(governor)
    kcsie = live["keeping-children-safe-in-education-part-one"]
    assert kcsie.policy.audience_tag is not None
    # Only the people HR tagged are asked: a central-team employee without the tag is not.
    untagged = User.objects.active().filter(kind=Kind.EMPLOYEE, school__isnull=True).first()
    assert untagged is not None
    assert "keeping-children-safe-in-education-part-one" not in waiting(untagged)
