"""The review panel on the home page: HR and the Executive Head Teacher see it; nobody else does."""

import io

import pytest
from django.core.management import call_command

from policies import services
from policies.models import Clause, PolicyVersion
from tests.builders import make_version

pytestmark = pytest.mark.django_db


def test_it_shows_the_review_status_to_hr_with_a_link_to_the_draft(client, hr, seed_version):
    draft = services.start_draft(seed_version, label="2026-2029", by=hr)
    client.force_login(hr)
    page = client.get("/").content.decode()
    assert '<h2 id="reviews-heading" class="h4">Policy reviews</h2>' in page
    panel = page.split('id="policy-reviews"')[1].split("</section>")[0]
    assert "Review overdue since 31 December 2019" in panel
    assert (
        f'Review in progress: <a href="/policies/social-media-policy/drafts/{draft.pk}/">draft 2026-2029</a>'
        in panel
    )
    assert 'href="/#policy-reviews">Policy reviews</a>' in page  # HR's menu link


def test_it_offers_hr_to_start_a_review_when_none_is_in_progress(client, hr, seed_version):
    client.force_login(hr)
    panel = client.get("/").content.decode().split('id="policy-reviews"')[1]
    assert 'href="/policies/social-media-policy/drafts/start/"' in panel


def test_it_shows_the_executive_head_the_status_without_the_draft(client, hr, exec_head, seed_version):
    services.start_draft(seed_version, label="2026-2029", by=hr)
    client.force_login(exec_head)
    page = client.get("/").content.decode()
    panel = page.split('id="policy-reviews"')[1].split("</section>")[0]
    assert "Review overdue since 31 December 2019" in panel and "Review in progress." in panel
    assert "drafts/" not in page and "Policy reviews</a>" not in page


@pytest.mark.parametrize("who", ["teacher", "head", "governor"])
def test_it_shows_nothing_to_anyone_else(client, who, request, seed_version):
    client.force_login(request.getfixturevalue(who))
    page = client.get("/").content.decode()
    assert "Policy reviews" not in page and "policy-reviews" not in page


@pytest.mark.parametrize("policies", [1, 8])
def test_it_keeps_the_home_page_queries_constant(client, hr, policies, django_assert_max_num_queries):
    for n in range(policies):
        current = make_version(label=f"v{n}")
        services.start_draft(current, label=f"next{n}", by=hr)
    client.force_login(hr)
    with django_assert_max_num_queries(8):
        assert client.get("/").content.decode().count("Review in progress") == policies


def test_it_loads_the_demo_review_once(db):
    out = io.StringIO()
    for command in ("load_demo_trust", "load_seed_policy", "load_demo_review"):
        call_command(command, stdout=out)
    draft = PolicyVersion.objects.get(status="draft")
    assert draft.label == "2026-2029" and draft.continues.label == "2016-2019"
    edited = draft.clauses.exclude(revision=1)
    assert edited.count() == 2 and "TikTok" in edited.first().text
    assert draft.clauses.count() == draft.continues.clauses.count() + 1
    assert {h.history_user.email for h in Clause.history.filter(version_id=draft.pk)} == {
        "priya.shah@symphony.example"
    }
    counts = (PolicyVersion.objects.count(), Clause.objects.count())
    call_command("load_demo_review", stdout=out)
    assert (PolicyVersion.objects.count(), Clause.objects.count()) == counts
    assert "demo_review: already loaded, left as it is." in out.getvalue()
