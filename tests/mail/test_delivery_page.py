"""HR's mail delivery page: what failed or keeps retrying, to whom, about what, the server's answer."""

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone

from symphony_portal.mail import outbox
from symphony_portal.mail.models import OutgoingEmail
from tests.conftest import SMTPServer, deliver

pytestmark = pytest.mark.django_db

Status = OutgoingEmail.Status


def queue(address: str, subject: str = "Please acknowledge the policy") -> OutgoingEmail:
    outbox.queue(EmailMessage(subject=subject, body="x", to=[address]), about="test")
    return OutgoingEmail.objects.get(to=address, subject=subject)


@pytest.fixture
def refused(settings):
    """A real server that refuses one address; one delivery run against it."""
    server = SMTPServer(refuse={"gone@symphony.test"})
    server.start()
    settings.PORTAL_SENDING_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", server.port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    queue("gone@symphony.test", "Please acknowledge the <Social Media> policy")
    queue("fine@symphony.test")
    deliver()
    yield server
    server.stop()


def test_it_lists_the_failed_email_with_the_servers_answer_and_not_the_sent_one(client, hr, refused):
    client.force_login(hr)
    page = client.get("/mail/delivery/").content.decode()
    assert "gone@symphony.test" in page and "550 5.1.1 No such user here" in page
    assert "Please acknowledge the &lt;Social Media&gt; policy" in page  # escaped, never marked safe
    assert "fine@symphony.test" not in page
    assert "Try again" in page


def test_it_lists_retrying_emails_with_their_next_try(client, hr):
    email = queue("later@symphony.test")
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=Status.RETRYING,
        attempts=2,
        server_answer="421 4.7.0 try later",
        last_attempt_at=timezone.now(),
    )
    client.force_login(hr)
    page = client.get("/mail/delivery/").content.decode()
    assert "later@symphony.test" in page and "421 4.7.0 try later" in page and "next try" in page


def test_it_tries_a_failed_email_again_and_confirms(client, hr, refused, django_capture_on_commit_callbacks):
    email = OutgoingEmail.objects.get(to="gone@symphony.test")
    client.force_login(hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/mail/delivery/{email.pk}/try-again/", follow=True)
    assert "The email to gone@symphony.test is queued again" in response.content.decode()
    email.refresh_from_db()
    # Tried again at once (by the delivery task), and refused again: the answer is fresh, the count too.
    assert (email.status, email.attempts) == (Status.FAILED, 1)
    assert refused.recipients == ["fine@symphony.test"]


def test_it_refuses_try_again_to_anyone_but_hr_and_changes_nothing(client, head, teacher, refused):
    email = OutgoingEmail.objects.get(to="gone@symphony.test")
    for person in (head, teacher):
        client.force_login(person)
        assert client.get("/mail/delivery/").status_code == 403
        assert client.post(f"/mail/delivery/{email.pk}/try-again/").status_code == 403
    email.refresh_from_db()
    assert email.status == Status.FAILED


def test_it_says_there_is_nothing_to_try_again_for_a_sent_email(client, hr, refused):
    email = OutgoingEmail.objects.get(to="fine@symphony.test")
    client.force_login(hr)
    response = client.post(f"/mail/delivery/{email.pk}/try-again/", follow=True)
    assert "This email is sent: there is nothing to try again." in response.content.decode()
    assert OutgoingEmail.objects.get(pk=email.pk).status == Status.SENT


def test_it_shows_hr_the_page_in_the_menu_and_nobody_else(client, hr, head):
    client.force_login(hr)
    assert 'href="/mail/delivery/"' in client.get("/").content.decode()
    client.force_login(head)
    assert 'href="/mail/delivery/"' not in client.get("/").content.decode()


@pytest.mark.parametrize("failures", [5, 60])
def test_it_keeps_a_constant_number_of_queries_as_failures_grow(
    client, hr, failures, django_assert_max_num_queries
):
    outbox.queue_all(
        (EmailMessage(subject="s", body="x", to=[f"p{n}@symphony.test"]), "test", None)
        for n in range(failures)
    )
    OutgoingEmail.objects.update(status=Status.FAILED, server_answer="550 no")
    client.force_login(hr)
    with django_assert_max_num_queries(12):
        assert client.get("/mail/delivery/").status_code == 200
