"""One reminder run for the whole trust (issue 17): one email per person listing every policy waiting for
them, planned in a constant number of queries, rendered once per version where it can be, queued in parts."""

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.utils import timezone

from acknowledgements import services
from acknowledgements.models import Reminder
from acknowledgements.selectors import outstanding_with_reminders, published_versions
from policies.models import Policy
from symphony_portal.lib import emails
from symphony_portal.mail.models import OutgoingEmail
from symphony_portal.trust.models import Kind
from tests.builders import make_version

from .conftest import acknowledged
from .test_audiences import addressed

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("send_acknowledgement_reminders", *args, stdout=out)
    return out.getvalue()


def reminded(person, version, *, days_ago: int, times: int = 1) -> None:
    for n in range(times):
        Reminder.objects.create(
            recipient=person, version=version, sent_at=timezone.now() - timedelta(days=days_ago + 7 * n)
        )


def old_item(version) -> dict:
    """A version's lines as the templates rendered them in their own loop, before the run made them once."""
    link = emails.absolute_url("acknowledgements:acknowledge", version.pk)
    context = {"version": version, "link": link}
    return {
        "version": version,
        "link": link,
        "html": Template('<li><a href="{{ link }}">{{ version.title }} {{ version.label }}</a></li>').render(
            Context(context)
        ),
        "text": Template("{{ version.title }} {{ version.label }}: {{ link }}").render(
            Context(context, autoescape=False)
        ),
    }


def emails_one_by_one(now) -> dict[str, tuple[str, str, str]]:
    """The reminders as the rule reads one version at a time (outstanding_with_reminders, the selector
    behind the outstanding lists) and each email rendered on its own (emails.build, a link reversed per
    policy): what the run must send, by address."""
    every = timedelta(days=7)
    waiting: dict[int, tuple] = {}
    for version in published_versions():
        for person in outstanding_with_reminders(version).order_by("full_name", "pk"):
            due = not (person.last_reminded_at and person.last_reminded_at > now - every)
            _, versions, any_due = waiting.get(person.pk, (person, [], False))
            waiting[person.pk] = (person, [*versions, version], any_due or due)
    sent = {}
    for person, versions, due in waiting.values():
        if not due:
            continue
        items = [old_item(v) for v in versions]
        link = emails.absolute_url("acknowledgements:waiting") if len(items) > 1 else items[0]["link"]
        message = emails.build(
            "acknowledgement_reminder",
            to=[person.email],
            context={"person": person, "items": items, "version": versions[0], "link": link},
        )
        sent[person.email] = (message.subject, message.body, message.alternatives[0][0])
    return sent


@pytest.fixture
def library(version, hr, teacher, colleague, governor, head, other_head, exec_head, trustee):
    """Three live policies: for everyone, employees only, governors and trustees only."""
    # A title with markup in it: escaped in the HTML, as typed in the text.
    hostile = Policy.objects.create(title='Staff "AI" <b>tools</b> & you', slug="staff-ai-tools")
    staff = addressed(make_version(policy=hostile, label="2026"), hr, kinds=(Kind.EMPLOYEE,))
    boards = addressed(make_version(label="2025-2028"), hr, kinds=(Kind.GOVERNOR, Kind.TRUSTEE))
    return version, staff, boards


def test_it_sends_each_person_the_email_listing_what_waits_for_them(
    settings, library, hr, teacher, colleague, governor, head, other_head, exec_head, trustee
):
    settings.ACKNOWLEDGEMENT_REMINDER_DAYS = 7
    everyone, staff, boards = library
    acknowledged(everyone, colleague, head)
    acknowledged(staff, other_head)
    reminded(teacher, everyone, days_ago=2)  # not about the staff policy: due, and both are listed
    reminded(governor, everyone, days_ago=2)
    reminded(governor, boards, days_ago=3)  # reminded about all that waits: skipped
    now = timezone.now()
    expected = emails_one_by_one(now)

    plan = services.plan_reminders(now=now)

    got = {m.to[0]: (m.subject, m.body, m.alternatives[0][0]) for m in plan.messages}
    assert got == expected
    assert governor.email not in got and plan.skipped == 1
    assert plan.people == len(expected) == 7  # teacher, colleague, head, other_head, exec_head, hr, trustee
    subject, body, html = got[teacher.email]
    assert subject == "Please acknowledge 2 policies"
    assert (
        f"/acknowledgements/versions/{everyone.pk}/" in body
        and f"/acknowledgements/versions/{staff.pk}/" in html
    )
    assert got[colleague.email][0] == f"Please acknowledge the {staff.title} 2026"
    assert "Staff &quot;AI&quot; &lt;b&gt;tools&lt;/b&gt; &amp; you 2026</a></li>" in html
    assert '- Staff "AI" <b>tools</b> & you 2026: http' in body
    assert {(r.recipient_id, r.version_id) for r in plan.records if r.recipient_id == trustee.pk} == {
        (trustee.pk, everyone.pk),
        (trustee.pk, boards.pk),
    }


def test_it_records_and_sends_nothing_new_on_a_second_run_the_same_day(library, monkeypatch):
    monkeypatch.setattr(services, "FIRST_PART", 1)  # several parts, even with a handful of people
    monkeypatch.setattr(services, "PART", 2)
    output = run()
    assert "Queued 8 reminders to people" in output
    emails_queued, records = OutgoingEmail.objects.count(), Reminder.objects.count()
    assert emails_queued == 8 and records == 8 + 6 + 2  # for everyone, the 6 employees, governor and trustee
    assert "Nothing to queue" in run()
    assert (OutgoingEmail.objects.count(), Reminder.objects.count()) == (emails_queued, records)
    # Each email was recorded with the policies it lists: two each, here.
    for row in OutgoingEmail.objects.all():
        assert Reminder.objects.filter(recipient__email=row.to).count() == 2
        assert row.subject == "Please acknowledge 2 policies"


def test_it_keeps_what_earlier_parts_queued_when_a_run_stops_and_the_next_one_sends_the_rest(
    library, monkeypatch
):
    monkeypatch.setattr(services, "FIRST_PART", 3)
    monkeypatch.setattr(services, "PART", 3)
    real_queue, parts = services._queue, []

    def failing_second_part(planned):
        parts.append(planned)
        if len(parts) == 2:
            raise RuntimeError("the host went down")
        real_queue(planned)

    with mock.patch.object(services, "_queue", failing_second_part), pytest.raises(RuntimeError):
        run()
    first = {p.to for p in parts[0]}
    assert set(OutgoingEmail.objects.values_list("to", flat=True)) == first
    assert set(Reminder.objects.values_list("recipient__email", flat=True)) == first  # with their records
    output = run()
    assert "Queued 5 reminders to people" in output  # the rest; nobody twice
    assert OutgoingEmail.objects.count() == 8 and OutgoingEmail.objects.values("to").distinct().count() == 8


@pytest.mark.parametrize(("people", "policies"), [(40, 2), (400, 8)])
def test_it_plans_and_queues_in_a_constant_number_of_queries(
    seed_version, django_assert_max_num_queries, people, policies
):
    call_command("generate_trust", schools=3, people=people, seed=7, stdout=io.StringIO())
    for n in range(policies - 1):
        make_version(label=f"202{n}")
    # Some reminded long ago (past the Heads' threshold), some just now: every branch of the rule runs.
    for n, person in enumerate(outstanding_with_reminders(seed_version).order_by("pk")[:20]):
        for version in published_versions():
            reminded(person, version, days_ago=1 if n % 2 else 30, times=3)
    # Planning: the live versions, their audiences, who waits for what, their reminders so far, the Heads
    # (two) and when each was last told, whatever the number of people and policies.
    with django_assert_max_num_queries(7):
        plan = services.plan_reminders()
    assert plan.people > 0 and plan.skipped > 0 and plan.heads > 0
    # The run: the planning, then per part of up to PART emails the versions locked, the outbox's key
    # check, its INSERTs (one per 500 rows; SQLite's 999 parameters make that ~58) and one statement for
    # the records: nothing per person or per policy.
    with django_assert_max_num_queries(30):
        output = run()
    assert f"Queued {plan.people} reminders" in output
    assert OutgoingEmail.objects.count() == plan.people + plan.heads
