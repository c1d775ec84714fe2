"""`send_review_reminders`: HR is reminded 90, 30 and 7 days before the review term and every 14 days
while it is overdue; queued once each, delivered through a real SMTP server on loopback, losing nothing in an
outage."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from policies.models import PolicyVersion, ReviewReminder
from policies.services import scheduled_reminder
from symphony_portal.lib.terms import Term
from symphony_portal.mail.models import OutgoingEmail
from tests.builders import make_person, make_version
from tests.conftest import SMTPServer, deliver

pytestmark = pytest.mark.django_db

TERM = Term("autumn", 2027)  # 1 September to 31 December 2027
START, END = date(2027, 9, 1), date(2027, 12, 31)


def days_before(n: int) -> date:
    return START - timedelta(days=n)


def run(today: date, *args) -> str:
    """The command as cron runs it, then the delivery task as a worker runs it."""
    out = io.StringIO()
    call_command("send_review_reminders", f"--today={today.isoformat()}", *args, stdout=out)
    deliver()
    return out.getvalue()


@pytest.fixture
def version(db):
    return make_version(label="2024-2027", review=("autumn", 2027))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (days_before(91), None),
        (days_before(90), ("days_90", days_before(90))),
        (days_before(89), ("days_90", days_before(90))),  # still the latest: sent late if it was missed
        (days_before(31), ("days_90", days_before(90))),
        (days_before(30), ("days_30", days_before(30))),
        (days_before(7), ("days_7", days_before(7))),
        (START, ("days_7", days_before(7))),
        (END, ("days_7", days_before(7))),  # the last day of the term: due, not overdue
        (END + timedelta(days=1), ("overdue", date(2028, 1, 1))),
        (END + timedelta(days=14), ("overdue", date(2028, 1, 1))),
        (END + timedelta(days=15), ("overdue", date(2028, 1, 15))),
        (END + timedelta(days=29), ("overdue", date(2028, 1, 29))),
    ],
)
def test_it_schedules_reminders_around_the_boundaries(today, expected):
    assert scheduled_reminder(TERM, today) == expected


def test_it_emails_hr_at_90_days_once_and_not_at_91(version, hr, teacher, exec_head, smtp_server):
    other_hr = make_person("Hugo HR", roles=["hr"])
    make_person("Former HR", roles=["hr"], is_active=False)

    out = run(days_before(91))
    assert smtp_server.messages == [] and not ReviewReminder.objects.exists()
    assert "queued 0 to 2 HR people; 0 already queued before; 1 policies with no reminder due." in out

    out = run(days_before(90))
    assert sorted(smtp_server.recipients) == sorted([hr.email, other_hr.email])
    reminder = ReviewReminder.objects.get()
    assert (reminder.version, reminder.kind, reminder.due_on) == (version, "days_90", days_before(90))
    assert "Review reminders: queued 1 to 2 HR people; 0 already queued before" in out
    assert b"Subject: Review reminder: " in smtp_server.messages[0][2]

    # a second run the same day, and the next day, send nothing
    assert "queued 0 to 2 HR people; 1 already queued before" in run(days_before(90))
    assert "queued 0 to 2 HR people; 1 already queued before" in run(days_before(89))
    assert len(smtp_server.messages) == 2 and ReviewReminder.objects.count() == 1


def test_it_loses_nothing_in_a_mail_outage_and_sends_it_once_the_server_is_back(
    version, hr, smtp_server, settings
):
    smtp_server.stop()
    out = run(days_before(30))  # cron's run succeeds: the reminder waits in the outbox
    assert "queued 1 to 1 HR people" in out
    reminder = ReviewReminder.objects.get()
    assert (reminder.kind, reminder.due_on, reminder.sent_on) == ("days_30", days_before(30), days_before(30))
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.RETRYING
    assert "queued 0 to 1 HR people; 1 already queued before" in run(days_before(29))  # nothing new

    # The server is back (a fresh one: aiosmtpd's controller cannot be restarted).
    back = SMTPServer()
    back.start()
    settings.EMAIL_PORT = back.port
    try:
        deliver(now=timezone.now() + timedelta(hours=1))
        run(days_before(29))
    finally:
        back.stop()
    assert back.recipients == [hr.email]
    assert ReviewReminder.objects.count() == 1


def test_it_only_queues_and_never_twice_the_same_day(version, hr, smtp_server):
    out = io.StringIO()
    call_command("send_review_reminders", f"--today={days_before(7).isoformat()}", stdout=out)
    call_command("send_review_reminders", f"--today={days_before(7).isoformat()}", stdout=out)
    assert smtp_server.messages == []  # the command never talks to the mail server
    assert OutgoingEmail.objects.filter(to=hr.email).count() == 1 and ReviewReminder.objects.count() == 1
    deliver()
    assert smtp_server.recipients == [hr.email]


def test_it_reminds_every_14_days_while_overdue(version, hr, smtp_server):
    sent_on = []
    day = END - timedelta(days=1)
    run(day)  # the 7-day reminder, late
    for offset in range(0, 31):
        day = END + timedelta(days=offset)
        before = len(smtp_server.messages)
        run(day)
        if len(smtp_server.messages) > before:
            sent_on.append(day)
    assert sent_on == [date(2028, 1, 1), date(2028, 1, 15), date(2028, 1, 29)]
    assert list(
        ReviewReminder.objects.filter(kind="overdue").order_by("due_on").values_list("due_on", flat=True)
    ) == [
        date(2028, 1, 1),
        date(2028, 1, 15),
        date(2028, 1, 29),
    ]


def test_it_sends_nothing_in_a_dry_run(version, hr, smtp_server):
    out = run(days_before(7), "--dry-run")
    assert "Would queue: " in out and "would queue 1 to 1 HR people" in out
    assert smtp_server.messages == [] and not ReviewReminder.objects.exists()


def test_it_reminds_only_about_live_versions_and_mentions_a_review_in_progress(version, hr, smtp_server):
    make_version(policy=version.policy, label="2021-2024", review=("autumn", 2024), status="superseded")
    make_version(
        policy=version.policy, label="2027-2030", review=("autumn", 2030), status=PolicyVersion.Status.DRAFT
    )
    run(days_before(7))
    assert ReviewReminder.objects.get().version == version
    assert b"A draft of the next version (2027-2030) is in progress" in smtp_server.messages[0][2]


def test_it_fails_clearly_when_nobody_holds_the_hr_role(version, smtp_server):
    with pytest.raises(CommandError, match="no active person holds the HR role"):
        run(days_before(7))
    assert not ReviewReminder.objects.exists()
