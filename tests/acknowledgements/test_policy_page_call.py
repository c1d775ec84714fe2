"""The policy page (where the "new version" email's "Read it" link lands) offers acknowledging.

The call shows only to someone for whom the live version is waiting; someone who has acknowledged it is
told when; a superseded version never asks to be acknowledged. The rule is acknowledgements' own, asked
through its template tag: policies' code does not import acknowledgements.
"""

import re

import pytest
from django.core import mail
from django.utils import timezone

from acknowledgements.models import Acknowledgement
from policies.services import email_new_version
from tests.conftest import deliver

from .conftest import acknowledged, publish_successor

pytestmark = pytest.mark.django_db

CALL = 'class="acknowledge-call"'


def policy_page(client, person, version) -> str:
    client.force_login(person)
    response = client.get(version.policy.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_it_calls_the_person_the_live_version_waits_for_to_acknowledge_it(client, teacher, version):
    page = policy_page(client, teacher, version)
    assert CALL in page
    assert "This version is waiting for your acknowledgement." in page
    assert f'href="/acknowledgements/versions/{version.pk}/">Read and acknowledge' in page
    assert not Acknowledgement.objects.exists()  # reading records nothing


def test_it_tells_someone_who_acknowledged_when_and_does_not_call_them(client, teacher, version):
    (record,) = acknowledged(version, teacher)
    page = policy_page(client, teacher, version)
    assert CALL not in page and "Read and acknowledge" not in page
    when = timezone.localtime(record.acknowledged_at)
    assert f"You acknowledged this version on {when:%-d %B %Y at %H:%M}." in page
    assert f'href="{record.get_absolute_url()}">See your receipt' in page


def test_it_does_not_call_anyone_else_because_someone_acknowledged(client, teacher, colleague, version):
    acknowledged(version, colleague)
    page = policy_page(client, teacher, version)
    assert CALL in page and "You acknowledged this version" not in page


def test_it_never_asks_to_acknowledge_a_superseded_version(client, teacher, version):
    newer = publish_successor(version)
    client.force_login(teacher)
    old_page = client.get(version.get_absolute_url()).content.decode()
    assert CALL not in old_page and "Read and acknowledge" not in old_page
    # The live one does ask.
    assert f'href="/acknowledgements/versions/{newer.pk}/">Read and acknowledge' in policy_page(
        client, teacher, newer
    )


def test_it_puts_the_versions_details_and_fingerprint_behind_disclosures(client, teacher, version):
    page = policy_page(client, teacher, version)
    about = page.index("<summary>About this version</summary>")
    check = page.index("<summary>Check this version's fingerprint</summary>")
    fingerprint_at = page.index('<code class="fingerprint">')
    assert about < check < fingerprint_at < page.index("</details>\n    </details>")
    assert page.index("Next review due") > about


def test_it_fills_the_review_badge_on_the_acknowledge_page(client, teacher, seed_version):
    client.force_login(teacher)
    page = client.get(f"/acknowledgements/versions/{seed_version.pk}/").content.decode()
    badge = re.search(r'<span class="badge review-badge review-(\w+)">([^<]*)</span>', page)
    assert badge and badge.group(1) == "overdue"
    assert badge.group(2).startswith("Review overdue since 31 December 2019")
    # The acknowledge page has its own confirmation: no second call on top of it.
    assert CALL not in page
    assert page.count("<summary>About this version</summary>") == 1


def test_it_sends_the_new_version_emails_read_it_link_to_the_page_with_the_call(
    client, teacher, version, settings
):
    settings.SITE_URL = "http://portal.example"
    email_new_version(version, previous=None)
    deliver()
    (message,) = [m for m in mail.outbox if m.to == [teacher.email]]
    link = re.search(r"Read it: (\S+)", message.body).group(1)
    assert link == "http://portal.example" + version.policy.get_absolute_url()
    assert CALL in policy_page(client, teacher, version)
