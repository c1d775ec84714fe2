"""Home's live library (policies.live): kept in each process's memory per compliance generation and day.

These tests run outside a transaction (``transaction=True``), as requests do, so the cache is really used:
every change that alters what home shows must raise the generation and show at the next page, and nothing
of one person's must reach another's page (the versions are shared by every request of the process).
"""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from acknowledgements.services import acknowledge
from policies import live, services
from policies.live import forget_live_library, live_library
from symphony_portal.trust.models import Kind, PersonTag, Tag, User
from tests.builders import make_successor, make_version

pytestmark = pytest.mark.django_db(transaction=True)

WAITING_HEADING = "Waiting for your acknowledgement"


def page(client, person) -> str:
    client.force_login(person)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def waiting_part(home: str) -> str:
    if WAITING_HEADING not in home:
        return ""
    start = home.index(WAITING_HEADING)
    return home[start : home.index("</section>", start)]


def policies_part(home: str) -> str:
    start = home.index("Policies that apply to you")
    return home[start : home.index("</section>", start)]


def version_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if 'FROM "policies_policyversion"' in q["sql"]]


def set_audience(version, *, by, kinds=(Kind.EMPLOYEE,), schools=None, tag=None) -> None:
    services.set_audience(
        version.policy,
        kinds=list(kinds),
        all_schools=schools is None,
        schools=list(schools or []),
        include_central_team=schools is None,
        tag=tag,
        acknowledge_within_days=10,
        by=by,
    )


def test_it_reads_the_live_library_once_per_generation_and_the_generation_first(client, teacher):
    make_version()
    page(client, teacher)  # fills this process's cache
    with CaptureQueriesContext(connection) as second:
        client.get("/")
    assert version_queries(second.captured_queries) == []  # the live versions came from the cache
    forget_live_library()
    with CaptureQueriesContext(connection) as miss:
        live_library()
    assert "acknowledgements_compliancegeneration" in miss.captured_queries[0]["sql"]  # read before the data
    assert version_queries(miss.captured_queries)


def test_it_neither_reads_nor_keeps_the_library_inside_a_transaction(teacher):
    make_version()
    with transaction.atomic():
        first = live_library()
        newer = make_version()
        assert newer.pk in {v.pk for v in live_library().versions}  # its own uncommitted change
    assert newer.pk not in {v.pk for v in first.versions}
    assert live._latest is None  # nothing kept from inside the transaction


def test_it_shows_a_publication_at_once(client, teacher, colleague):
    old = make_version(label="2016-2019")
    assert "2016-2019" in policies_part(page(client, teacher))
    acknowledge(old, by=colleague)
    with transaction.atomic():  # as publishing does: the database checks the successor at commit
        new = make_successor(old, label="2026")
    home = page(client, teacher)
    assert "2026" in policies_part(home) and "2016-2019" not in policies_part(home)
    assert new.title in waiting_part(page(client, colleague))  # a material change: asked again


def test_it_follows_an_audience_change_of_chosen_schools_at_once(client, teacher, hr, harmony, crescendo):
    version = make_version()
    assert version.title in waiting_part(page(client, teacher))
    set_audience(version, schools=[crescendo], by=hr)
    assert version.title not in waiting_part(page(client, teacher))
    set_audience(version, schools=[crescendo, harmony], by=hr)
    assert version.title in waiting_part(page(client, teacher))


def test_it_follows_a_tag_given_at_once(client, teacher, hr):
    version = make_version()
    tag = Tag.objects.create(slug="works-with-children", name="Works with children")
    set_audience(version, tag=tag, by=hr)
    assert version.title not in waiting_part(page(client, teacher))
    PersonTag.objects.create(person=teacher, tag=tag)
    assert version.title in waiting_part(page(client, teacher))


def test_it_follows_an_acknowledgement_at_once_and_shows_each_person_their_own(
    client, teacher, colleague, governor, hr
):
    version = make_version()
    assert version.title in waiting_part(page(client, teacher))
    acknowledge(version, by=teacher)
    assert version.title not in waiting_part(page(client, teacher))
    assert version.title in waiting_part(page(client, colleague))  # not the teacher's answer
    governors = make_version()
    set_audience(governors, kinds=[Kind.GOVERNOR], by=hr)
    assert governors.title in waiting_part(page(client, governor))
    assert governors.title not in waiting_part(page(client, colleague))


def test_it_follows_a_bulk_move_of_school_or_deactivation_at_once(client, teacher, hr, harmony, crescendo):
    version = make_version()
    set_audience(version, schools=[harmony], by=hr)
    assert version.title in waiting_part(page(client, teacher))
    User.objects.filter(pk=teacher.pk).update(school=crescendo)
    assert version.title not in waiting_part(page(client, teacher))
    User.objects.filter(pk=teacher.pk).update(school=harmony)
    assert version.title in waiting_part(page(client, teacher))
    User.objects.filter(pk=teacher.pk).update(is_active=False)
    client.force_login(teacher)
    assert client.get("/").status_code == 302  # signed out: no list served from any cache


def test_it_shows_the_review_badge_of_the_new_day(client, teacher, monkeypatch):
    make_version(review=("autumn", 2030))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: datetime.date(2030, 8, 31))
    assert "Review upcoming" in policies_part(page(client, teacher))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: datetime.date(2030, 9, 2))
    assert "Review due this term" in policies_part(page(client, teacher))


def test_it_marks_a_persons_deadline_on_a_copy_never_on_the_shared_versions(client, teacher):
    version = make_version()
    assert version.title in waiting_part(page(client, teacher))
    (shared,) = live_library().versions
    assert shared.pk == version.pk and not hasattr(shared, "acknowledge_by")
