"""A person reads the version, confirms once, gets a receipt and sees their acknowledgements."""

import pytest

from acknowledgements.models import Acknowledgement
from acknowledgements.selectors import outstanding, waiting_for
from policies.models import PolicyVersion
from policies.selectors import fingerprint
from tests.builders import make_version

from .conftest import acknowledged, publish_successor

pytestmark = pytest.mark.django_db


def test_it_shows_the_text_the_statement_for_my_kind_and_one_confirm_button(client, teacher, seed_version):
    client.force_login(teacher)
    page = client.get(f"/acknowledgements/versions/{seed_version.pk}/").content.decode()
    assert 'id="clause-5-3"' in page  # the policy's own numbered text
    assert fingerprint(seed_version) in page
    assert "I have read, understood and will comply with this policy." in page
    assert page.count(">Confirm my acknowledgement</button>") == 1
    assert not Acknowledgement.objects.exists()  # reading records nothing


def test_it_shows_a_governor_the_spirit_wording_before_they_confirm(client, governor, version):
    client.force_login(governor)
    page = client.get(f"/acknowledgements/versions/{version.pk}/").content.decode()
    assert "as a governor, I will comply with its spirit" in page
    assert "I have read, understood and will comply" not in page


def test_it_records_the_acknowledgement_and_shows_the_receipt(client, teacher, version):
    client.force_login(teacher)
    response = client.post(f"/acknowledgements/versions/{version.pk}/", follow=True)
    record = Acknowledgement.objects.get(person=teacher, version=version)
    assert response.redirect_chain == [(f"/acknowledgements/{record.pk}/", 302)]
    page = response.content.decode()
    assert "Thank you: your acknowledgement of" in page
    assert record.fingerprint in page and "I have read, understood and will comply" in page
    assert record.fingerprint == fingerprint(version)


def test_it_turns_a_double_click_into_one_record_and_a_friendly_page(client, teacher, version):
    client.force_login(teacher)
    client.post(f"/acknowledgements/versions/{version.pk}/")
    response = client.post(f"/acknowledgements/versions/{version.pk}/", follow=True)
    assert response.status_code == 200
    assert "You had already acknowledged" in response.content.decode()
    assert Acknowledgement.objects.filter(person=teacher).count() == 1


def test_it_refuses_a_superseded_version_with_a_link_to_the_current_one(client, teacher, version):
    current = publish_successor(version)
    client.force_login(teacher)
    response = client.post(f"/acknowledgements/versions/{version.pk}/", follow=True)
    page = response.content.decode()
    assert "is not the current version of the policy and cannot be acknowledged" in page
    assert f'href="/acknowledgements/versions/{current.pk}/"' in page
    assert "Confirm my acknowledgement" not in page
    assert not Acknowledgement.objects.exists()


def test_it_does_not_find_a_draft_for_anyone(client, hr):
    draft = make_version(status=PolicyVersion.Status.DRAFT)
    client.force_login(hr)
    assert client.get(f"/acknowledgements/versions/{draft.pk}/").status_code == 404
    assert client.post(f"/acknowledgements/versions/{draft.pk}/").status_code == 404
    assert not Acknowledgement.objects.exists()


def test_it_shows_a_receipt_to_its_person_and_their_head_but_not_to_others(
    client, teacher, colleague, head, other_head, hr, version
):
    (record,) = acknowledged(version, teacher)
    url = f"/acknowledgements/{record.pk}/"
    for person, status in [(teacher, 200), (head, 200), (hr, 200), (colleague, 404), (other_head, 404)]:
        client.force_login(person)
        assert client.get(url).status_code == status, person


def test_it_lists_only_my_acknowledgements_with_older_versions_marked(client, teacher, colleague, version):
    acknowledged(version, teacher, colleague)
    current = publish_successor(version)
    client.force_login(teacher)
    page = client.get("/acknowledgements/").content.decode()
    assert page.count("Receipt<span") == 1
    assert "superseded" in page
    assert f"/acknowledgements/versions/{current.pk}/" in page  # the new version is waiting


def test_it_shows_what_is_waiting_on_home_until_i_acknowledge(client, teacher, version):
    client.force_login(teacher)
    assert f'href="/acknowledgements/versions/{version.pk}/"' in client.get("/").content.decode()
    acknowledged(version, teacher)
    page = client.get("/").content.decode()
    assert f'href="/acknowledgements/versions/{version.pk}/"' not in page
    assert "you have acknowledged every current policy" in page


def test_it_makes_everyone_outstanding_again_when_a_new_version_is_published(version, teacher, governor):
    old_records = acknowledged(version, teacher, governor)
    assert not outstanding(version).filter(pk__in=[teacher.pk, governor.pk]).exists()
    current = publish_successor(version)
    assert set(outstanding(current).filter(pk__in=[teacher.pk, governor.pk])) == {teacher, governor}
    assert waiting_for(teacher) == [current]
    assert Acknowledgement.objects.filter(pk__in=[r.pk for r in old_records]).count() == 2


def test_it_drops_a_person_who_left_from_outstanding_and_keeps_their_record(version, teacher, colleague):
    (record,) = acknowledged(version, teacher)
    current = publish_successor(version)
    for person in (teacher, colleague):
        person.is_active = False
        person.save()
    assert not outstanding(current).filter(pk__in=[teacher.pk, colleague.pk]).exists()
    assert Acknowledgement.objects.filter(pk=record.pk).exists()


def test_it_links_to_what_changed_since_the_version_i_acknowledged(client, teacher, colleague, version):
    acknowledged(version, teacher)
    new = publish_successor(version)
    client.force_login(teacher)
    page = client.get(f"/acknowledgements/versions/{new.pk}/").content.decode()
    url = f"/policies/{new.policy.slug}/compare/?from={version.pk}&amp;to={new.pk}"
    assert "See what changed since the version you acknowledged (2024-2027)" in page
    assert f'href="{url}"' in page
    compared = client.get(url.replace("&amp;", "&"))
    assert compared.status_code == 200 and "Be kinder online" in compared.content.decode()

    # Someone who never acknowledged the old version is not told about a version they did not confirm.
    client.force_login(colleague)
    assert (
        "See what changed since" not in client.get(f"/acknowledgements/versions/{new.pk}/").content.decode()
    )
