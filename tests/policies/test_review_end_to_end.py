"""The whole review of the seed policy through the services: draft, edit, diff, approve, publish."""

import datetime

import pytest
from django.core import mail
from django.db import transaction

from policies import diff, services
from policies.models import FrozenVersionError, PolicyVersion
from policies.selectors import fingerprint, outline
from tests.builders import make_person

pytestmark = pytest.mark.django_db


def test_it_runs_a_review_from_draft_to_a_published_version_everyone_must_acknowledge(
    seed_version, hr, teacher, colleague, head, governor, trustee, django_capture_on_commit_callbacks
):
    leaver = make_person("Lee Leaver", is_active=False)
    seed_fingerprint = fingerprint(seed_version)

    draft = services.start_draft(seed_version, label="2026-2029", by=hr)
    clause = draft.clauses.get(section__heading="Definition of Social Media", position=2)
    services.edit_clause(
        clause,
        text=clause.text.replace("Facebook, Twitter or LinkedIn", "Facebook, X or LinkedIn"),
        style=clause.style,
        section=clause.section,
        revision=clause.revision,
        by=hr,
    )
    removed = draft.clauses.get(section__heading="Definition of Social Media", position=6)  # online polls
    services.remove_clause(removed, by=hr)
    security = draft.sections.get(heading="Social Media Security")
    services.add_clause(
        security, text="Use multi-factor authentication.", style="paragraph", after=None, by=hr
    )

    comparison = diff.compare(outline(seed_version), outline(draft))
    assert {k: comparison.counts[k] for k in ("added", "removed", "changed", "moved")} == {
        "added": 1,
        "removed": 1,
        "changed": 1,
        "moved": 0,
    }
    assert comparison.counts["unchanged"] == 47
    changed = next(i for s in comparison.sections for i in s.items if getattr(i, "kind", "") == "changed")
    assert "<del>Twitter</del><ins>X</ins>" in changed.html

    services.record_approval(
        draft,
        approved_by_body="Board of Trustees",
        approved_on=datetime.date(2026, 7, 14),
        minute_reference="BT/2026/07/5",
        by=hr,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(draft, by=hr)

    draft.refresh_from_db()
    seed_version.refresh_from_db()
    assert draft.is_published and draft.published_by == hr and draft.published_at is not None
    assert seed_version.is_superseded and seed_version.superseded_at == draft.published_at
    assert PolicyVersion.objects.published().get(policy=draft.policy) == draft
    assert fingerprint(seed_version) == seed_fingerprint  # the old text is untouched
    assert seed_version.history.latest("history_date").history_user == hr

    # Frozen from now on.
    clause.refresh_from_db()
    clause.text = "Tampered."
    with pytest.raises(FrozenVersionError):
        clause.save()

    # Everyone it applies to is outstanding again: each active person got one email, the leaver none.
    active = {p.email for p in (hr, teacher, colleague, head, governor, trustee)}
    recipients = [address for message in mail.outbox for address in message.to]
    assert sorted(recipients) == sorted(active) and leaver.email not in recipients
    assert all(len(message.to) == 1 for message in mail.outbox)
    message = next(m for m in mail.outbox if m.to == [teacher.email])
    assert message.subject == "A new version of the Social Media Policy awaits you: 2026-2029"
    assert "/policies/social-media-policy/" in message.body
    assert f"/policies/social-media-policy/compare/?from={seed_version.pk}&to={draft.pk}" in message.body


def test_it_emails_nobody_when_publishing_rolls_back(
    seed_version, hr, teacher, django_capture_on_commit_callbacks
):
    draft = services.start_draft(seed_version, label="2026-2029", by=hr)
    services.record_approval(
        draft, approved_by_body="Board", approved_on=datetime.date(2026, 7, 14), minute_reference="1", by=hr
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.publish(draft, by=hr)
        raise RuntimeError("something later in the same transaction failed")
    assert mail.outbox == []
    assert PolicyVersion.objects.get(pk=draft.pk).is_draft
    assert PolicyVersion.objects.get(pk=seed_version.pk).is_published
