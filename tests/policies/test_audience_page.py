"""HR's "Who must acknowledge" page of a policy, and the tags HR keeps."""

import pytest

from policies.models import Policy
from symphony_portal.trust import services as trust_services
from symphony_portal.trust.models import PersonTag, Tag
from tests.builders import make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(db) -> Policy:
    return make_version(label="2026").policy


def form(**changes) -> dict:
    data = {
        "kinds": ["employee"],
        "all_schools": "no",
        "schools": [],
        "include_central_team": "on",
        "tag": "",
        "acknowledge_within_days": "15",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_it_lets_hr_set_who_must_acknowledge_and_records_the_change(client, hr, policy, harmony):
    client.force_login(hr)
    url = f"/policies/{policy.slug}/audience/"
    page = client.get(url).content.decode()
    assert "Now: <strong>Everyone</strong>" in page
    response = client.post(url, form(schools=[harmony.pk]), follow=True)
    text = response.content.decode()
    assert "Saved: Employees of Harmony Primary School and the central trust team must acknowledge" in text
    policy.refresh_from_db()
    assert (policy.for_employees, policy.for_governors, policy.for_trustees) == (True, False, False)
    assert not policy.all_schools and list(policy.audience_schools.all()) == [harmony]
    assert policy.acknowledge_within_days == 15
    assert policy.audience_changed_by == hr and policy.audience_changed_at is not None
    latest = policy.history.latest()
    assert latest.history_user == hr and latest.for_governors is False
    # The page lists the change: when, who and the audience then.
    assert "Harriet HR" in text and text.count("Employees of Harmony Primary School") >= 2


@pytest.mark.parametrize("who", ["teacher", "head", "exec_head", "governor"])
def test_it_refuses_anyone_but_hr_and_changes_nothing(client, request, who, policy):
    client.force_login(request.getfixturevalue(who))
    url = f"/policies/{policy.slug}/audience/"
    assert client.get(url).status_code == 403
    assert client.post(url, form()).status_code == 403
    policy.refresh_from_db()
    assert policy.for_governors and policy.all_schools and policy.audience_changed_at is None


def test_it_gives_a_clear_message_for_an_audience_of_nobody(client, hr, policy):
    client.force_login(hr)
    url = f"/policies/{policy.slug}/audience/"
    page = client.post(url, form(kinds=[])).content.decode()
    assert "This field is required" in page
    page = client.post(url, form(include_central_team=None)).content.decode()
    assert "Choose at least one school, or the central trust team." in page
    page = client.post(url, form(acknowledge_within_days="0")).content.decode()
    assert "greater than or equal to 1" in page
    policy.refresh_from_db()
    assert policy.all_schools and policy.for_governors and policy.acknowledge_within_days == 20


def test_it_answers_404_for_a_policy_that_does_not_exist(client, hr):
    client.force_login(hr)
    assert client.get("/policies/no-such-policy/audience/").status_code == 404


# --- Tags -------------------------------------------------------------------------------------------------


def test_it_lets_hr_make_a_tag_and_give_it_by_email(client, hr, teacher, governor):
    client.force_login(hr)
    response = client.post("/people/tags/", {"name": "  Works directly  with children "}, follow=True)
    tag = Tag.objects.get()
    assert tag.name == "Works directly with children"
    assert response.redirect_chain[-1][0] == f"/people/tags/{tag.slug}/"
    response = client.post(
        f"/people/tags/{tag.slug}/",
        {"emails": f"{teacher.email.upper()}\n{governor.email}, {teacher.email}"},
        follow=True,
    )
    assert "2 people given the tag" in response.content.decode()
    rows = PersonTag.objects.filter(tag=tag)
    assert {r.person for r in rows} == {teacher, governor} and {r.added_by for r in rows} == {hr}
    assert rows.first().history.count() == 1  # recorded
    # Again: nobody new, and the first dates are kept.
    first = {r.pk: r.added_at for r in rows}
    response = client.post(f"/people/tags/{tag.slug}/", {"emails": teacher.email}, follow=True)
    assert (
        "0 people given the tag" in response.content.decode()
        and "1 already had it" in response.content.decode()
    )
    assert {r.pk: r.added_at for r in PersonTag.objects.filter(tag=tag)} == first


def test_it_tags_nobody_when_an_address_is_unknown_or_has_left(client, hr, teacher, harmony):
    from tests.builders import make_person

    leaver = make_person("Larry Leaver", school=harmony, is_active=False)
    tag = trust_services.create_tag("First aiders", by=hr)
    client.force_login(hr)
    page = client.post(
        f"/people/tags/{tag.slug}/", {"emails": f"{teacher.email}\nnobody@example.org\n{leaver.email}"}
    ).content.decode()
    assert "nobody@example.org" in page and leaver.email in page and "Nobody was tagged" in page
    assert not PersonTag.objects.exists()


def test_it_refuses_a_second_tag_of_the_same_name(client, hr):
    trust_services.create_tag("First aiders", by=hr)
    client.force_login(hr)
    page = client.post("/people/tags/", {"name": "first AIDERS"}).content.decode()
    assert "There is already a tag called" in page
    assert Tag.objects.count() == 1


def test_it_lets_hr_take_a_tag_away(client, hr, teacher):
    tag = trust_services.create_tag("First aiders", by=hr)
    trust_services.tag_people(tag, [teacher], by=hr)
    client.force_login(hr)
    response = client.post(f"/people/tags/{tag.slug}/people/{teacher.pk}/remove/", follow=True)
    assert "no longer has the tag" in response.content.decode()
    assert not PersonTag.objects.exists()
    assert PersonTag.history.filter(history_type="-", history_user=hr).count() == 1


@pytest.mark.parametrize("who", ["teacher", "head", "exec_head", "governor"])
def test_it_refuses_the_tag_pages_to_anyone_but_hr(client, request, who, hr, teacher):
    tag = trust_services.create_tag("First aiders", by=hr)
    client.force_login(request.getfixturevalue(who))
    assert client.get("/people/tags/").status_code == 403
    assert client.post("/people/tags/", {"name": "Sneaky"}).status_code == 403
    assert client.post(f"/people/tags/{tag.slug}/", {"emails": teacher.email}).status_code == 403
    trust_services.tag_people(tag, [teacher], by=hr)
    assert client.post(f"/people/tags/{tag.slug}/people/{teacher.pk}/remove/").status_code == 403
    assert Tag.objects.count() == 1 and PersonTag.objects.count() == 1


def test_it_escapes_a_tag_name(client, hr):
    trust_services.create_tag("<script>alert(1)</script>", by=hr)
    client.force_login(hr)
    page = client.get("/people/tags/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_it_keeps_the_audience_out_of_the_administration(client, hr, policy):
    client.force_login(hr)
    page = client.get(f"/admin/policies/policy/{policy.pk}/change/").content.decode()
    assert 'name="title"' in page
    assert 'name="for_governors"' not in page and 'name="acknowledge_within_days"' not in page
