"""HR's admin: a published version and its clauses open read-only, and changes are refused."""

import pytest

from policies.models import Clause, PolicyVersion
from tests.builders import make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    return make_version(status=PolicyVersion.Status.PUBLISHED, sections={"Purpose": ["Original wording."]})


def test_it_refuses_an_admin_edit_of_a_published_clause(client, hr, published):
    clause = Clause.objects.get(version=published)
    client.force_login(hr)
    page = client.get(f"/admin/policies/clause/{clause.pk}/change/")
    assert page.status_code == 200
    assert "has been published and cannot be changed" in page.content.decode()

    response = client.post(
        f"/admin/policies/clause/{clause.pk}/change/",
        {
            "version": published.pk,
            "section": clause.section_id,
            "position": 1,
            "style": "paragraph",
            "text": "X",
        },
    )
    assert response.status_code == 403
    assert Clause.objects.get(pk=clause.pk).text == "Original wording."


def test_it_refuses_an_admin_delete_of_a_published_version(client, hr, published):
    client.force_login(hr)
    response = client.post(f"/admin/policies/policyversion/{published.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert PolicyVersion.objects.filter(pk=published.pk).exists()


def test_it_refuses_an_admin_bulk_delete_of_published_clauses(client, hr, published):
    clause = Clause.objects.get(version=published)
    client.force_login(hr)
    response = client.post(
        "/admin/policies/clause/",
        {"action": "delete_selected", "_selected_action": [clause.pk], "post": "yes"},
    )
    # The admin deletes nothing: the action does not exist, so nothing is deleted.
    assert response.status_code == 200 and "delete_selected" not in client.get("/admin/policies/clause/").text
    assert Clause.objects.filter(pk=clause.pk).exists()


def test_it_lets_hr_edit_a_draft_clause_in_the_admin(client, hr):
    draft = make_version(status=PolicyVersion.Status.DRAFT, sections={"Purpose": ["Draft wording."]})
    clause = Clause.objects.get(version=draft)
    client.force_login(hr)
    response = client.post(
        f"/admin/policies/clause/{clause.pk}/change/",
        {
            "version": draft.pk,
            "section": clause.section_id,
            "position": 1,
            "style": "paragraph",
            "text": "Better.",
        },
    )
    assert response.status_code == 302
    assert Clause.objects.get(pk=clause.pk).text == "Better."


@pytest.mark.parametrize("who", ["teacher", "head", "exec_head", "governor"])
def test_it_keeps_everyone_but_hr_out_of_the_admin(client, request, who, published):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/admin/").status_code == 302
    clause = Clause.objects.get(version=published)
    assert client.get(f"/admin/policies/clause/{clause.pk}/change/").status_code == 302


def test_it_lets_hr_into_the_admin_with_history(client, hr, published):
    client.force_login(hr)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/trust/user/").status_code == 200
    assert client.get(f"/admin/policies/policyversion/{published.pk}/history/").status_code == 200


def test_it_answers_adding_a_section_or_clause_to_a_published_version_with_a_message(client, hr, published):
    section = published.sections.get()
    client.force_login(hr)
    add_section = client.post(
        "/admin/policies/section/add/", {"version": published.pk, "position": 2, "heading": "Extra"}
    )
    assert add_section.status_code == 200
    assert "Select a valid choice" in add_section.content.decode()
    add_clause = client.post(
        "/admin/policies/clause/add/",
        {"version": published.pk, "section": section.pk, "position": 2, "style": "paragraph", "text": "X"},
    )
    assert add_clause.status_code == 200
    assert "Select a valid choice" in add_clause.content.decode()
    assert published.sections.count() == 1 and Clause.objects.filter(version=published).count() == 1


def test_it_answers_a_version_published_while_the_form_was_open_with_a_message(client, hr, monkeypatch):
    from django.contrib import admin

    from policies.admin import SectionAdmin

    draft = make_version(status=PolicyVersion.Status.DRAFT, sections={"Purpose": ["Draft wording."]})
    client.force_login(hr)
    # Published between showing the form and saving it: the form still offered the version (as Django's
    # own choice list does for a form already on screen), and the model refuses the write on save.
    monkeypatch.setattr(SectionAdmin, "formfield_for_foreignkey", admin.ModelAdmin.formfield_for_foreignkey)
    PolicyVersion.objects.filter(pk=draft.pk).update(
        status=PolicyVersion.Status.PUBLISHED, adopted_title=draft.policy.title
    )
    response = client.post(
        "/admin/policies/section/add/", {"version": draft.pk, "position": 2, "heading": "Late"}, follow=True
    )
    assert response.status_code == 200
    assert "has been published and cannot be changed" in response.content.decode()
    assert draft.sections.count() == 1
