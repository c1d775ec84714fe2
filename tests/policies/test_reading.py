"""Reading the policy in a browser: home, the policy page, its versions."""

import datetime

import pytest

from policies.models import Policy, PolicyVersion
from policies.selectors import canonical_text, fingerprint, outline
from tests.builders import make_version

pytestmark = pytest.mark.django_db


def test_it_lists_the_published_policies_on_home(client, teacher, seed_version):
    client.force_login(teacher)
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Social Media Policy 2016-2019" in page
    assert 'href="/policies/social-media-policy/"' in page
    assert "Review overdue since 31 December 2019" in page


def test_it_tells_a_governor_they_follow_the_spirit(client, governor, seed_version):
    client.force_login(governor)
    assert "you follow the spirit of this policy" in client.get("/").content.decode()


def test_it_shows_the_policy_with_numbered_clauses_and_permalinks(client, teacher, seed_version):
    client.force_login(teacher)
    page = client.get("/policies/social-media-policy/").content.decode()
    assert "<h1" in page and "Social Media Policy 2016-2019" in page
    assert "Autumn 2016" in page and "Autumn 2019" in page
    assert "Mary Robson, External Team Manager" in page
    assert 'id="clause-5-3"' in page and 'href="#clause-5-3"' in page
    assert 'href="#section-5">5. Employee Responsibility</a>' in page
    # the italic emphasis of the original, as emphasis
    assert "<em>including if others implicate you in a breach of any of the terms listed above</em>" in page
    assert fingerprint(seed_version) in page
    assert "Review overdue since 31 December 2019" in page


def test_it_escapes_clause_text(client, teacher):
    version = make_version(sections={"Purpose": ['<script>alert("x")</script> and *emphasis*']})
    client.force_login(teacher)
    page = client.get(f"/policies/{version.policy.slug}/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; and <em>emphasis</em>" in page


def test_it_marks_an_older_version_as_not_current(client, teacher):
    current = make_version(label="2019-2022")
    old = make_version(policy=current.policy, label="2016-2019", status=PolicyVersion.Status.SUPERSEDED)
    client.force_login(teacher)

    listing = client.get(f"/policies/{current.policy.slug}/versions/").content.decode()
    assert "2019-2022" in listing and "2016-2019" in listing and "(current)" in listing

    page = client.get(f"/policies/{old.policy.slug}/versions/{old.pk}/").content.decode()
    assert "Not the current version" in page
    assert f'href="/policies/{current.policy.slug}/"' in page

    current_page = client.get(f"/policies/{current.policy.slug}/versions/{current.pk}/").content.decode()
    assert "Not the current version" not in current_page


def test_it_hides_drafts_from_everyone_but_hr(client, teacher, hr):
    published = make_version(label="2016-2019")
    draft = make_version(policy=published.policy, label="2026-2029", status=PolicyVersion.Status.DRAFT)
    url = f"/policies/{draft.policy.slug}/versions/{draft.pk}/"
    client.force_login(teacher)
    assert client.get(url).status_code == 404
    assert "2026-2029" not in client.get(f"/policies/{draft.policy.slug}/versions/").content.decode()
    client.force_login(hr)
    response = client.get(url)
    assert response.status_code == 200
    assert "Draft." in response.content.decode()


def test_it_numbers_clauses_from_their_order():
    version = make_version(sections={"A": ["a1", "a2"], "B": ["b1", "b2", "b3"]})
    sections = outline(version)
    assert [(s.number, s.heading) for s in sections] == [(1, "A"), (2, "B")]
    assert [c.number for c in sections[1].clauses] == ["2.1", "2.2", "2.3"]
    assert sections[1].clauses[2].anchor == "clause-2-3"


def test_it_fingerprints_the_exact_text_and_the_title_it_was_adopted_under():
    def titled(title: str, slug: str, words: str):
        policy = Policy.objects.create(title=title, slug=slug)
        return make_version(policy=policy, sections={"A": [words]})

    one = titled("Social Media Policy", "one", "Same words.")
    two = titled("Social Media Policy", "two", "Same words.")
    three = titled("Social Media Policy", "three", "Same words!")
    renamed = titled("Online Conduct Policy", "four", "Same words.")
    assert fingerprint(one) == fingerprint(two)
    assert fingerprint(one) != fingerprint(three)
    assert fingerprint(one) != fingerprint(renamed)
    assert canonical_text(outline(one)) == "# A\nSame words.\n"
    assert canonical_text(outline(one), title=one.title) == "Title: Social Media Policy\n# A\nSame words.\n"
    assert len(fingerprint(one)) == 64


def test_it_keeps_the_policy_page_to_a_constant_number_of_queries(
    client, teacher, django_assert_max_num_queries, django_assert_num_queries
):
    small = make_version(sections={f"S{i}": ["c"] * 2 for i in range(2)})
    large = make_version(sections={f"S{i}": ["c"] * 20 for i in range(15)})
    client.force_login(teacher)
    for version in (small, large):
        # The first reading of an adopted version anywhere in the trust fills the shared cache (a database
        # table): the outline's two queries, then two entries (fingerprint, rendered body) written at five
        # queries each (Django's DatabaseCache counts, looks the key up and inserts, in a savepoint).
        with django_assert_max_num_queries(19):
            assert client.get(f"/policies/{version.policy.slug}/").status_code == 200
        # Every later reading in this process: the page's five queries (session, person, roles, the live
        # version with the draft in progress, the reader's record; whether a policy for everyone waits for
        # the reader is answered in memory: policies.audience); the fingerprint and the body come from the
        # process's memory (another process reads each once from the shared cache: test below).
        with django_assert_num_queries(5):
            assert client.get(f"/policies/{version.policy.slug}/").status_code == 200


def test_it_shows_review_states_around_the_term():
    version = make_version(review=("autumn", 2019))
    assert version.review_status(datetime.date(2019, 8, 31)).state == "upcoming"
    assert version.review_status(datetime.date(2019, 9, 1)).state == "due"
    assert version.review_status(datetime.date(2019, 12, 31)).state == "due"
    overdue = version.review_status(datetime.date(2020, 1, 1))
    assert overdue.state == "overdue"
    assert overdue.label == "Review overdue since 31 December 2019 (end of Autumn 2019)"


def test_it_serves_an_adopted_versions_text_from_the_cache_but_never_a_drafts(
    client, hr, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    published = make_version(sections={"Purpose": ["Published wording."]})
    client.force_login(hr)
    with CaptureQueriesContext(connection) as first:
        assert "Published wording." in client.get(f"/policies/{published.policy.slug}/").content.decode()
    with CaptureQueriesContext(connection) as second:
        page = client.get(f"/policies/{published.policy.slug}/").content.decode()
    assert "Published wording." in page and fingerprint(published) in page
    assert not any("policies_clause" in q["sql"] for q in second.captured_queries)
    assert not any("policies_section" in q["sql"] for q in second.captured_queries)
    # The first reading wrote the fingerprint and the body to the shared cache; the second only reads them.
    assert sum("INSERT INTO" in q["sql"] and "portal_cache" in q["sql"] for q in first.captured_queries) == 2
    assert not any(q["sql"].startswith(("INSERT", "UPDATE", "DELETE")) for q in second.captured_queries)
    assert len(second.captured_queries) < len(first.captured_queries)

    draft = make_version(policy=published.policy, label="next", status=PolicyVersion.Status.DRAFT)
    url = f"/policies/{draft.policy.slug}/versions/{draft.pk}/"
    assert "First clause." in client.get(url).content.decode()
    clause = draft.clauses.get(text="First clause.")
    clause.text = "Edited draft wording."
    clause.save()
    assert "Edited draft wording." in client.get(url).content.decode()


def test_it_serves_another_process_an_adopted_versions_text_from_the_shared_cache(client, teacher):
    """Each process keeps the fingerprint and the body in its memory in front of the shared cache: a
    process that has not read the version yet (its memory empty) reads both from the shared table once,
    without loading the clauses, and then from its memory."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    version = make_version(sections={"Purpose": ["Shared wording."]})
    client.force_login(teacher)
    url = version.policy.get_absolute_url()
    assert "Shared wording." in client.get(url).content.decode()  # fills both
    caches["local"].clear()  # as another process sees it
    with CaptureQueriesContext(connection) as other_process:
        page = client.get(url).content.decode()
    assert "Shared wording." in page and fingerprint(version) in page
    assert sum("portal_cache" in q["sql"] for q in other_process.captured_queries) == 2
    assert not any("policies_clause" in q["sql"] for q in other_process.captured_queries)
    with CaptureQueriesContext(connection) as again:
        assert "Shared wording." in client.get(url).content.decode()
    assert not any("portal_cache" in q["sql"] for q in again.captured_queries)
