"""HR's review pages: literal URLs, the database afterwards, and the wrong person refused."""

import datetime

import pytest
from django.utils import timezone

from policies import services
from policies.models import Clause, PolicyVersion, Section
from tests.builders import make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def current():
    return make_version(
        label="2016-2019",
        sections={"Purpose": ["Alpha wording.", "Bravo wording."], "Use": ["Charlie wording."]},
    )


@pytest.fixture
def draft(current, hr):
    return services.start_draft(current, label="2026-2029", by=hr)


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


PUBLISH_MATERIAL = {"change": "material", "reason": "A new section on messaging apps."}


def base(version) -> str:
    return f"/policies/{version.policy.slug}/drafts/{version.pk}/"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_it_starts_a_draft_from_the_policy_page(hr_client, current, hr):
    page = hr_client.get(f"/policies/{current.policy.slug}/").content.decode()
    assert f'href="/policies/{current.policy.slug}/drafts/start/"' in page
    response = hr_client.post(
        f"/policies/{current.policy.slug}/drafts/start/",
        {"label": "2026-2029", "review_season": "autumn", "review_year": timezone.localdate().year + 3},
        follow=True,
    )
    draft = PolicyVersion.objects.get(policy=current.policy, status="draft")
    assert response.redirect_chain[-1][0] == base(draft)
    assert draft.label == "2026-2029" and draft.continues == current and draft.clauses.count() == 3
    assert "Draft 2026-2029 started from 2016-2019" in messages_of(response)[0]


def test_it_refuses_to_let_staff_start_a_draft(client, teacher, current):
    client.force_login(teacher)
    assert client.post(f"/policies/{current.policy.slug}/drafts/start/", {"label": "x"}).status_code == 403
    assert not PolicyVersion.objects.filter(status="draft").exists()


def test_it_hides_drafts_from_everyone_but_hr(client, draft, teacher, head, exec_head):
    clause = draft.clauses.first()
    for person in (teacher, head, exec_head):
        client.force_login(person)
        assert client.get(base(draft)).status_code == 404
        response = client.post(f"{base(draft)}clauses/{clause.pk}/edit/", {"text": "Hacked.", "revision": 1})
        assert response.status_code == 404
        assert (
            client.get(
                f"/policies/{draft.policy.slug}/compare/?from={draft.continues_id}&to={draft.pk}"
            ).status_code
            == 404
        )
    assert Clause.objects.get(pk=clause.pk).text == "Alpha wording."


def test_it_shows_review_in_progress_with_a_link_for_hr_only(client, draft, teacher, hr):
    client.force_login(hr)
    page = client.get(f"/policies/{draft.policy.slug}/").content.decode()
    assert "Review in progress." in page and f'href="{base(draft)}"' in page
    client.force_login(teacher)
    page = client.get(f"/policies/{draft.policy.slug}/").content.decode()
    assert "Review in progress." in page and "drafts/" not in page and "2026-2029" not in page


def test_it_shows_the_draft_overview_with_its_clauses_and_counts(hr_client, draft):
    page = hr_client.get(base(draft)).content.decode()
    assert "Draft 2026-2029 of the" in page and "Bravo wording." in page
    assert "0 changed" in page and "3 unchanged" in page
    assert "No approval recorded yet" in page and "/publish/" not in page


def test_it_saves_a_clause_edit_with_history_and_a_message(hr_client, draft, hr):
    clause = draft.clauses.get(text="Alpha wording.")
    response = hr_client.post(
        f"{base(draft)}clauses/{clause.pk}/edit/",
        {
            "text": "Alpha, <b>new</b> wording.",
            "style": "paragraph",
            "section": clause.section_id,
            "revision": 1,
        },
        follow=True,
    )
    clause.refresh_from_db()
    assert clause.text == "Alpha, <b>new</b> wording." and clause.revision == 2
    assert clause.history.latest("history_date").history_user == hr
    assert messages_of(response) == ["Clause 1.1 saved."]
    assert "Alpha, &lt;b&gt;new&lt;/b&gt; wording." in response.content.decode()


def test_it_refuses_the_second_of_two_concurrent_edits_and_keeps_its_text(hr_client, draft, hr):
    clause = draft.clauses.get(text="Bravo wording.")
    url = f"{base(draft)}clauses/{clause.pk}/edit/"
    form = {"style": "paragraph", "section": clause.section_id, "revision": 1}
    # Both HR people opened the clause at revision 1; the first saves.
    hr_client.post(url, {**form, "text": "First person's wording."})
    response = hr_client.post(url, {**form, "text": "Second person's wording."})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this clause while you were editing it" in page
    assert "Second person&#x27;s wording." in page  # kept in the form
    assert "First person&#x27;s wording." in page  # shown as the wording saved now
    assert 'name="revision" value="2"' in page
    assert Clause.objects.get(pk=clause.pk).text == "First person's wording."
    # Having seen the saved wording, they save again on purpose.
    hr_client.post(url, {**form, "revision": 2, "text": "Second person's wording."})
    assert Clause.objects.get(pk=clause.pk).text == "Second person's wording."


def test_it_adds_a_clause_after_another(hr_client, draft):
    purpose = draft.sections.get(heading="Purpose")
    alpha = purpose.clauses.get(text="Alpha wording.")
    response = hr_client.post(
        f"{base(draft)}sections/{purpose.pk}/clauses/add/",
        {"text": "  Between.  ", "style": "bullet", "after": alpha.pk},
        follow=True,
    )
    assert list(purpose.clauses.order_by("position").values_list("text", flat=True)) == [
        "Alpha wording.",
        "Between.",
        "Bravo wording.",
    ]
    assert messages_of(response) == ["Clause 1.2 added."]


def test_it_asks_before_removing_a_clause(hr_client, draft):
    clause = draft.clauses.get(text="Charlie wording.")
    page = hr_client.get(f"{base(draft)}clauses/{clause.pk}/remove/").content.decode()
    assert "Remove clause 2.1?" in page and "Charlie wording." in page
    assert Clause.objects.filter(pk=clause.pk).exists()
    response = hr_client.post(f"{base(draft)}clauses/{clause.pk}/remove/", follow=True)
    assert not Clause.objects.filter(pk=clause.pk).exists()
    assert "Clause 2.1 removed" in messages_of(response)[0]


def test_it_moves_clauses_and_sections(hr_client, draft):
    bravo = draft.clauses.get(text="Bravo wording.")
    response = hr_client.post(f"{base(draft)}clauses/{bravo.pk}/move/", {"direction": "up"}, follow=True)
    assert list(
        draft.sections.get(heading="Purpose").clauses.order_by("position").values_list("text", flat=True)
    ) == [
        "Bravo wording.",
        "Alpha wording.",
    ]
    assert messages_of(response) == ["Clause moved up: it is now 1.1."]
    use = draft.sections.get(heading="Use")
    response = hr_client.post(f"{base(draft)}sections/{use.pk}/move/", {"direction": "up"}, follow=True)
    assert list(draft.sections.order_by("position").values_list("heading", flat=True)) == ["Use", "Purpose"]
    assert messages_of(response) == ["Section moved up: it is now section 1."]
    response = hr_client.post(f"{base(draft)}sections/{use.pk}/move/", {"direction": "up"}, follow=True)
    assert messages_of(response) == ["This section is already the first one."]
    assert (
        hr_client.post(f"{base(draft)}sections/{use.pk}/move/", {"direction": "sideways"}).status_code == 400
    )
    assert hr_client.get(f"{base(draft)}sections/{use.pk}/move/").status_code == 405


def test_it_adds_renames_and_removes_a_section(hr_client, draft):
    hr_client.post(f"{base(draft)}sections/add/", {"heading": "Artificial intelligence"})
    section = draft.sections.get(heading="Artificial intelligence")
    assert section.position == 3
    hr_client.post(f"{base(draft)}sections/{section.pk}/edit/", {"heading": "AI tools"})
    assert Section.objects.get(pk=section.pk).heading == "AI tools"
    use = draft.sections.get(heading="Use")
    assert (
        "Its clauses are removed with it"
        in hr_client.get(f"{base(draft)}sections/{use.pk}/remove/").content.decode()
    )
    response = hr_client.post(f"{base(draft)}sections/{use.pk}/remove/", follow=True)
    assert list(draft.sections.order_by("position").values_list("heading", flat=True)) == [
        "Purpose",
        "AI tools",
    ]
    assert messages_of(response) == ["Section 2 removed with its 1 clauses."]


def test_it_edits_the_version_details_and_reports_bad_input(hr_client, draft):
    form = {
        "label": "2026-2029",
        "adopted_season": "autumn",
        "adopted_year": "",
        "review_season": "autumn",
        "review_year": 2029,
        "applies_to": "All staff.",
        "developed_by": "HR.",
    }
    response = hr_client.post(f"{base(draft)}details/", form)
    assert "Give both the adoption term and its year, or neither." in response.content.decode()
    response = hr_client.post(f"{base(draft)}details/", {**form, "adopted_year": 2026}, follow=True)
    draft.refresh_from_db()
    assert str(draft.adopted_term) == "Autumn 2026" and draft.applies_to == "All staff."
    assert messages_of(response) == ["The version's details were saved."]


def test_it_records_the_approval_then_publishes_after_confirmation(hr_client, draft, hr, teacher):
    response = hr_client.post(
        f"{base(draft)}approval/",
        {"approved_by_body": "Board of Trustees", "approved_on": "2026-07-14", "minute_reference": "BT/26/5"},
        follow=True,
    )
    draft.refresh_from_db()
    assert (draft.approved_by_body, draft.approved_on, draft.approval_minute_reference) == (
        "Board of Trustees",
        datetime.date(2026, 7, 14),
        "BT/26/5",
    )
    assert draft.approval_recorded_by == hr
    assert "Approval recorded: Board of Trustees, 14 July 2026" in messages_of(response)[0]

    confirm = hr_client.get(f"{base(draft)}publish/").content.decode()
    assert "Publish 2026-2029" in confirm and "marks 2016-2019 as superseded" in confirm
    assert PolicyVersion.objects.get(pk=draft.pk).is_draft  # looking is not publishing
    response = hr_client.post(f"{base(draft)}publish/", PUBLISH_MATERIAL, follow=True)
    assert response.redirect_chain[-1][0] == f"/policies/{draft.policy.slug}/"
    assert PolicyVersion.objects.get(pk=draft.pk).is_published
    assert PolicyVersion.objects.get(pk=draft.continues_id).is_superseded
    assert "is published and frozen" in messages_of(response)[0]
    assert hr_client.get(base(draft)).status_code == 404  # no longer a draft


def test_it_refuses_to_publish_without_approval(hr_client, draft):
    page = hr_client.get(f"{base(draft)}publish/").content.decode()
    assert "cannot be published yet" in page and "<form" not in page.split("<main")[1].split("cannot")[0]
    response = hr_client.post(f"{base(draft)}publish/", PUBLISH_MATERIAL, follow=True)
    assert PolicyVersion.objects.get(pk=draft.pk).is_draft
    assert messages_of(response) == [
        "Record the approval (who approved it, when, the minute) before publishing."
    ]
    response = hr_client.post(
        f"{base(draft)}approval/",
        {"approved_by_body": "Board", "approved_on": "2999-01-01", "minute_reference": "1"},
    )
    assert "cannot be in the future" in response.content.decode()
    assert PolicyVersion.objects.get(pk=draft.pk).approved_on is None


def test_it_compares_two_versions_for_staff(client, teacher, hr, current):
    draft = services.start_draft(current, label="2026-2029", by=hr)
    alpha = draft.clauses.get(text="Alpha wording.")
    services.edit_clause(
        alpha, text="Alpha <new> wording.", style="paragraph", section=alpha.section, revision=1, by=hr
    )
    services.remove_clause(draft.clauses.get(text="Charlie wording."), by=hr)
    services.record_approval(
        draft, approved_by_body="Board", approved_on=datetime.date(2026, 7, 1), minute_reference="1", by=hr
    )
    services.publish(draft, by=hr)

    client.force_login(teacher)
    policy_page = client.get(f"/policies/{current.policy.slug}/").content.decode()
    url = f"/policies/{current.policy.slug}/compare/?from={current.pk}&amp;to={draft.pk}"
    assert "What changed since 2016-2019" in policy_page and url in policy_page

    page = client.get(
        f"/policies/{current.policy.slug}/compare/?from={current.pk}&to={draft.pk}"
    ).content.decode()
    assert "Alpha <ins>&lt;new&gt; </ins>wording." in page
    assert "1 changed" in page and "1 removed" in page and "0 added" in page and "1 unchanged" in page
    assert "<details" in page and "1 unchanged clause (1.2)" in page
    # the default comparison is the live version against the one it continues
    assert "1 changed" in client.get(f"/policies/{current.policy.slug}/compare/").content.decode()
    assert (
        client.get(f"/policies/{current.policy.slug}/compare/?from=999999&to={draft.pk}").status_code == 404
    )
    assert client.get(f"/policies/{current.policy.slug}/compare/?from=abc").status_code == 404


def test_it_lets_hr_compare_a_draft(hr_client, draft, hr):
    clause = draft.clauses.get(text="Bravo wording.")
    services.edit_clause(
        clause, text="Bravo wording, amended.", style="paragraph", section=clause.section, revision=1, by=hr
    )
    page = hr_client.get(
        f"/policies/{draft.policy.slug}/compare/?from={draft.continues_id}&to={draft.pk}"
    ).content.decode()
    assert "Bravo <del>wording.</del><ins>wording, amended.</ins>" in page


@pytest.mark.parametrize("clauses", [5, 40])
def test_it_keeps_the_review_pages_to_a_constant_number_of_queries(
    hr_client, hr, clauses, django_assert_max_num_queries
):
    current = make_version(
        label="2016-2019",
        sections={f"Section {n}": [f"Clause {n}.{c}." for c in range(clauses // 5)] for n in range(5)},
    )
    draft = services.start_draft(current, label="2026-2029", by=hr)
    slug = current.policy.slug
    # The policy page's first reading fills the shared cache (a database table) for everyone, once per
    # version (counted in tests/policies/test_reading.py); the bound is every later reading's.
    assert hr_client.get(f"/policies/{slug}/").status_code == 200
    for url, bound in [
        (base(draft), 11),
        (f"/policies/{slug}/compare/?from={current.pk}&to={draft.pk}", 19),
        (f"{base(draft)}publish/", 11),
        (f"/policies/{slug}/", 11),
        ("/", 10),
    ]:
        with django_assert_max_num_queries(bound):
            assert hr_client.get(url).status_code == 200, url


def test_it_counts_an_admin_edit_as_a_revision_so_a_portal_edit_open_meanwhile_is_refused(hr_client, draft):
    clause = draft.clauses.get(text="Alpha wording.")
    response = hr_client.post(
        f"/admin/policies/clause/{clause.pk}/change/",
        {
            "version": draft.pk,
            "section": clause.section_id,
            "position": 1,
            "style": "paragraph",
            "text": "Admin.",
        },
    )
    assert response.status_code == 302
    assert Clause.objects.get(pk=clause.pk).revision == 2
    response = hr_client.post(
        f"{base(draft)}clauses/{clause.pk}/edit/",
        {"text": "Portal.", "style": "paragraph", "section": clause.section_id, "revision": 1},
    )
    assert "Someone else saved this clause" in response.content.decode()
    assert Clause.objects.get(pk=clause.pk).text == "Admin."
