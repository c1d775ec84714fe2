"""Deadlines: N school days from publication or from joining the audience; overdue apart from waiting."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from acknowledgements.selectors import Scope, compliance_of, outstanding_by_version, waiting_for
from policies.models import PolicyVersion
from policies.services import set_audience
from symphony_portal.lib.school_days import add_school_days, latest_start_overdue_on
from symphony_portal.trust import services as trust_services
from symphony_portal.trust.models import Kind, School
from tests.builders import make_person, make_version

from .test_compliance import csv_rows

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=9)))


def days_ago(n: int) -> datetime:
    return at(TODAY - timedelta(days=n))


def test_it_counts_weekdays_only():
    friday = date(2026, 11, 27)
    assert add_school_days(friday, 1) == date(2026, 11, 30)  # Monday
    assert add_school_days(friday, 5) == date(2026, 12, 4)  # the next Friday
    assert add_school_days(date(2026, 11, 28), 1) == date(2026, 11, 30)  # from a Saturday: Monday
    assert add_school_days(date(2026, 11, 30), 10) == date(2026, 12, 14)


@pytest.mark.parametrize("days", [1, 5, 10, 20])
def test_it_finds_the_last_start_already_overdue(days):
    today = date(2026, 11, 30)
    latest = latest_start_overdue_on(today, days)
    assert add_school_days(latest, days) < today
    assert all(add_school_days(latest + timedelta(days=n), days) >= today for n in range(1, 10))


@pytest.fixture
def policy_version(hr):
    """Published 30 days ago, to be acknowledged within 10 school days: its deadline has passed."""
    version = make_version(label="2026", published_at=days_ago(30))
    set_audience(
        version.policy,
        kinds=list(Kind.values),
        all_schools=True,
        schools=[],
        include_central_team=True,
        tag=None,
        acknowledge_within_days=10,
        by=hr,
    )
    return PolicyVersion.objects.select_related("policy").get(pk=version.pk)


def whole_trust() -> Scope:
    return Scope(schools=list(School.objects.order_by("name")), central=True, whole_trust=True)


def test_it_makes_an_old_hand_overdue_and_a_new_starter_waiting(policy_version, harmony, hr):
    old_hand = make_person("Oliver Oldhand", school=harmony)
    old_hand.date_joined = days_ago(400)
    old_hand.save()
    new_starter = make_person("Nina Newstarter", school=harmony)  # joined today
    hr.date_joined = days_ago(400)
    hr.save()

    (mine,) = waiting_for(old_hand)
    assert mine.is_overdue and mine.acknowledge_by == add_school_days(TODAY - timedelta(days=30), 10)
    (theirs,) = waiting_for(new_starter)
    assert not theirs.is_overdue and theirs.acknowledge_by == add_school_days(TODAY, 10)

    listing = outstanding_by_version([policy_version], everyone=True)[policy_version.pk]
    assert {r.person for r in listing.overdue} == {old_hand, hr}
    assert {r.person for r in listing.waiting} == {new_starter}

    groups = compliance_of([policy_version], whole_trust())[policy_version.pk]
    harmony_group = next(g for g in groups if g.school == harmony)
    assert (harmony_group.overdue, harmony_group.waiting, harmony_group.total) == (1, 1, 2)


def test_it_gives_the_full_time_to_someone_given_the_tag_later(policy_version, hr, harmony):
    tag = trust_services.create_tag("Works directly with children", by=hr)
    set_audience(
        policy_version.policy,
        kinds=list(Kind.values),
        all_schools=True,
        schools=[],
        include_central_team=True,
        tag=tag,
        acknowledge_within_days=10,
        by=hr,
    )
    version = PolicyVersion.objects.select_related("policy").get(pk=policy_version.pk)
    early, late = make_person("Erin Early", school=harmony), make_person("Lee Late", school=harmony)
    for person in (early, late):
        person.date_joined = days_ago(400)
        person.save()
    trust_services.tag_people(tag, [early, late], by=hr)
    tag.person_tags.filter(person=early).update(added_at=days_ago(60))  # tagged long ago

    listing = outstanding_by_version([version], everyone=True)[version.pk]
    assert [r.person for r in listing.overdue] == [early]
    assert [r.person for r in listing.waiting] == [late]
    (waiting,) = waiting_for(late)
    assert waiting.acknowledge_by == add_school_days(TODAY, 10) and not waiting.is_overdue


def test_it_lets_hr_give_more_time(policy_version, harmony, hr):
    person = make_person("Oliver Oldhand", school=harmony)
    person.date_joined = days_ago(400)
    person.save()
    assert waiting_for(person)[0].is_overdue
    set_audience(
        policy_version.policy,
        kinds=list(Kind.values),
        all_schools=True,
        schools=[],
        include_central_team=True,
        tag=None,
        acknowledge_within_days=60,
        by=hr,
    )
    assert not waiting_for(person)[0].is_overdue


def test_it_shows_overdue_apart_from_waiting_on_the_pages_and_in_the_register(
    client, policy_version, harmony, hr, head
):
    old_hand = make_person("Oliver Oldhand", school=harmony)
    old_hand.date_joined = days_ago(400)
    old_hand.save()
    make_person("Nina Newstarter", school=harmony)
    head.date_joined = days_ago(1)
    head.save()

    client.force_login(hr)
    rows = csv_rows(client.get("/acknowledgements/register.csv"))
    status = {r[2]: r[8] for r in rows[1:]}
    assert status["Oliver Oldhand"] == "Overdue"
    assert status["Nina Newstarter"] == "Waiting"
    assert status["Hannah Head"] == "Waiting"

    page = client.get("/acknowledgements/outstanding/").content.decode()
    overdue_part, waiting_part = page.split("Waiting, still within their time")
    assert "Oliver Oldhand" in overdue_part and "Oliver Oldhand" not in waiting_part
    assert "Nina Newstarter" in waiting_part and "Nina Newstarter" not in overdue_part

    client.force_login(head)
    page = client.get(f"/acknowledgements/compliance/schools/{harmony.slug}/").content.decode()
    assert "1 overdue, 2 waiting." in page
    overdue_part, waiting_part = page.split("Waiting, still within their time")
    assert "Oliver Oldhand" in overdue_part and "Nina Newstarter" in waiting_part

    client.force_login(hr)
    page = client.get("/acknowledgements/compliance/").content.decode()
    assert '<td data-label="Overdue">1</td>' in page


def test_it_tells_a_person_by_when_on_home(client, policy_version, teacher):
    client.force_login(teacher)  # joined today: the full ten school days from today
    page = client.get("/").content.decode()
    assert f"Please acknowledge it by {add_school_days(TODAY, 10):%A %-d %B %Y}" in page
    teacher.date_joined = days_ago(400)
    teacher.save()
    assert "Overdue: it was due by" in client.get("/").content.decode()


def test_it_has_no_overdue_before_the_deadline(hr, harmony):
    version = make_version(label="fresh", published_at=days_ago(1))
    person = make_person("Oliver Oldhand", school=harmony)
    person.date_joined = days_ago(400)
    person.save()
    listing = outstanding_by_version([version], everyone=True)[version.pk]
    assert listing.overdue == [] and person in [r.person for r in listing.waiting]


def test_it_dates_a_move_of_school_made_by_a_people_import(hr, harmony, crescendo):
    person = make_person("Mo Mover", school=harmony, email="mo.mover@symphony.test")
    person.date_joined = person.school_since = days_ago(400)
    person.save()
    csv_text = (
        "email,name,kind,school,role,job title\n"
        "mo.mover@symphony.test,Mo Mover,employee,Crescendo Academy,,\n"
    )
    pending = trust_services.upload_people_import(csv_text, filename="people.csv", by=hr)
    trust_services.confirm_people_import(pending, deactivate_missing=False, by=hr)
    person.refresh_from_db()
    assert person.school == crescendo and person.school_since.date() == TODAY
    version = make_version(label="crescendo", published_at=days_ago(60))
    set_audience(
        version.policy,
        kinds=list(Kind.values),
        all_schools=False,
        schools=[crescendo],
        include_central_team=False,
        tag=None,
        acknowledge_within_days=5,
        by=hr,
    )
    version = PolicyVersion.objects.select_related("policy").get(pk=version.pk)
    (waiting,) = waiting_for(person)
    assert not waiting.is_overdue and waiting.acknowledge_by == add_school_days(TODAY, 5)
