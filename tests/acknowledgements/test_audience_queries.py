"""The compliance pages, the outstanding list and home cost the same number of queries for 3 policies and
20 people as for 30 policies and 200, with audiences narrowed by kind, school and tag, policies acknowledged
every year, and live versions that carry over the acknowledgements of the version before (minor changes)."""

import contextlib
import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from acknowledgements.services import NotInAudienceError, acknowledge
from policies.services import set_audience, set_yearly_round
from symphony_portal.trust import services as trust_services
from symphony_portal.trust.models import Kind, Role
from tests.builders import make_person, make_school, make_successor, make_version

pytestmark = pytest.mark.django_db

# One bound for both sizes (the menu's own checks included).
MAX_QUERIES = 13


def build_trust(policies: int, people: int) -> dict:
    harmony, crescendo = make_school("Harmony Primary School"), make_school("Crescendo Academy")
    hr = make_person("Harriet HR", roles=[Role.HR])
    head = make_person("Hannah Head", school=harmony, roles=[(Role.HEAD_TEACHER, harmony)])
    tag = trust_services.create_tag("Works directly with children", by=hr)
    kinds = itertools.cycle([Kind.EMPLOYEE, Kind.EMPLOYEE, Kind.GOVERNOR, Kind.TRUSTEE])
    schools = itertools.cycle([harmony, crescendo, None])
    crowd = []
    for n in range(people - 2):
        kind = next(kinds)
        crowd.append(
            make_person(f"Person {n}", kind=kind, school=None if kind == Kind.TRUSTEE else next(schools))
        )
    trust_services.tag_people(tag, crowd[::3], by=hr)
    versions = []
    for n in range(policies):
        version = make_version(label=f"v{n}")
        shape = n % 3
        set_audience(
            version.policy,
            kinds=[Kind.EMPLOYEE] if shape == 1 else list(Kind.values),
            all_schools=shape != 2,
            schools=[harmony] if shape == 2 else [],
            include_central_team=shape != 2,
            tag=tag if shape == 0 else None,
            acknowledge_within_days=10,
            by=hr,
        )
        if n % 5 == 1:  # acknowledged again every year, the round open now began last 1 September
            set_yearly_round(version.policy, yearly_from=datetime.date(2025, 9, 1), by=hr)
        versions.append(version)
    for person in crowd[1::4]:
        for version in versions[:2]:
            with contextlib.suppress(NotInAudienceError):  # outside that policy's audience: nothing recorded
                acknowledge(version, by=person)
    for n, version in enumerate(versions):
        if n % 4 == 0:  # a minor change: the live version counts the acknowledgements of the one before
            make_successor(version, label=f"v{n} rev. 2", change="minor", carries_over_from=version)
    return {"hr": hr, "head": head, "harmony": harmony, "teacher": crowd[0]}


def page_queries(client, who, url) -> int:
    client.force_login(who)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(("policies", "people"), [(3, 20), (30, 200)])
def test_it_keeps_the_pages_to_a_constant_number_of_queries(
    client, django_assert_max_num_queries, policies, people
):
    trust = build_trust(policies, people)
    pages = [
        (trust["hr"], "/acknowledgements/compliance/"),
        (trust["hr"], "/acknowledgements/outstanding/"),
        (trust["hr"], "/acknowledgements/compliance/central-team/"),
        (trust["head"], f"/acknowledgements/compliance/schools/{trust['harmony'].slug}/"),
        (trust["head"], "/"),
        (trust["teacher"], "/"),
        (trust["hr"], "/"),
    ]
    for who, url in pages:
        client.force_login(who)
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(url)
        assert response.status_code == 200
    # The figures for the record (pytest -s prints them).
    print(policies, people, [(who.full_name, url, page_queries(client, who, url)) for who, url in pages])
