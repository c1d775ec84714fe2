"""Heads see their school; the Executive Head and HR see the whole trust, the outstanding list and the CSV."""

import csv
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from acknowledgements.models import Acknowledgement
from symphony_portal.trust.models import Kind, Role, RoleAssignment, User
from tests.builders import make_person

from .conftest import acknowledged, publish_successor

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_it_shows_a_head_their_school_by_kind_with_names_outstanding_and_days(
    client, head, teacher, colleague, other_teacher, governor, other_head, version
):
    version.refresh_from_db()
    acknowledged(version, teacher, governor)
    client.force_login(head)
    page = client.get("/acknowledgements/compliance/schools/harmony-primary/").content.decode()
    # Harmony: Hannah, Tess, Colin, Olive (employees) and Gwen (governor); Oscar is at Crescendo.
    assert "2 of 5</strong> acknowledged (40%)" in page
    assert "Employees: <strong>1</strong> of 4 (25%)" in page
    assert "Governors: <strong>1</strong> of 1 (100%)" in page
    for name in ("Colin Colleague", "Olive Otherteacher", "Hannah Head"):
        assert f'<td data-label="Name">{name}</td>' in page
    assert "Tess Teacher" not in page and "Oscar Otherhead" not in page
    days = (
        (timezone.localdate() - timezone.localdate(version.published_at)).days if version.published_at else 0
    )
    assert version.published_at is None or f"{days} day" in page


def test_it_counts_only_the_current_version_and_the_people_still_here(
    client, head, teacher, colleague, version
):
    acknowledged(version, teacher, colleague)
    colleague.is_active = False
    colleague.save()
    client.force_login(head)
    page = client.get("/acknowledgements/compliance/schools/harmony-primary/").content.decode()
    assert "1 of 2</strong> acknowledged" in page  # Hannah and Tess; Colin has left
    publish_successor(version)
    page = client.get("/acknowledgements/compliance/schools/harmony-primary/").content.decode()
    assert "0 of 2</strong> acknowledged" in page
    assert Acknowledgement.objects.count() == 2  # the old records stay


def test_it_gives_another_schools_head_and_staff_not_found(client, head, other_head, teacher, version):
    client.force_login(other_head)
    assert client.get("/acknowledgements/compliance/schools/harmony-primary/").status_code == 404
    assert client.get("/acknowledgements/compliance/schools/crescendo-academy/").status_code == 200
    for url in ("/acknowledgements/compliance/central-team/", "/acknowledgements/outstanding/",
                "/acknowledgements/register.csv"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    client.force_login(teacher)
    assert client.get("/acknowledgements/compliance/").status_code == 404


def test_it_shows_the_executive_head_every_school_the_central_team_and_the_trust(
    client, exec_head, hr, head, other_head, teacher, trustee, governor, version
):
    acknowledged(version, teacher, trustee, hr)
    client.force_login(exec_head)
    page = client.get("/acknowledgements/compliance/").content.decode()
    for name in ("Harmony Primary School", "Crescendo Academy", "Central trust team"):
        assert name in page
    assert "Whole trust: 3 of 7 acknowledged (43%)" in page
    assert 'href="/acknowledgements/compliance/schools/crescendo-academy/"' in page
    central = client.get("/acknowledgements/compliance/central-team/").content.decode()
    assert "2 of 3</strong> acknowledged" in central  # Eve outstanding; Harriet and Trevor done
    assert (
        '<td data-label="Name">Eve Executive</td>' in central
        and "Trustees: <strong>1</strong> of 1" in central
    )


def test_it_lists_everyone_outstanding_with_their_school_and_reminders(client, hr, head, other_head, version):
    leaver = make_person("Larry Leaver", school=head.school, is_active=False)
    client.force_login(hr)
    page = client.get("/acknowledgements/outstanding/").content.decode()
    assert "3 people have not acknowledged it yet." in page
    assert (
        '<td data-label="Name">Oscar Otherhead</td>' in page
        and '<td data-label="School or team">Crescendo Academy</td>' in page
    )
    assert leaver.full_name not in page


def test_it_downloads_the_register_with_formulas_neutralised(client, hr, harmony, version):
    sneaky = make_person('=HYPERLINK("http://evil")', school=harmony, job_title="+SUM(A1)")
    acknowledged(version, sneaky)
    make_person("@waiting", school=harmony)
    client.force_login(hr)
    response = client.get("/acknowledgements/register.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:3] == ["Policy", "Version", "Name"]
    done = next(r for r in rows if r[8] == "Acknowledged")
    assert done[2] == '\'=HYPERLINK("http://evil")' and done[7] == "'+SUM(A1)"
    assert done[11] == Acknowledgement.objects.get().fingerprint
    waiting = {r[2] for r in rows if r[8] in ("Waiting", "Overdue")}
    assert waiting == {"'@waiting", "Harriet HR"}


def generated_trust(people: int) -> dict:
    call_command("generate_trust", schools=3, people=people, seed=7, stdout=io.StringIO())
    hr = RoleAssignment.objects.get(role=Role.HR, user__email__endswith="generated.symphony.test").user
    head = RoleAssignment.objects.filter(role=Role.HEAD_TEACHER).select_related("user", "school").first()
    return {"hr": hr, "head": head.user, "school": head.school}


# One bound for every size: the pages cost the same number of queries for 10 people as for 1,000.
# (The menu's case-list check is one of them.)
MAX_QUERIES = 11


@pytest.mark.parametrize("people", [10, 1000])
def test_it_keeps_the_compliance_pages_and_csv_to_a_constant_number_of_queries(
    client, seed_version, django_assert_max_num_queries, people
):
    trust = generated_trust(people)
    assert User.objects.count() == people
    assert Acknowledgement.objects.count() > 0
    client.force_login(trust["hr"])
    for url in (
        "/acknowledgements/compliance/",
        "/acknowledgements/compliance/central-team/",
        f"/acknowledgements/compliance/schools/{trust['school'].slug}/",
        "/acknowledgements/outstanding/",
    ):
        with django_assert_max_num_queries(MAX_QUERIES):
            assert client.get(url).status_code == 200
    with django_assert_max_num_queries(MAX_QUERIES):
        rows = csv_rows(client.get("/acknowledgements/register.csv"))
    assert len(rows) == 1 + Acknowledgement.objects.count() + User.objects.active().count() - (
        Acknowledgement.objects.filter(person__is_active=True).count()
    )
    client.force_login(trust["head"])
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(f"/acknowledgements/compliance/schools/{trust['school'].slug}/").status_code == 200
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get("/").status_code == 200


def people_and_acknowledgements() -> tuple[list, list]:
    return (
        list(User.objects.order_by("email").values_list("email", "full_name", "kind", "school__slug")),
        list(
            Acknowledgement.objects.order_by("person__email").values_list("person__email", "acknowledged_at")
        ),
    )


def test_it_generates_the_same_trust_of_every_kind_from_the_same_seed(seed_version):
    with pytest.raises(RuntimeError), transaction.atomic():
        generated_trust(300)
        first_run = people_and_acknowledgements()
        raise RuntimeError("roll the first run back")
    assert not User.objects.exists()
    trust = generated_trust(300)
    people, acks = people_and_acknowledgements()
    assert (people, [email for email, _ in acks]) == (first_run[0], [email for email, _ in first_run[1]])
    kinds = {kind for _, _, kind, _ in people}
    assert len(people) == 300 and kinds == set(Kind.values)
    assert RoleAssignment.objects.filter(role=Role.HEAD_TEACHER).count() == 3
    assert trust["hr"].kind == Kind.EMPLOYEE and trust["hr"].school is None
    share = Acknowledgement.objects.count() / 300
    assert 0.6 < share < 0.8
    assert set(Acknowledgement.objects.values_list("fingerprint", flat=True)) == {
        Acknowledgement.objects.first().fingerprint
    }
    with pytest.raises(Exception, match="already"):
        call_command("generate_trust", schools=3, people=300, seed=7, stdout=io.StringIO())
