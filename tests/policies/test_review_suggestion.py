"""Starting a review suggests the next label and review term: the first press of "Start the draft" works."""

from datetime import date

import pytest
from django.utils import timezone

from policies.models import PolicyVersion
from policies.selectors import suggested_next_version
from symphony_portal.lib.terms import Term
from tests.builders import make_successor, make_version

pytestmark = pytest.mark.django_db


def test_it_suggests_the_same_length_of_period_starting_this_year(seed_version):
    suggestion = suggested_next_version(seed_version, today=date(2026, 11, 30))
    assert suggestion.label == "2026-2029"  # after "2016-2019", adopted this year
    assert suggestion.review_term == Term("autumn", 2029)  # reviewed in the same season at its end


def test_it_moves_on_a_year_when_the_live_version_already_has_this_years_label():
    live = make_version(label="2026-2029", review=("summer", 2029), sections={"Purpose": ["Be kind."]})
    suggestion = suggested_next_version(live, today=date(2026, 11, 30))
    assert suggestion.label == "2027-2030" and suggestion.review_term == Term("summer", 2030)


def test_it_skips_every_label_the_policy_already_used():
    old = make_version(label="2027-2029", sections={"Purpose": ["Be kind."]})
    live = make_successor(old, label="2026-2028", sections={"Purpose": ["Be kinder."]})
    assert suggested_next_version(live, today=date(2026, 3, 1)).label == "2028-2030"


def test_it_suggests_a_three_year_period_when_the_label_is_not_a_range():
    live = make_version(label="Edition 4", sections={"Purpose": ["Be kind."]})
    assert suggested_next_version(live, today=date(2026, 3, 1)).label == "2026-2029"


def test_it_prefills_the_start_page_and_the_first_press_starts_the_draft(client, hr, seed_version):
    client.force_login(hr)
    url = f"/policies/{seed_version.policy.slug}/drafts/start/"
    form = client.get(url).context["form"]
    year = timezone.localdate().year
    assert form.initial == {"label": f"{year}-{year + 3}", "review_season": "autumn", "review_year": year + 3}
    assert form.initial["label"] != seed_version.label
    response = client.post(url, form.initial)
    draft = PolicyVersion.objects.get(status=PolicyVersion.Status.DRAFT)
    assert response.status_code == 302 and response["Location"] == draft.get_draft_url()
    assert draft.label == f"{year}-{year + 3}" and draft.review_term == Term("autumn", year + 3)


def test_it_refuses_a_review_year_in_the_past_and_starts_nothing(client, hr, seed_version):
    client.force_login(hr)
    year = timezone.localdate().year
    response = client.post(
        f"/policies/{seed_version.policy.slug}/drafts/start/",
        {"label": "2030-2033", "review_season": "autumn", "review_year": year - 1},
    )
    assert response.status_code == 200
    assert f"Choose a year from {year} to {year + 10}." in response.content.decode()
    assert not PolicyVersion.objects.filter(status=PolicyVersion.Status.DRAFT).exists()


def test_it_refuses_the_start_page_to_someone_not_running_reviews(client, head, seed_version):
    client.force_login(head)
    url = f"/policies/{seed_version.policy.slug}/drafts/start/"
    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"label": "2030-2033", "review_season": "autumn", "review_year": 2030}).status_code
        == 403
    )
    assert not PolicyVersion.objects.filter(status=PolicyVersion.Status.DRAFT).exists()
