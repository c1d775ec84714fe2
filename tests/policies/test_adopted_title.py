"""The title a version was adopted under: stored when it is published, printed on it for good, part of
its fingerprint; the policy's own title stays editable for the next drafts."""

import datetime
import hashlib
import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from policies import services
from policies.models import Policy, PolicyVersion
from policies.selectors import canonical_text, fingerprint, outline
from tests.builders import make_version
from tests.lib.pdf_helpers import page_texts

pytestmark = pytest.mark.django_db


def approve(version, hr):
    return services.record_approval(
        version,
        approved_by_body="Board of Trustees",
        approved_on=datetime.date(2026, 11, 2),
        minute_reference="BT/7",
        by=hr,
    )


@pytest.fixture
def draft(hr):
    policy = Policy.objects.create(title="Social Media Policy", slug="social-media-policy")
    current = make_version(policy=policy, label="2016-2019")
    return services.start_draft(current, label="2026-2029", by=hr)


def test_it_stores_the_title_when_publishing_and_keeps_it_after_a_rename(
    draft, hr, teacher, client, django_capture_on_commit_callbacks
):
    approve(draft, hr)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(draft, by=hr)
    published = PolicyVersion.objects.get(pk=draft.pk)
    assert published.adopted_title == "Social Media Policy"
    print_when_published = fingerprint(published)
    assert any("Social Media Policy" in message.subject for message in mail.outbox)

    Policy.objects.filter(pk=draft.policy_id).update(title="Online Conduct Policy")  # still editable

    published = PolicyVersion.objects.get(pk=draft.pk)
    assert published.title == "Social Media Policy" and fingerprint(published) == print_when_published
    client.force_login(teacher)
    page = client.get(f"/policies/social-media-policy/versions/{draft.pk}/").content.decode()
    assert "Social Media Policy 2026-2029" in page
    pdf = " ".join(page_texts(client.get(f"/policies/social-media-policy/versions/{draft.pk}/pdf/").content))
    assert "Social Media Policy" in pdf and "Online Conduct Policy" not in pdf


def test_it_needs_the_approval_again_when_the_policy_is_renamed_after_it(draft, hr):
    approve(draft, hr)
    Policy.objects.filter(pk=draft.policy_id).update(title="Online Conduct Policy")
    with pytest.raises(ValidationError, match="changed after its approval"):
        services.publish(PolicyVersion.objects.get(pk=draft.pk), by=hr)
    assert PolicyVersion.objects.get(pk=draft.pk).is_draft

    approve(PolicyVersion.objects.get(pk=draft.pk), hr)
    services.publish(PolicyVersion.objects.get(pk=draft.pk), by=hr)
    assert PolicyVersion.objects.get(pk=draft.pk).adopted_title == "Online Conduct Policy"


def test_it_keeps_the_clauses_only_fingerprint_of_versions_recorded_before_titles_were_fingerprinted(hr):
    """What migration policies 0004 leaves for versions already adopted: their acknowledgements' and
    exports' fingerprints (of the clauses alone) still match."""
    version = make_version(status=PolicyVersion.Status.DRAFT, sections={"Purpose": ["Be kind."]})
    PolicyVersion.objects.filter(pk=version.pk).update(title_in_fingerprint=False)
    version = PolicyVersion.objects.get(pk=version.pk)
    clauses_only = hashlib.sha256(canonical_text(outline(version)).encode()).hexdigest()
    assert fingerprint(version) == clauses_only
    approve(version, hr)  # an approval recorded now covers the title
    version = PolicyVersion.objects.get(pk=version.pk)
    assert version.title_in_fingerprint
    assert fingerprint(version) != clauses_only == hashlib.sha256(b"# Purpose\nBe kind.\n").hexdigest()
    assert version.approved_fingerprint == fingerprint(version)


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_adopted_titles_and_successors_and_keeps_recorded_fingerprints():
    before = [("policies", "0003_exports_and_signoff_pack_jobs")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Policy_, Version, Section_, Clause_ = (
        old.get_model("policies", name) for name in ("Policy", "PolicyVersion", "Section", "Clause")
    )
    HistoricalPolicy = old.get_model("policies", "HistoricalPolicy")
    t = [timezone.make_aware(datetime.datetime(2016 + 3 * i, 9, 1)) for i in range(3)]
    policy = Policy_.objects.create(title="Internet Policy", slug="internet-policy")
    HistoricalPolicy.objects.create(
        id=policy.pk, title="Internet Policy", slug="x", history_date=t[0], history_type="+"
    )
    HistoricalPolicy.objects.create(
        id=policy.pk, title="Social Media Policy", slug="x", history_date=t[1], history_type="~"
    )
    versions = {}
    for label, status, published_at in (
        ("2016", "superseded", t[0]),
        ("2019", "published", t[1]),
        ("2022", "draft", None),
    ):
        version = Version.objects.create(
            policy=policy,
            label=label,
            status=status,
            review_season="autumn",
            review_year=2030,
            created_at=published_at or t[2],
            published_at=published_at,
            approved_fingerprint="f" * 64,
        )
        section = Section_.objects.create(version=version, key=uuid.uuid4(), position=1, heading="Purpose")
        Clause_.objects.create(
            version=version, section=section, key=uuid.uuid4(), position=1, text=f"Text {label}."
        )
        versions[label] = version.pk
    unapproved = Version.objects.create(
        policy=Policy_.objects.create(title="Other", slug="other"),
        label="1",
        review_season="autumn",
        review_year=2030,
    )
    Policy_.objects.filter(pk=policy.pk).update(title="Online Conduct Policy")  # renamed since

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    first, second, draft = (
        PolicyVersion.objects.get(pk=versions[label]) for label in ("2016", "2019", "2022")
    )
    assert (first.adopted_title, second.adopted_title) == ("Internet Policy", "Social Media Policy")
    assert first.superseded_by_id == second.pk and second.superseded_by_id is None
    assert not (first.title_in_fingerprint or second.title_in_fingerprint or draft.title_in_fingerprint)
    assert PolicyVersion.objects.get(pk=unapproved.pk).title_in_fingerprint
    assert fingerprint(first) == hashlib.sha256(b"# Purpose\nText 2016.\n").hexdigest()
