import pytest

from policies.models import Clause, PolicyVersion
from tests.builders import make_version

pytestmark = pytest.mark.django_db


def test_it_records_every_change_to_a_clause_with_who_made_it(hr):
    draft = make_version(status=PolicyVersion.Status.DRAFT, sections={"Purpose": ["First wording."]})
    clause = Clause.objects.get(version=draft)
    clause._history_user = hr
    clause.text = "Second wording."
    clause.save()

    history = list(clause.history.order_by("history_date"))
    assert [h.text for h in history] == ["First wording.", "Second wording."]
    assert [h.history_type for h in history] == ["+", "~"]
    assert history[-1].history_user == hr


def test_it_records_changes_made_through_a_request_with_the_signed_in_person(client, hr):
    """The history middleware attributes admin edits to the person signed in."""
    draft = make_version(status=PolicyVersion.Status.DRAFT, sections={"Purpose": ["Wording."]})
    clause = Clause.objects.get(version=draft)
    client.force_login(hr)
    response = client.post(
        f"/admin/policies/clause/{clause.pk}/change/",
        {
            "version": draft.pk,
            "section": clause.section_id,
            "position": 1,
            "style": "paragraph",
            "text": "Edited in the admin.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = clause.history.latest("history_date")
    assert latest.text == "Edited in the admin."
    assert latest.history_user == hr


def test_it_records_history_of_versions_and_sections(hr):
    draft = make_version(status=PolicyVersion.Status.DRAFT)
    draft._history_user = hr
    draft.label = "renamed"
    draft.save()
    assert draft.history.latest("history_date").history_user == hr
    assert draft.sections.first().history.count() == 1
