"""The Head approves, declines or asks for changes; the requester is emailed the outcome and a link."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from approvals import services
from approvals.models import SiteApprovalRequest, SiteEvent, one_year_after
from symphony_portal.mail.models import OutgoingEmail
from tests.approvals.builders import make_site_request, request_form_data
from tests.conftest import SMTPServer, deliver

pytestmark = pytest.mark.django_db

Status = SiteApprovalRequest.Status


@pytest.fixture
def waiting(teacher, colleague):
    return make_site_request(teacher, runners=[teacher, colleague], name="Year 6 Secret Name")


def test_it_lets_the_head_approve_with_a_review_date_a_year_on(
    client_for, waiting, head, teacher, django_capture_on_commit_callbacks
):
    client = client_for(head)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/approvals/requests/{waiting.pk}/decide/", {"outcome": "approved", "note": "Private note"}
        )

    assert response.status_code == 302 and response["Location"] == f"/approvals/requests/{waiting.pk}/"
    waiting.refresh_from_db()
    today = timezone.localdate()
    assert waiting.status == Status.APPROVED
    assert (waiting.decided_by, waiting.decision_note) == (head, "Private note")
    assert waiting.approved_on == today
    assert waiting.review_due_on == one_year_after(today)
    assert [e.kind for e in waiting.events.all()] == [SiteEvent.Kind.SUBMITTED, SiteEvent.Kind.APPROVED]
    assert waiting.events.last().by == head
    # The requester learns the outcome and where to look: not the site's name, nor the Head's note.
    (message,) = mail.outbox
    assert message.to == [teacher.email]
    assert "approved" in message.subject and "approved" in message.body
    assert f"/approvals/requests/{waiting.pk}/" in message.body
    for secret in ("Year 6 Secret Name", "Private note"):
        assert secret not in message.subject + message.body + message.alternatives[0][0]
    assert "Decision recorded: approved." in client.get(response["Location"]).content.decode()


def test_it_lets_the_head_decline_with_a_reason(
    client_for, waiting, head, teacher, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(head).post(
            f"/approvals/requests/{waiting.pk}/decide/", {"outcome": "declined", "note": "Not this platform."}
        )

    waiting.refresh_from_db()
    assert waiting.status == Status.DECLINED and waiting.decision_note == "Not this platform."
    assert waiting.review_due_on is None
    assert [m.to for m in mail.outbox] == [[teacher.email]] and "declined" in mail.outbox[0].subject
    page = client_for(teacher).get(f"/approvals/requests/{waiting.pk}/").content.decode()
    assert "Declined" in page and "Not this platform." in page


def test_it_asks_for_a_reason_when_declining_and_records_nothing_without_one(client_for, waiting, head):
    response = client_for(head).post(f"/approvals/requests/{waiting.pk}/decide/", {"outcome": "declined"})

    assert response.status_code == 200
    assert "Say why" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Status.SUBMITTED and waiting.events.count() == 1


def test_it_lets_the_requester_change_and_resubmit_after_the_head_asks_for_changes(
    client_for, waiting, head, teacher, colleague, other_teacher, django_capture_on_commit_callbacks
):
    client_for(head).post(
        f"/approvals/requests/{waiting.pk}/decide/",
        {"outcome": "changes_requested", "note": "Turn comments off and name Olive too."},
    )
    waiting.refresh_from_db()
    assert waiting.status == Status.CHANGES_REQUESTED

    requester = client_for(teacher)
    edit_page = requester.get(f"/approvals/requests/{waiting.pk}/edit/").content.decode()
    assert "Turn comments off and name Olive too." in edit_page
    assert 'value="Year 6 Secret Name"' in edit_page

    data = request_form_data(
        [teacher, colleague, other_teacher], name="Year 6 News", moderation_plan="Comments are off."
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = requester.post(f"/approvals/requests/{waiting.pk}/edit/", data)

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Status.SUBMITTED
    assert (waiting.name, waiting.moderation_plan) == ("Year 6 News", "Comments are off.")
    assert set(waiting.runners.all()) == {teacher, colleague, other_teacher}
    steps = [(e.kind, e.by) for e in waiting.events.all()]
    assert steps == [
        (SiteEvent.Kind.SUBMITTED, teacher),
        (SiteEvent.Kind.CHANGES_REQUESTED, head),
        (SiteEvent.Kind.RESUBMITTED, teacher),
    ]
    # Every version of the row is kept, with who made it.
    history = waiting.history.order_by("history_date", "history_id").values_list(
        "name", "status", "history_user"
    )
    # (runners being set adds a record of its own: consecutive identical rows are one step)
    steps = [row for i, row in enumerate(history) if i == 0 or row != history[i - 1]]
    assert steps == [
        ("Year 6 Secret Name", Status.SUBMITTED, teacher.pk),
        ("Year 6 Secret Name", Status.CHANGES_REQUESTED, head.pk),
        ("Year 6 News", Status.SUBMITTED, teacher.pk),
    ]
    # The outbox delivers both: the changes asked of the requester, then the request sent back to the Head.
    assert [m.to for m in mail.outbox] == [[teacher.email], [head.email]]

    # The timeline shows each step with who and when.
    page = client_for(head).get(f"/approvals/requests/{waiting.pk}/").content.decode()
    for label in ("Asked for approval", "Asked for changes", "Changed and sent again"):
        assert label in page
    assert page.count("<time datetime=") == 3


def test_it_refuses_changes_unless_the_head_asked_for_them(client_for, waiting, teacher, colleague):
    response = client_for(teacher).post(
        f"/approvals/requests/{waiting.pk}/edit/", request_form_data([teacher, colleague], name="Sneaky")
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.name == "Year 6 Secret Name" and waiting.events.count() == 1


def test_it_lets_only_the_requester_change_a_request(client_for, waiting, head, teacher, colleague):
    services.decide_request(waiting, "changes_requested", by=head, note="Please change it.")
    # Colin is named to run it, so he can see it, but it is Tess's request.
    response = client_for(colleague).post(
        f"/approvals/requests/{waiting.pk}/edit/", request_form_data([teacher, colleague], name="Colin's")
    )
    assert response.status_code == 403
    waiting.refresh_from_db()
    assert waiting.name == "Year 6 Secret Name" and waiting.status == Status.CHANGES_REQUESTED


@pytest.mark.parametrize(
    ("who", "status"), [("teacher", 403), ("hr", 403), ("other_head", 404), ("governor", 404)]
)
def test_it_refuses_a_decision_from_anyone_but_the_head(client_for, waiting, request, who, status):
    person = request.getfixturevalue(who)
    response = client_for(person).post(f"/approvals/requests/{waiting.pk}/decide/", {"outcome": "approved"})

    assert response.status_code == status
    waiting.refresh_from_db()
    assert waiting.status == Status.SUBMITTED and waiting.decided_by is None


def test_it_lets_the_executive_head_decide_any_schools_request(client_for, waiting, exec_head):
    client_for(exec_head).post(f"/approvals/requests/{waiting.pk}/decide/", {"outcome": "approved"})
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED and waiting.decided_by == exec_head


def test_it_does_not_decide_a_request_twice(client_for, waiting, head, exec_head):
    client_for(head).post(f"/approvals/requests/{waiting.pk}/decide/", {"outcome": "approved"})
    client = client_for(exec_head)
    response = client.post(
        f"/approvals/requests/{waiting.pk}/decide/", {"outcome": "declined", "note": "No."}
    )

    assert response.status_code == 302
    assert "already been decided" in client.get(response["Location"]).content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED and waiting.decided_by == head


def test_it_emails_nobody_when_the_decision_is_rolled_back(waiting, head, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.decide_request(waiting, "approved", by=head)
        raise RuntimeError("something later in the same transaction failed")

    assert mail.outbox == []
    waiting.refresh_from_db()
    assert waiting.status == Status.SUBMITTED


def test_it_delivers_the_decision_through_smtp_and_keeps_it_when_the_server_is_down(
    client_for, teacher, colleague, head, smtp_server, settings, django_capture_on_commit_callbacks
):
    first = make_site_request(teacher, runners=[teacher, colleague])
    second = make_site_request(teacher, runners=[teacher, colleague])
    client = client_for(head)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/approvals/requests/{first.pk}/decide/", {"outcome": "approved"})
    assert smtp_server.recipients.count(teacher.email) == 1

    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/approvals/requests/{second.pk}/decide/", {"outcome": "approved"})
    # The decision stands and the requester sees it in the portal; the email waits in the outbox.
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Status.APPROVED
    waiting = OutgoingEmail.objects.get(to=teacher.email, status=OutgoingEmail.Status.RETRYING)
    assert "approved" in waiting.subject

    back = SMTPServer()  # the server returns (a fresh one: aiosmtpd's controller cannot be restarted)
    back.start()
    try:
        settings.EMAIL_PORT = back.port
        deliver(now=timezone.now() + datetime.timedelta(hours=1))
    finally:
        back.stop()
    assert back.recipients == [teacher.email]
    assert OutgoingEmail.objects.get(pk=waiting.pk).status == OutgoingEmail.Status.SENT


def test_it_gives_a_29_february_approval_a_review_on_28_february():
    assert one_year_after(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)
    assert one_year_after(datetime.date(2026, 11, 25)) == datetime.date(2027, 11, 25)
