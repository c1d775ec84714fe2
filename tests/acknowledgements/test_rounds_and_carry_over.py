"""Which acknowledgements count: minor changes carry them over, yearly rounds ask again; several at once."""

import csv
import datetime
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from acknowledgements.models import Acknowledgement, Reminder, statement_for
from acknowledgements.selectors import (
    compliance,
    compliance_scope,
    outstanding,
    register_rows,
    trust_summary,
    waiting_for,
)
from acknowledgements.services import acknowledge, plan_reminders
from policies import services as policy_services
from policies.models import Policy, PolicyVersion, round_label
from policies.selectors import fingerprint
from tests.builders import make_successor, make_version

from .conftest import acknowledged

pytestmark = pytest.mark.django_db


def published_as(
    old: PolicyVersion, label: str, *, change: str, hr, reason: str = "Reworded."
) -> PolicyVersion:
    """The review as HR run it: a draft of the next version, its approval, its publication."""
    draft = policy_services.start_draft(old, label=label, by=hr)
    policy_services.record_approval(
        draft, approved_by_body="Board", approved_on=datetime.date(2026, 7, 14), minute_reference="B/1", by=hr
    )
    return policy_services.publish(draft, by=hr, change=change, reason=reason)


def outstanding_names(version) -> set[str]:
    return set(outstanding(version).values_list("email", flat=True))


def test_it_carries_acknowledgements_over_a_minor_change_without_copying_them(
    version, teacher, colleague, hr
):
    (signed,) = acknowledged(version, teacher)
    minor = published_as(version, "2024-2027 rev. 2", change="minor", hr=hr, reason="Fixed a typing error.")
    assert minor.change == PolicyVersion.Change.MINOR and minor.change_reason == "Fixed a typing error."
    assert teacher.email not in outstanding_names(minor) and colleague.email in outstanding_names(minor)
    assert waiting_for(teacher) == [] and [v.pk for v in waiting_for(colleague)] == [minor.pk]
    # The record stays bound to the version signed: nothing copied, nothing rewritten.
    assert list(Acknowledgement.objects.values_list("pk", "version_id")) == [(signed.pk, version.pk)]
    # Acknowledging again returns the carried-over record: nothing is recorded twice.
    record, created = acknowledge(minor, by=teacher)
    assert (record.pk, created) == (signed.pk, False)
    summary = trust_summary(compliance(minor, compliance_scope(hr)))
    assert summary.acknowledged == 1


def test_it_chains_minor_changes_and_stops_at_a_material_one(version, teacher, colleague, hr):
    acknowledged(version, teacher)
    rev2 = published_as(version, "rev. 2", change="minor", hr=hr)
    acknowledged(rev2, colleague)
    rev3 = published_as(rev2, "rev. 3", change="minor", hr=hr)
    assert rev3.carries_over_from_id == version.pk
    assert {teacher.email, colleague.email}.isdisjoint(outstanding_names(rev3))
    material = published_as(rev3, "2027-2030", change="material", hr=hr, reason="A new section.")
    assert material.carries_over_from_id is None
    assert {teacher.email, colleague.email} <= outstanding_names(material)
    assert [v.pk for v in waiting_for(teacher)] == [material.pk]


def test_it_asks_for_a_choice_and_a_reason_except_at_the_first_publication(version, hr):
    draft = policy_services.start_draft(version, label="rev. 2", by=hr)
    policy_services.record_approval(
        draft, approved_by_body="Board", approved_on=datetime.date(2026, 7, 14), minute_reference="B/1", by=hr
    )
    with pytest.raises(ValidationError, match="Say why"):
        policy_services.publish(draft, by=hr, change="minor", reason="   ")
    with pytest.raises(ValidationError, match="material or minor"):
        policy_services.publish(draft, by=hr, change="cosmetic", reason="Why not.")
    assert PolicyVersion.objects.get(pk=draft.pk).is_draft
    first = make_version(label="first", status=PolicyVersion.Status.DRAFT)
    policy_services.record_approval(
        first, approved_by_body="Board", approved_on=datetime.date(2026, 7, 14), minute_reference="B/2", by=hr
    )
    assert policy_services.publish(first, by=hr).change == PolicyVersion.Change.FIRST


def test_it_lets_hr_choose_on_the_publish_page_and_refuses_a_missing_reason(client, version, hr):
    draft = policy_services.start_draft(version, label="rev. 2", by=hr)
    policy_services.record_approval(
        draft, approved_by_body="Board", approved_on=datetime.date(2026, 7, 14), minute_reference="B/1", by=hr
    )
    client.force_login(hr)
    url = f"/policies/{version.policy.slug}/drafts/{draft.pk}/publish/"
    page = client.get(url).content.decode()
    assert "Minor change" in page and "Material change" in page
    response = client.post(url, {"change": "minor", "reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert PolicyVersion.objects.get(pk=draft.pk).is_draft
    response = client.post(url, {"change": "minor", "reason": "Corrected a link."}, follow=True)
    published = PolicyVersion.objects.get(pk=draft.pk)
    assert published.is_published and published.carries_over_from_id == version.pk
    assert "acknowledgements of 2024-2027 carry over" in response.content.decode()


def test_it_says_carried_over_on_the_receipt_the_register_and_the_policy_page(client, version, teacher, hr):
    (signed,) = acknowledged(version, teacher)
    published_as(version, "2024-2027 rev. 2", change="minor", hr=hr, reason="Fixed a typing error.")
    note = "acknowledged 2024-2027; carried over to 2024-2027 rev. 2 as a minor change"
    client.force_login(teacher)
    receipt = client.get(f"/acknowledgements/{signed.pk}/").content.decode()
    assert note.capitalize() in receipt and "Fixed a typing error." in receipt
    page = client.get(version.policy.get_absolute_url()).content.decode()
    assert "it carries over to 2024-2027 rev. 2 as a minor change" in page
    client.force_login(hr)
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get("/acknowledgements/register.csv")).decode())))
    (mine,) = [r for r in rows if r["Email"] == teacher.email]
    assert mine["Version"] == "2024-2027" and mine["Carried over"] == note


# --- Yearly rounds ---------------------------------------------------------------------------------------


def test_it_finds_the_round_open_on_a_day():
    policy = Policy(title="KCSIE", slug="kcsie", yearly_from=datetime.date(2025, 9, 1))
    assert policy.round_start(datetime.date(2025, 8, 31)) is None  # before the first round
    assert policy.round_start(datetime.date(2025, 9, 1)) == datetime.date(2025, 9, 1)
    assert policy.round_start(datetime.date(2026, 8, 31)) == datetime.date(2025, 9, 1)
    assert policy.round_start(datetime.date(2026, 9, 1)) == datetime.date(2026, 9, 1)
    assert Policy(yearly_from=datetime.date(2024, 2, 29)).round_start(datetime.date(2025, 3, 1)) == (
        datetime.date(2025, 2, 28)
    )
    assert round_label(datetime.date(2026, 9, 1)) == "2026-27 (from 1 September 2026)"
    assert Policy(title="Once").round_start(datetime.date(2026, 9, 1)) is None


def last_rounds_record(version, person, days_ago: int) -> Acknowledgement:
    """A record made in an earlier round (inserted as the service would have, then)."""
    at = timezone.now() - timedelta(days=days_ago)
    return Acknowledgement.objects.create(
        person=person,
        version=version,
        acknowledged_at=at,
        kind=person.kind,
        school_name=person.school_name,
        statement=statement_for(person.kind),
        fingerprint=fingerprint(version),
        round_starts_on=version.policy.round_start(timezone.localdate(at)),
    )


def test_it_opens_a_new_round_every_year_and_keeps_last_years_records(client, version, teacher, hr):
    today = timezone.localdate()
    version.policy.yearly_from = today.replace(year=today.year - 1)  # this year's round opened today
    version.policy.save()
    old = last_rounds_record(version, teacher, days_ago=30)
    version = PolicyVersion.objects.select_related("policy").get(pk=version.pk)
    assert teacher.email in outstanding_names(version)
    assert [v.pk for v in waiting_for(teacher)] == [version.pk]
    new, created = acknowledge(version, by=teacher)
    assert created and new.round_starts_on == today and new.pk != old.pk
    assert teacher.email not in outstanding_names(version) and waiting_for(teacher) == []
    assert acknowledge(version, by=teacher) == (new, False)  # once per round
    rows = [r for r in register_rows([version]) if r[3] == teacher.email]
    assert [r[12] for r in rows] == [round_label(today), round_label(old.round_starts_on)]


def test_it_lets_only_hr_set_a_yearly_round(client, version, teacher, hr):
    url = f"/policies/{version.policy.slug}/yearly-round/"
    client.force_login(teacher)
    assert client.post(url, {"yearly": "on", "yearly_from": "2026-09-01"}).status_code == 403
    assert Policy.objects.get(pk=version.policy_id).yearly_from is None
    client.force_login(hr)
    response = client.post(url, {"yearly": "on", "yearly_from": "2028-02-29"})
    assert "other than 29 February" in response.content.decode()
    response = client.post(url, {"yearly": "on", "yearly_from": "2026-09-01"}, follow=True)
    assert "acknowledged again every year from 1 September 2026" in response.content.decode()
    policy = Policy.objects.get(pk=version.policy_id)
    assert policy.yearly_from == datetime.date(2026, 9, 1)
    assert policy.history.first().history_user == hr
    client.post(url, {})
    assert Policy.objects.get(pk=version.policy_id).yearly_from is None


# --- Several at once ------------------------------------------------------------------------------------


def three_policies():
    return [make_version(label=f"2026-{n}", sections={"Purpose": [f"Rule {n}."]}) for n in range(3)]


def test_it_confirms_several_policies_on_one_page_each_its_own_record(client, teacher, colleague):
    first, second, third = three_policies()
    client.force_login(teacher)
    page = client.get("/acknowledgements/waiting/").content.decode()
    assert page.count('type="checkbox" name="version"') == 3
    assert f"/acknowledgements/versions/{first.pk}/" in page  # each policy's text behind its link
    client.post("/acknowledgements/waiting/", {"version": [first.pk, third.pk]})
    records = Acknowledgement.objects.filter(person=teacher).order_by("version_id")
    assert [r.version_id for r in records] == [first.pk, third.pk]
    assert [r.fingerprint for r in records] == [fingerprint(first), fingerprint(third)]
    assert all(r.statement == statement_for("employee") for r in records)
    assert [v.pk for v in waiting_for(teacher)] == [second.pk]  # the unticked one keeps waiting
    # A second submission (double click, back button) records nothing twice.
    response = client.post("/acknowledgements/waiting/", {"version": [first.pk, third.pk]}, follow=True)
    assert Acknowledgement.objects.filter(person=teacher).count() == 2
    assert "nothing was recorded twice" in response.content.decode()
    assert not Acknowledgement.objects.filter(person=colleague).exists()  # only one's own, ever


def test_it_records_nothing_without_a_tick_or_for_a_draft(client, teacher):
    (live,) = three_policies()[:1]
    draft = make_version(policy=live.policy, label="draft", status=PolicyVersion.Status.DRAFT)
    client.force_login(teacher)
    hostile = ["", "x", "1" * 40, "-1", "<script>"]
    response = client.post("/acknowledgements/waiting/", {"version": hostile}, follow=True)
    assert "Tick the confirmation of at least one policy" in response.content.decode()
    client.post("/acknowledgements/waiting/", {"version": [draft.pk]})
    assert not Acknowledgement.objects.exists()


def test_it_refuses_the_several_at_once_page_to_someone_signed_out(client):
    three_policies()
    response = client.post("/acknowledgements/waiting/", {"version": ["1"]})
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    assert not Acknowledgement.objects.exists()


@pytest.mark.parametrize("policies", [2, 12])
def test_it_keeps_the_several_at_once_page_and_home_to_constant_queries(
    client, teacher, policies, django_assert_max_num_queries
):
    for n in range(policies):
        version = make_version(label=f"v-{n}", sections={"Purpose": [f"Rule {n}."]})
        if n % 2:
            make_successor(version, label=f"v-{n} rev. 2", change="minor", carries_over_from=version)
    client.force_login(teacher)
    with django_assert_max_num_queries(6):
        assert client.get("/acknowledgements/waiting/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/").status_code == 200


def test_it_sends_one_reminder_per_person_listing_every_waiting_policy(teacher, colleague):
    first, second, third = three_policies()
    acknowledged(second, colleague)
    plan = plan_reminders()
    assert plan.people == 2 and len(plan.messages) == 2
    to_teacher = next(m for m in plan.messages if m.to == [teacher.email])
    assert to_teacher.subject == "Please acknowledge 3 policies"
    for version in (first, second, third):
        assert f"/acknowledgements/versions/{version.pk}/" in to_teacher.body
    assert "/acknowledgements/waiting/" in to_teacher.body
    assert sorted((r.recipient_id, r.version_id) for r in plan.records if r.recipient_id == colleague.pk) == [
        (colleague.pk, first.pk),
        (colleague.pk, third.pk),
    ]
    assert len(set(plan.dedupe_keys)) == 2


def test_it_counts_reminders_afresh_in_a_new_round(version, teacher):
    today = timezone.localdate()
    Reminder.objects.create(recipient=teacher, version=version, sent_at=timezone.now() - timedelta(days=3))
    assert plan_reminders().people == 0  # reminded three days ago
    version.policy.yearly_from = today.replace(year=today.year - 1)  # a round opened today
    version.policy.save()
    assert plan_reminders().people == 1


def test_it_counts_carried_over_records_in_the_signoff_pack_of_the_minor_version(version, teacher, hr):
    from acknowledgements.pack import pack_context
    from acknowledgements.selectors import REGISTER_HEADER

    acknowledged(version, teacher)
    minor = published_as(version, "2024-2027 rev. 2", change="minor", hr=hr)
    context = pack_context(PolicyVersion.objects.select_related("policy").get(pk=minor.pk))
    assert context["acknowledged_count"] == 1 and context["carried_over_count"] == 1
    (row,) = [
        dict(zip(REGISTER_HEADER, r, strict=True)) for r in context["csv_rows"] if r[3] == teacher.email
    ]
    assert row["Version"] == "2024-2027" and row["Fingerprint (SHA-256)"] == fingerprint(version)
    assert row["Carried over"] == "acknowledged 2024-2027; carried over to 2024-2027 rev. 2 as a minor change"


def test_it_shows_the_round_on_the_compliance_pages(client, version, hr):
    today = timezone.localdate()
    version.policy.yearly_from = today.replace(year=today.year - 1)
    version.policy.save()
    client.force_login(hr)
    for url in ("/acknowledgements/compliance/", "/acknowledgements/outstanding/"):
        assert f"round {round_label(today)}" in client.get(url).content.decode()
