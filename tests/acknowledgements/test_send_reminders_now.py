""" "Send reminders now": HR and Heads remind the outstanding from the portal, after a preview, by the same
rule as the reminder command (services.plan_reminders); the emails go through the outbox."""

import io
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from acknowledgements import services
from acknowledgements.models import Reminder
from acknowledgements.selectors import outstanding
from symphony_portal.mail.models import OutgoingEmail
from symphony_portal.trust.models import Role, RoleAssignment
from tests.builders import make_person
from tests.conftest import deliver

from .conftest import acknowledged

pytestmark = pytest.mark.django_db


def reminded(person, version, *, days_ago: int) -> Reminder:
    return Reminder.objects.create(
        recipient=person, version=version, sent_at=timezone.now() - timedelta(days=days_ago)
    )


def test_it_previews_how_many_get_one_and_how_many_are_skipped_without_sending(
    client, settings, version, hr, teacher, colleague, governor, head, other_head
):
    settings.ACKNOWLEDGEMENT_REMINDER_DAYS = 7
    acknowledged(version, head, hr)
    reminded(colleague, version, days_ago=2)
    client.force_login(hr)
    response = client.get("/acknowledgements/reminders/")
    assert response.status_code == 200
    preview = response.content.decode()
    # teacher, governor, other_head get one; colleague was reminded 2 days ago.
    assert "<strong>3</strong> people get a reminder." in preview
    assert "<strong>1</strong> person is skipped: reminded in the last 7 days." in preview
    assert "Send 3 reminders" in preview
    assert OutgoingEmail.objects.count() == 0 and Reminder.objects.count() == 1


def test_it_sends_to_the_whole_trust_through_the_outbox_and_confirms(
    client, smtp_server, version, hr, teacher, colleague, head, other_head
):
    acknowledged(version, hr)
    client.force_login(hr)
    response = client.post("/acknowledgements/reminders/", follow=True)
    assert response.redirect_chain[-1][0] == "/acknowledgements/outstanding/"
    assert "4 reminders for the whole trust queued" in response.content.decode()
    # Queued, not sent: the request did not talk to the mail server.
    assert smtp_server.messages == []
    assert set(OutgoingEmail.objects.values_list("to", flat=True)) == {
        teacher.email,
        colleague.email,
        head.email,
        other_head.email,
    }
    assert set(Reminder.objects.values_list("recipient__email", flat=True)) == {
        teacher.email,
        colleague.email,
        head.email,
        other_head.email,
    }
    deliver()
    assert sorted(smtp_server.recipients) == sorted(
        [teacher.email, colleague.email, head.email, other_head.email]
    )


def test_it_sends_to_one_school_only_when_a_head_asks(
    client, version, head, teacher, colleague, other_head, hr
):
    client.force_login(head)
    preview = client.get("/acknowledgements/reminders/schools/harmony-primary/").content.decode()
    assert "<strong>3</strong> people get a reminder." in preview  # teacher, colleague, the Head herself
    response = client.post("/acknowledgements/reminders/schools/harmony-primary/", follow=True)
    assert response.redirect_chain[-1][0] == "/acknowledgements/compliance/schools/harmony-primary/"
    assert "3 reminders for Harmony Primary School queued" in response.content.decode()
    assert set(Reminder.objects.values_list("recipient", flat=True)) == {head.pk, teacher.pk, colleague.pk}
    assert not OutgoingEmail.objects.filter(to__in=[other_head.email, hr.email]).exists()


def test_it_lets_hr_pick_any_school(client, version, hr, crescendo, other_head, teacher):
    client.force_login(hr)
    response = client.get("/acknowledgements/reminders/", {"school": crescendo.slug})
    assert response["Location"] == f"/acknowledgements/reminders/schools/{crescendo.slug}/"
    client.post(response["Location"])
    assert list(Reminder.objects.values_list("recipient", flat=True)) == [other_head.pk]


def test_it_creates_nothing_new_on_a_second_click(client, version, hr, teacher, colleague):
    client.force_login(hr)
    client.post("/acknowledgements/reminders/")
    emails, reminders = OutgoingEmail.objects.count(), Reminder.objects.count()
    assert reminders == 3  # teacher, colleague, hr
    response = client.post("/acknowledgements/reminders/", follow=True)
    assert "Nobody at the whole trust was due a reminder" in response.content.decode()
    assert (OutgoingEmail.objects.count(), Reminder.objects.count()) == (emails, reminders)
    assert (
        "<strong>0</strong> people get a reminder."
        in client.get("/acknowledgements/reminders/").content.decode()
    )


def test_it_applies_the_same_rule_as_the_command(client, settings, version, hr, teacher, colleague):
    """Reminded by cron yesterday: the button skips them; reminded by the button: cron skips them."""
    settings.ACKNOWLEDGEMENT_REMINDER_DAYS = 7
    call_command("send_acknowledgement_reminders", stdout=io.StringIO())
    assert Reminder.objects.count() == 3
    client.force_login(hr)
    client.post("/acknowledgements/reminders/")
    assert Reminder.objects.count() == 3
    out = io.StringIO()
    call_command("send_acknowledgement_reminders", stdout=out)
    assert "Nothing to queue" in out.getvalue()


def test_it_records_nothing_twice_when_a_run_races_another(version, hr, teacher, colleague):
    """Two presses at once where rows cannot be locked (SQLite): both planned before either wrote. The
    unique keys of the outbox and of the reminders decide: the second writes nothing."""
    now = timezone.now()
    stale = services.plan_reminders(now=now)  # what the second press saw before the first wrote
    services.queue_reminders(now=now, by=hr)
    emails, reminders = OutgoingEmail.objects.count(), Reminder.objects.count()
    assert reminders == 3
    with mock.patch.object(services, "plan_reminders", return_value=stale):
        services.queue_reminders(now=now, by=hr)
    assert (OutgoingEmail.objects.count(), Reminder.objects.count()) == (emails, reminders)


def test_it_holds_the_service_to_the_permission_rule(version, head, crescendo, teacher):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.queue_reminders(by=head)  # the whole trust
    with pytest.raises(PermissionDenied):
        services.queue_reminders(school=crescendo, by=head)  # another school
    with pytest.raises(PermissionDenied):
        services.queue_reminders(school=teacher.school, by=teacher)
    assert Reminder.objects.count() == 0


@pytest.mark.parametrize("who", ["teacher", "governor", "other_head"])
def test_it_refuses_the_wrong_person_for_a_school(client, version, request, who, teacher):
    client.force_login(request.getfixturevalue(who))
    for method in (client.get, client.post):
        assert method("/acknowledgements/reminders/schools/harmony-primary/").status_code == 404
    assert Reminder.objects.count() == 0 and OutgoingEmail.objects.count() == 0


@pytest.mark.parametrize("who", ["teacher", "governor", "head", "other_head"])
def test_it_refuses_the_whole_trust_to_all_but_hr_and_the_executive_head(client, version, request, who):
    client.force_login(request.getfixturevalue(who))
    for method in (client.get, client.post):
        assert method("/acknowledgements/reminders/").status_code == 403
    assert client.get("/acknowledgements/reminders/", {"school": "harmony-primary"}).status_code == 403
    assert Reminder.objects.count() == 0 and OutgoingEmail.objects.count() == 0


def test_it_lets_the_executive_head_send_to_all(client, version, exec_head, teacher):
    client.force_login(exec_head)
    assert client.get("/acknowledgements/reminders/").status_code == 200
    client.post("/acknowledgements/reminders/")
    assert Reminder.objects.filter(recipient=teacher).count() == 1


def test_it_offers_the_button_where_the_outstanding_are_listed(client, version, hr, head, teacher):
    client.force_login(hr)
    assert (
        'href="/acknowledgements/reminders/"' in client.get("/acknowledgements/outstanding/").content.decode()
    )
    client.force_login(head)
    page = client.get("/acknowledgements/compliance/schools/harmony-primary/").content.decode()
    assert 'href="/acknowledgements/reminders/schools/harmony-primary/"' in page


def test_it_tells_the_user_when_the_school_picked_does_not_exist(client, version, hr):
    client.force_login(hr)
    assert client.get("/acknowledgements/reminders/", {"school": "no-such-school"}).status_code == 404


@pytest.mark.parametrize("people", [40, 400])
def test_it_keeps_the_preview_to_a_constant_number_of_queries(
    client, seed_version, django_assert_max_num_queries, people
):
    call_command("generate_trust", schools=3, people=people, seed=7, stdout=io.StringIO())
    hr = RoleAssignment.objects.get(role=Role.HR, user__email__endswith="generated.symphony.test").user
    head = RoleAssignment.objects.filter(role=Role.HEAD_TEACHER).select_related("user", "school").first()
    # Some were reminded long ago (past the Heads' threshold), some just now: every branch of the rule runs.
    waiting = list(outstanding(seed_version).order_by("pk"))
    assert len(waiting) >= 4
    for n, person in enumerate(waiting):
        for days in (1, 10, 20, 30) if n % 2 else (30, 40, 50):
            Reminder.objects.create(
                recipient=person, version=seed_version, sent_at=timezone.now() - timedelta(days=days)
            )
    client.force_login(hr)
    with django_assert_max_num_queries(12):
        response = client.get("/acknowledgements/reminders/")
    assert response.status_code == 200 and response.context["plan"].people > 0
    assert response.context["plan"].skipped > 0 and response.context["plan"].heads > 0
    client.force_login(head.user)
    with django_assert_max_num_queries(12):
        assert client.get(f"/acknowledgements/reminders/schools/{head.school.slug}/").status_code == 200


# --- Two presses at the same moment, on PostgreSQL -----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises writers")
def test_it_sends_each_reminder_once_when_several_press_at_once(version, hr, exec_head, harmony):
    people = [make_person(f"Outstanding {n}", school=harmony) for n in range(20)]
    pressers = [hr, exec_head] * 4
    barrier = threading.Barrier(len(pressers))
    errors = []

    def press(by):
        try:
            barrier.wait(timeout=30)
            services.queue_reminders(by=by)
        except Exception as error:  # noqa: BLE001 - any error is what the test looks for
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(p,)) for p in pressers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    expected = len(people) + 2  # the 20, HR and the Executive Head
    assert Reminder.objects.count() == expected
    assert OutgoingEmail.objects.count() == expected
    assert Reminder.objects.values("recipient").distinct().count() == expected
