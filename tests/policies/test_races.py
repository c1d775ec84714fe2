"""Review actions racing each other on PostgreSQL, with real threads on their own connections.

Each race is run several times (RUNS), each on a fresh policy whose live version and draft were made
through the services (approved, then published). After every run: exactly one live version of the
policy, its text (fingerprint) is the one its approval recorded, and whoever lost was told why and
changed nothing.
"""

import datetime
import threading
import time
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from acknowledgements.models import Acknowledgement
from acknowledgements.services import NotCurrentVersionError, acknowledge
from policies import services
from policies.models import Clause, Policy, PolicyVersion, Section
from policies.selectors import fingerprint
from symphony_portal.trust.models import Role
from tests.builders import make_person

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so requests cannot race there",
    ),
]

RUNS = 6
# Half the runs start everyone at once; the others give the first call (publishing) a head start, so
# that both orders of each race happen.
HEAD_STARTS = (0.0, 0.05)
APPROVED_ON = datetime.date(2026, 11, 2)


def at_once(*calls, head_start: float = 0.0) -> list:
    """Run each call in its own thread (own connection), all released together by a barrier; returns the
    result or the error of each. ``head_start`` (seconds) holds back every call but the first, so that
    both orders of a race are tried."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=30)
            if index and head_start:
                time.sleep(head_start)
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test looks at
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    return outcomes


def approve(version, by, minute="BT/1"):
    return services.record_approval(
        version, approved_by_body="Board of Trustees", approved_on=APPROVED_ON, minute_reference=minute, by=by
    )


def reviewed_policy(n: int, hr) -> tuple[PolicyVersion, PolicyVersion]:
    """A policy whose first version was approved and published, and an approved draft of the next."""
    policy = Policy.objects.create(title=f"Race Policy {n}", slug=f"race-policy-{n}")
    first = PolicyVersion.objects.create(
        policy=policy, label="2023-2026", review_season="autumn", review_year=2026
    )
    section = Section.objects.create(version=first, position=1, heading="Purpose")
    Clause.objects.create(version=first, section=section, position=1, text="Be kind online.")
    approve(first, hr)
    services.publish(first, by=hr)
    draft = services.start_draft(PolicyVersion.objects.get(pk=first.pk), label="2026-2029", by=hr)
    clause = draft.clauses.get()
    services.edit_clause(
        clause, text="Be kind online, always.", style=clause.style, section=clause.section, revision=1, by=hr
    )
    approve(draft, hr)
    return PolicyVersion.objects.get(pk=first.pk), PolicyVersion.objects.get(pk=draft.pk)


def broken_states(policy_id: int) -> list[str]:
    """What is wrong with the policy now: not exactly one live version, or a live text not approved."""
    problems = []
    live = list(PolicyVersion.objects.filter(policy_id=policy_id, status=PolicyVersion.Status.PUBLISHED))
    if len(live) != 1:
        problems.append(f"{len(live)} live versions")
    for version in live:
        if version.approved_fingerprint != fingerprint(version):
            problems.append(f"{version} live with a text that is not the one approved")
        if version.adopted_title != version.policy.title:
            problems.append(f"{version} adopted under a title that is not its policy's")
    for version in PolicyVersion.objects.filter(policy_id=policy_id, status=PolicyVersion.Status.SUPERSEDED):
        if version.superseded_by is None or version.superseded_by.is_draft:
            problems.append(f"{version} superseded without a published successor")
    return problems


def told_it_was_published(error, by) -> bool:
    return isinstance(error, ValidationError) and f"was published a moment ago by {by}" in error.messages[0]


@pytest.fixture
def hr_people(db):
    return (
        make_person("Harriet Publisher", roles=(Role.HR,)),
        make_person("Henry Approver", roles=(Role.HR,)),
    )


def test_it_keeps_one_approved_live_version_when_approving_while_publishing(hr_people):
    publisher, approver = hr_people
    broken, lost = [], 0
    for n in range(RUNS):
        _, draft = reviewed_policy(n, publisher)
        published, approved = at_once(
            partial(services.publish, draft, by=publisher),
            partial(approve, draft, approver, minute=f"BT/{n}"),
            head_start=HEAD_STARTS[n % len(HEAD_STARTS)],
        )
        assert isinstance(published, PolicyVersion), published  # the approval does not change the text
        if isinstance(approved, Exception):
            lost += 1
            assert told_it_was_published(approved, publisher), approved
            assert PolicyVersion.objects.get(pk=draft.pk).approval_minute_reference == "BT/1"  # unchanged
        broken += broken_states(draft.policy_id)
    assert broken == []
    print(f"approve vs publish: {RUNS} runs, approval lost {lost}, broken states {len(broken)}")


def test_it_keeps_the_approved_text_when_editing_while_publishing(hr_people):
    publisher, editor = hr_people
    broken, published_runs = [], 0
    for n in range(RUNS):
        current, draft = reviewed_policy(100 + n, publisher)
        clause = draft.clauses.get()
        published, edited = at_once(
            partial(services.publish, draft, by=publisher),
            partial(
                services.edit_clause,
                clause,
                text=f"Edited {n}.",
                style=clause.style,
                section=clause.section,
                revision=2,
                by=editor,
            ),
            head_start=HEAD_STARTS[n % len(HEAD_STARTS)],
        )
        if isinstance(published, PolicyVersion):  # publish went first: the edit is refused, text untouched
            published_runs += 1
            assert told_it_was_published(edited, publisher), edited
            assert Clause.objects.get(pk=clause.pk).text == "Be kind online, always."
        else:  # the edit went first: publishing is refused, the old version stays live
            assert isinstance(edited, Clause), edited
            assert "changed after its approval" in published.messages[0]
            assert PolicyVersion.objects.get(pk=current.pk).is_published
        broken += broken_states(draft.policy_id)
    assert broken == []
    print(f"edit vs publish: {RUNS} runs, published first {published_runs}, broken states {len(broken)}")


def test_it_publishes_once_when_two_people_publish_at_once(hr_people):
    first, second = hr_people
    broken = []
    for n in range(RUNS):
        current, draft = reviewed_policy(200 + n, first)
        outcomes = at_once(
            partial(services.publish, draft, by=first), partial(services.publish, draft, by=second)
        )
        winners = [o for o in outcomes if isinstance(o, PolicyVersion)]
        losers = [o for o in outcomes if isinstance(o, Exception)]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        winner = PolicyVersion.objects.select_related("published_by").get(pk=draft.pk).published_by
        assert told_it_was_published(losers[0], winner), losers[0]
        assert PolicyVersion.objects.get(pk=current.pk).superseded_by_id == draft.pk
        broken += broken_states(draft.policy_id)
    assert broken == []
    print(f"publish vs publish: {RUNS} runs, broken states {len(broken)}")


def test_it_records_acknowledgements_only_of_the_version_live_when_they_were_made(hr_people, harmony):
    publisher, _ = hr_people
    staff = [make_person(f"Staff {i}", school=harmony) for i in range(4)]
    broken, refused = [], 0
    for n in range(RUNS):
        current, draft = reviewed_policy(300 + n, publisher)
        outcomes = at_once(
            partial(services.publish, draft, by=publisher),
            *[partial(acknowledge, current, by=person) for person in staff],
            head_start=HEAD_STARTS[n % len(HEAD_STARTS)],
        )
        assert isinstance(outcomes[0], PolicyVersion), outcomes[0]
        superseded = PolicyVersion.objects.get(pk=current.pk)
        for outcome in outcomes[1:]:
            if isinstance(outcome, Exception):
                refused += 1
                assert isinstance(outcome, NotCurrentVersionError), outcome
        for record in Acknowledgement.objects.filter(version=current):
            if not record.acknowledged_at < superseded.superseded_at:
                broken.append(f"{record} made after its version was superseded")
            if record.fingerprint != fingerprint(superseded):
                broken.append(f"{record} has a fingerprint that is not its version's text")
        made = Acknowledgement.objects.filter(version=current).count()
        assert made + sum(isinstance(o, Exception) for o in outcomes[1:]) == len(staff)
        broken += broken_states(draft.policy_id)
    assert broken == []
    print(
        f"acknowledge vs publish: {RUNS} runs x {len(staff)} people, refused {refused}, broken {len(broken)}"
    )
