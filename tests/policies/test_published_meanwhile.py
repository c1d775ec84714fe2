"""HR changing a draft that a colleague published a moment ago (another tab, a quicker colleague): the
change is refused with who published it, nothing changes, and they land on the published version."""

import datetime

import pytest

from policies import services
from policies.models import Clause, PolicyVersion, Section
from policies.selectors import fingerprint
from symphony_portal.trust.models import Role
from tests.builders import make_person, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_meanwhile(hr):
    """A draft HR had open, approved and then published by Paula in HR."""
    current = make_version(label="2016-2019", sections={"Purpose": ["Alpha.", "Bravo."], "Use": ["Charlie."]})
    draft = services.start_draft(current, label="2026-2029", by=hr)
    services.record_approval(
        draft, approved_by_body="Board", approved_on=datetime.date(2026, 11, 2), minute_reference="B/1", by=hr
    )
    paula = make_person("Paula Publisher", roles=(Role.HR,))
    services.publish(PolicyVersion.objects.get(pk=draft.pk), by=paula)
    return PolicyVersion.objects.get(pk=draft.pk)


def base(version) -> str:
    return f"/policies/{version.policy.slug}/drafts/{version.pk}/"


def posts(version) -> dict[str, dict]:
    clause = version.clauses.order_by("section__position", "position").first()
    section = version.sections.order_by("position").first()
    return {
        "approval/": {"approved_by_body": "Board", "approved_on": "2026-11-02", "minute_reference": "B/2"},
        "publish/": {"change": "material", "reason": "A new section on messaging apps."},
        "details/": {"label": "x", "review_season": "autumn", "review_year": "2029"},
        "sections/add/": {"heading": "Sneaked in"},
        f"sections/{section.pk}/edit/": {"heading": "Tampered"},
        f"sections/{section.pk}/remove/": {},
        f"sections/{section.pk}/move/": {"direction": "down"},
        f"sections/{section.pk}/clauses/add/": {"text": "Sneaked in.", "style": "paragraph", "after": ""},
        f"clauses/{clause.pk}/edit/": {
            "text": "Tampered.",
            "style": "paragraph",
            "section": section.pk,
            "revision": clause.revision,
        },
        f"clauses/{clause.pk}/remove/": {},
        f"clauses/{clause.pk}/move/": {"direction": "down"},
    }


def state(version) -> tuple:
    version = PolicyVersion.objects.get(pk=version.pk)
    return (
        version.label,
        version.approval_minute_reference,
        version.status,
        fingerprint(version),
        list(Section.objects.filter(version=version).values_list("pk", "heading", "position")),
        list(Clause.objects.filter(version=version).values_list("pk", "text", "position", "section_id")),
    )


def test_it_tells_hr_who_published_the_draft_and_changes_nothing(client, hr, published_meanwhile):
    before = state(published_meanwhile)
    client.force_login(hr)
    for path, data in posts(published_meanwhile).items():
        response = client.post(base(published_meanwhile) + path, data, follow=True)
        page = response.content.decode()
        assert response.status_code == 200, path
        assert "This draft was published a moment ago by Paula Publisher" in page, path
        assert state(published_meanwhile) == before, path


def test_it_still_hides_the_draft_pages_from_everyone_else(client, teacher, head, published_meanwhile):
    for person in (teacher, head):
        client.force_login(person)
        for path, data in posts(published_meanwhile).items():
            assert client.post(base(published_meanwhile) + path, data).status_code == 404, path
    assert state(published_meanwhile)[2] == PolicyVersion.Status.PUBLISHED
