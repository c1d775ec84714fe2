"""Who sees which part of the register, the HR download, and pages that do not slow as the trust grows."""

import csv
import datetime
import io
import itertools

import pytest
from django.utils import timezone

from approvals import services
from tests.approvals.builders import make_approved_site, make_group, make_site_request
from tests.builders import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(teacher, colleague, head, other_head, crescendo_teacher, central_staff, hr, exec_head):
    return {
        "harmony": make_approved_site(
            teacher,
            runners=[teacher, colleague],
            by=head,
            name="Harmony Y6",
            link="https://example.org/harmony",
        ),
        "crescendo": make_approved_site(
            crescendo_teacher, runners=[crescendo_teacher, other_head], by=other_head, name="Crescendo Band"
        ),
        "central": make_approved_site(
            central_staff, runners=[central_staff, hr], by=exec_head, name="Trust Careers"
        ),
        "waiting": make_site_request(colleague, runners=[colleague, teacher], name="Harmony Waiting"),
    }


def test_it_shows_staff_only_their_schools_approved_sites_name_platform_and_link(
    client_for, sites, other_teacher
):
    page = client_for(other_teacher).get("/approvals/").content.decode()

    assert "Harmony Y6" in page and "https://example.org/harmony" in page and "Facebook" in page
    assert "Crescendo Band" not in page and "Trust Careers" not in page and "Harmony Waiting" not in page
    # Not the request itself: its purpose, runners and link to the request stay with the Head.
    assert "Class news" not in page and "Colin Colleague" not in page
    assert f"/approvals/requests/{sites['harmony'].pk}/" not in page


def test_it_shows_a_head_their_schools_register_in_full(client_for, sites, head, other_head):
    page = client_for(head).get("/approvals/").content.decode()
    assert (
        "Harmony Y6" in page
        and "Colin Colleague" in page
        and f"/approvals/requests/{sites['harmony'].pk}/" in page
    )
    assert "Crescendo Band" not in page and "Trust Careers" not in page

    other = client_for(other_head).get("/approvals/").content.decode()
    assert "Crescendo Band" in other and "Harmony Y6" not in other


@pytest.mark.parametrize("who", ["exec_head", "hr"])
def test_it_shows_the_executive_head_and_hr_every_school(client_for, sites, request, who):
    client = client_for(request.getfixturevalue(who))
    page = client.get("/approvals/").content.decode()
    assert all(name in page for name in ("Harmony Y6", "Crescendo Band", "Trust Careers"))
    assert "Harmony Waiting" not in page

    one_school = client.get("/approvals/?school=crescendo-academy").content.decode()
    assert "Crescendo Band" in one_school and "Harmony Y6" not in one_school


def test_it_gives_hr_a_csv_of_the_register_that_spreadsheets_cannot_run(
    client_for, teacher, colleague, head, hr
):
    make_approved_site(
        teacher,
        runners=[teacher, colleague],
        by=head,
        name='=HYPERLINK("https://evil.test","Click")',
        purpose="+SUM(1,2)",
        audience="@parents",
    )
    make_group(colleague, name="-2+3 group", purpose="=cmd|' /C calc'!A0")

    response = client_for(hr).get("/approvals/register.csv")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["Record", "School", "Platform", "Name"]
    site, group = rows[1], rows[2]
    assert site[0] == "Social media site" and site[1] == "Harmony Primary School"
    assert site[3] == '\'=HYPERLINK("https://evil.test","Click")'
    assert site[5] == "'+SUM(1,2)" and site[6] == "'@parents"
    assert site[7] == "Colin Colleague; Tess Teacher"
    assert group[0] == "Employee group" and group[3] == "'-2+3 group" and group[5] == "'=cmd|' /C calc'!A0"
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


@pytest.mark.parametrize(
    ("who", "status"), [("teacher", 403), ("head", 403), ("exec_head", 403), ("governor", 403)]
)
def test_it_keeps_the_download_for_hr(client_for, sites, request, who, status):
    assert client_for(request.getfixturevalue(who)).get("/approvals/register.csv").status_code == status


_serial = itertools.count()


def _grow(n, *, harmony, crescendo, head, other_head):
    """n more approved sites at each school, each with three runners, some due, plus groups."""
    for _ in range(n):
        i = next(_serial)
        for school, decider in ((harmony, head), (crescendo, other_head)):
            people = [make_person(f"Runner {school.slug} {i} {k}", school=school) for k in range(3)]
            site = make_approved_site(
                people[0],
                runners=people,
                by=decider,
                name=f"Site {school.slug} {i}",
                review_due_on=timezone.localdate() + datetime.timedelta(days=i % 40),
            )
            make_site_request(people[1], runners=people[1:], name=f"Waiting {school.slug} {i}")
            group = make_group(people[2], name=f"Group {school.slug} {i}")
            services.offer_group(group, by=people[2], to=people[0])
            assert site.pk


# (who, page, most queries it may take whatever the size of the trust)
PAGES = [
    ("head", "/approvals/", 6),
    ("hr", "/approvals/", 7),
    ("other_teacher", "/approvals/", 7),
    ("head", "/approvals/requests/", 7),
    ("exec_head", "/approvals/requests/", 7),
    ("head", "/approvals/due/", 6),
    ("hr", "/approvals/groups/", 6),
    ("head", "/", 9),
]


def test_it_keeps_the_number_of_queries_constant_as_the_trust_grows(
    client_for, request, django_assert_max_num_queries, harmony, crescendo, head, other_head, exec_head, hr
):
    request.getfixturevalue("other_teacher")
    sizes = {}
    for grow_by in (2, 8):
        _grow(grow_by, harmony=harmony, crescendo=crescendo, head=head, other_head=other_head)
        for who, url, bound in PAGES:
            client = client_for(request.getfixturevalue(who))
            with django_assert_max_num_queries(bound):
                response = client.get(url)
            assert response.status_code == 200
            sizes.setdefault((who, url), []).append(len(response.content))
    # the larger trust really is on each page
    assert all(large > small for small, large in sizes.values()), sizes


def test_it_keeps_the_download_queries_constant_as_the_trust_grows(
    client_for, django_assert_max_num_queries, harmony, crescendo, head, other_head, hr
):
    client = client_for(hr)
    _grow(2, harmony=harmony, crescendo=crescendo, head=head, other_head=other_head)
    with django_assert_max_num_queries(6):
        small = b"".join(client.get("/approvals/register.csv").streaming_content)
    _grow(8, harmony=harmony, crescendo=crescendo, head=head, other_head=other_head)
    with django_assert_max_num_queries(6):
        large = b"".join(client.get("/approvals/register.csv").streaming_content)
    assert large.count(b"\n") == small.count(b"\n") + 32  # 16 more sites and 16 more groups
