"""What issue 17's speed work on the layout, home and the policy page must not change.

The layout asks the database nothing beyond the signed-in person (session, person, roles) whoever signs
in, and a role given or taken shows in the menu at the next page. Home's list of live policies is kept in
each process's memory under what it shows, so a new publication, the person's kind and the day show at
once; what waits for the person follows an audience change at once (it is never kept). The policy page
reads the live version and the draft in progress together and answers "is this waiting for me" for a
policy for everyone without asking the database.
"""

import datetime

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix, set_urlconf

from policies import services
from policies.models import Policy
from symphony_portal.lib.urls import reverse_once
from symphony_portal.trust.models import Kind, PersonTag, Role, RoleAssignment, Tag
from tests.builders import make_successor, make_version

pytestmark = pytest.mark.django_db

WAITING_HEADING = "Waiting for your acknowledgement"


def page(client, person, url: str = "/") -> str:
    client.force_login(person)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def waiting_part(home: str) -> str:
    """The "Waiting for your acknowledgement" panel of home."""
    start = home.index(WAITING_HEADING)
    return home[start : home.index("</section>", start)]


def policies_part(home: str) -> str:
    """The "Policies that apply to you" list of home."""
    start = home.index("Policies that apply to you")
    return home[start : home.index("</section>", start)]


def audience(version, kinds, *, by, tag=None) -> None:
    """HR's "Who must acknowledge" for the version's policy: these kinds in every school, maybe a tag."""
    services.set_audience(
        version.policy,
        kinds=kinds,
        all_schools=True,
        schools=[],
        include_central_team=True,
        tag=tag,
        acknowledge_within_days=10,
        by=by,
    )


# --- The layout -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "queries", "shown", "not_shown"),
    [
        (
            "teacher",
            3,
            ["My acknowledgements", "Social media sites"],
            ["Compliance", "Import people", "Tags"],
        ),
        # HR: also whether any case is theirs to handle ("My cases": reports' rule, one EXISTS).
        (
            "hr",
            4,
            ["Compliance", "Import people", "Tags", "Exports", "Mail delivery", "Report counts"],
            ["My cases"],
        ),
        ("head", 3, ["Compliance", "My cases", "Social media sites"], ["Import people", "Exports"]),
    ],
)
def test_it_keeps_the_layout_to_the_signed_in_persons_queries(
    client, request, who, queries, shown, not_shown, django_assert_num_queries
):
    """A page that is only the layout (the "not found" page): the session, the person and their roles,
    read once for the whole menu however many entries ask about roles."""
    person = request.getfixturevalue(who)
    client.force_login(person)
    with django_assert_num_queries(queries):
        response = client.get("/no-such-page/")
    assert response.status_code == 404
    menu = response.content.decode().split('aria-label="Main"')[1].split("</nav>")[0]
    for entry in shown:
        assert f">{entry}</a>" in menu, entry
    for entry in not_shown:
        assert f">{entry}</a>" not in menu, entry


def test_it_shows_a_role_given_or_taken_in_the_menu_at_the_next_page(client, teacher):
    assert ">Import people</a>" not in page(client, teacher)
    assignment = RoleAssignment.objects.create(user=teacher, role=Role.HR)
    assert ">Import people</a>" in page(client, teacher)
    assignment.delete()
    assert ">Import people</a>" not in page(client, teacher)


def test_it_links_the_menu_to_the_same_addresses_as_before(client, hr):
    home = page(client, hr)
    for name in (
        "policies:home",
        "acknowledgements:mine",
        "acknowledgements:compliance",
        "people:import_upload",
    ):
        assert f'href="{reverse(name)}"' in home, name
    assert f'action="{reverse("logout")}"' in home


def test_it_reverses_once_what_reverse_answers_under_any_prefix_or_urlconf():
    assert reverse_once("policies:policy_detail", "a-policy") == reverse(
        "policies:policy_detail", args=["a-policy"]
    )
    try:
        set_script_prefix("/portal/")  # a deployment under a sub-path: the remembered answer is not reused
        assert reverse_once("policies:policy_detail", "a-policy") == "/portal/policies/a-policy/"
    finally:
        clear_script_prefix()
    assert reverse_once("policies:policy_detail", "a-policy") == "/policies/a-policy/"
    try:
        set_urlconf("bench.urls")  # another URLconf (the benches'): its own answers
        assert reverse_once("policies:home") == "/"
        with pytest.raises(NoReverseMatch):
            reverse_once("no-such-view")
    finally:
        set_urlconf(None)


# --- Home ---------------------------------------------------------------------------------------------


def test_it_lists_a_new_publication_on_home_at_once(client, teacher, hr):
    old = make_version(label="2016-2019")
    assert "2016-2019" in policies_part(page(client, teacher))
    new = make_successor(old, label="2026 rev. 2")
    listed = policies_part(page(client, teacher))
    assert "2026 rev. 2" in listed and "2016-2019" not in listed
    assert f'href="{new.policy.get_absolute_url()}"' in listed


def test_it_words_the_list_for_each_kind_of_person_on_the_same_day(client, teacher, governor):
    make_version()
    assert "Applies to you as a member of staff." in policies_part(page(client, teacher))
    as_governor = policies_part(page(client, governor))
    assert "As a governor, you follow the spirit of this policy." in as_governor
    assert "member of staff" not in as_governor


def test_it_shows_the_review_badge_of_the_day(client, teacher, monkeypatch):
    make_version(review=("autumn", 2030))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: datetime.date(2030, 8, 31))
    assert "Review upcoming" in policies_part(page(client, teacher))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: datetime.date(2030, 9, 2))
    assert "Review due this term" in policies_part(page(client, teacher))


def test_it_follows_an_audience_change_on_home_at_once(client, teacher, hr):
    version = make_version()
    assert version.title in waiting_part(page(client, teacher))
    audience(version, [Kind.GOVERNOR], by=hr)
    home = page(client, teacher)
    assert version.title not in waiting_part(home)  # no longer asked...
    assert version.title in policies_part(home)  # ...but the policy is still listed, as before
    tag = Tag.objects.create(slug="works-with-children", name="Works with children")
    audience(version, [Kind.EMPLOYEE], tag=tag, by=hr)
    assert version.title not in waiting_part(page(client, teacher))
    PersonTag.objects.create(person=teacher, tag=tag)
    assert version.title in waiting_part(page(client, teacher))


def test_it_leaves_the_shared_live_versions_of_home_as_they_were(teacher):
    """waiting_for marks only the versions that wait; the list of live versions home shares is read once."""
    from acknowledgements.selectors import published_versions, waiting_for

    first, second = make_version(), make_version()
    Policy.objects.filter(pk=second.policy_id).update(for_employees=False, for_trustees=False)  # governors
    versions = published_versions()
    waiting = waiting_for(teacher, versions=versions)
    assert [v.pk for v in waiting] == [first.pk]
    assert waiting[0] is next(v for v in versions if v.pk == first.pk)
    assert not hasattr(next(v for v in versions if v.pk == second.pk), "acknowledge_by")


# --- The policy page ------------------------------------------------------------------------------------


def test_it_tells_everyone_of_a_review_in_progress_and_links_only_hr_to_the_draft(
    client, teacher, hr, django_assert_num_queries
):
    version = make_version(label="2016-2019")
    draft = services.start_draft(version, label="2026", by=hr)
    as_teacher = page(client, teacher, version.policy.get_absolute_url())
    assert "Review in progress." in as_teacher and draft.get_draft_url() not in as_teacher
    as_hr = page(client, hr, version.policy.get_absolute_url())
    assert "Review in progress." in as_hr and f'<a href="{draft.get_draft_url()}">2026</a>' in as_hr


def test_it_asks_for_a_tag_audiences_acknowledgement_only_from_who_carries_the_tag(
    client, teacher, colleague, hr
):
    version = make_version()
    tag = Tag.objects.create(slug="works-with-children", name="Works with children")
    PersonTag.objects.create(person=colleague, tag=tag)
    audience(version, [Kind.EMPLOYEE], tag=tag, by=hr)
    url = version.policy.get_absolute_url()
    assert 'class="acknowledge-call"' not in page(client, teacher, url)
    assert 'class="acknowledge-call"' in page(client, colleague, url)


def test_it_links_a_version_to_what_changed_since_the_one_it_continues(
    client, teacher, django_assert_num_queries
):
    old = make_version(label="2016-2019")
    new = make_successor(old, label="2026", continues=old)
    url = new.policy.get_absolute_url()
    assert f'<a href="{new.changes_since_url(old)}">What changed since 2016-2019</a>'.replace(
        "&", "&amp;"
    ) in page(client, teacher, url)
    # Later readings: the five queries of any policy page, and the version it continues (its label).
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
