"""New people are invited to choose a password after the import commits; no password travels."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from symphony_portal.mail.models import OutgoingEmail
from symphony_portal.trust import services
from symphony_portal.trust.models import PeopleImport, User
from tests.conftest import SMTPServer, deliver
from tests.trust.importing import csv_of, import_now

pytestmark = pytest.mark.django_db

NINA = "nina.gordon@symphony.test,Nina Gordon,employee,Harmony Primary School,,Year 3 Teacher"
OMAR = "omar.haddad@symphony.test,Omar Haddad,employee,,,HR Officer"


def link_in(body: str) -> str:
    return re.search(r"http://testserver(/accounts/reset/\S+/)", body).group(1)


def test_it_invites_each_new_person_after_the_import_commits(
    hr, harmony, teacher, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://testserver"
    text = csv_of(NINA, OMAR, "tess.teacher@symphony.test,Tess Teacher,employee,harmony-primary,,New title")
    with django_capture_on_commit_callbacks() as callbacks:
        record = import_now(text, by=hr)
        assert mail.outbox == []  # nothing is sent before the transaction commits
    with django_capture_on_commit_callbacks(execute=True):  # the commit: the tasks queue, then deliver
        for callback in callbacks:
            callback()
    assert sorted(m.to[0] for m in mail.outbox) == ["nina.gordon@symphony.test", "omar.haddad@symphony.test"]
    message = next(m for m in mail.outbox if m.to == ["nina.gordon@symphony.test"])
    assert message.subject == "You have been added to the Symphony Learning Trust policy portal"
    assert "Dear Nina Gordon" in message.body and "/accounts/reset/" in message.body
    assert PeopleImport.objects.get(pk=record.pk).invitations_sent == 2


def test_it_sends_a_link_that_lets_the_new_person_choose_a_password_and_sign_in(
    client, hr, harmony, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://testserver"
    with django_capture_on_commit_callbacks(execute=True):
        import_now(csv_of(NINA), by=hr)
    nina = User.objects.get(email="nina.gordon@symphony.test")
    assert not nina.has_usable_password()
    # Nobody can sign in as Nina before she chooses a password.
    refused = client.post("/accounts/login/", {"username": nina.email, "password": ""})
    assert refused.status_code == 200

    form_page = client.get(link_in(mail.outbox[0].body), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "nina-chooses-this-1", "new_password2": "nina-chooses-this-1"},
    )
    assert User.objects.get(pk=nina.pk).check_password("nina-chooses-this-1")
    signed_in = client.post("/accounts/login/", {"username": nina.email, "password": "nina-chooses-this-1"})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"


def test_it_never_puts_a_password_in_the_email_even_when_the_file_has_one(
    hr, harmony, django_capture_on_commit_callbacks
):
    text = csv_of(
        "nina.gordon@symphony.test,Nina Gordon,employee,,,,Sup3r-Secret-Pass",
        header="email,name,kind,school,role,job title,password",
    )
    with django_capture_on_commit_callbacks(execute=True):
        record = import_now(text, by=hr)
    nina = User.objects.get(email="nina.gordon@symphony.test")
    assert not nina.has_usable_password() and not nina.check_password("Sup3r-Secret-Pass")
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert "Sup3r-Secret-Pass" not in message.body and "Sup3r-Secret-Pass" not in html
    assert nina.password not in message.body
    assert "password:" not in message.body.lower()
    assert record.created_count == 1


def test_it_emails_nobody_when_the_import_rolls_back(
    hr, harmony, monkeypatch, django_capture_on_commit_callbacks
):
    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_set_roles", fail)
    pending = services.upload_people_import(csv_of(NINA), filename="people.csv", by=hr)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        services.confirm_people_import(pending, deactivate_missing=False, by=hr)
    assert mail.outbox == []
    assert not User.objects.filter(email="nina.gordon@symphony.test").exists()
    assert PeopleImport.objects.get().is_pending


def test_it_keeps_the_import_and_invites_everyone_once_the_mail_server_is_back(
    client, hr, harmony, smtp_server, settings, django_capture_on_commit_callbacks, immediate_tasks
):
    smtp_server.stop()
    record = services.upload_people_import(csv_of(NINA, OMAR), filename="people.csv", by=hr)
    client.force_login(hr)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/people/import/{record.pk}/confirm/")
    page = client.get(f"/people/import/{record.pk}/").content.decode()
    assert "Imported: 2 created" in page and "2 invitations to choose a password queued" in page
    record.refresh_from_db()
    assert record.status == PeopleImport.Status.IMPORTED and record.invitations_sent == 2
    assert User.objects.filter(email="nina.gordon@symphony.test").exists()
    # Nothing was lost: both wait in the outbox (one tried, one not yet) ...
    assert OutgoingEmail.objects.filter(about="people_invitation").exclude(status="sent").count() == 2
    # ... and "send again" while they wait does not give anyone a second one.
    client.post(f"/people/import/{record.pk}/invitations/")
    assert OutgoingEmail.objects.filter(about="people_invitation").count() == 2

    back = SMTPServer()
    back.start()
    try:
        settings.EMAIL_PORT = back.port
        deliver(now=timezone.now() + timedelta(hours=1))
    finally:
        back.stop()
    assert sorted(back.recipients) == ["nina.gordon@symphony.test", "omar.haddad@symphony.test"]


def test_it_sends_the_invitations_again_to_those_without_a_password(
    client, hr, harmony, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = import_now(csv_of(NINA, OMAR), by=hr)
    assert sorted(smtp_server.recipients) == ["nina.gordon@symphony.test", "omar.haddad@symphony.test"]
    omar = User.objects.get(email="omar.haddad@symphony.test")
    omar.set_password("omar-chose-one-1")
    omar.save()

    client.force_login(hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/people/import/{record.pk}/invitations/", follow=True)
    assert "1 invitation sent again" in response.content.decode()
    assert smtp_server.recipients[2:] == ["nina.gordon@symphony.test"]


def test_it_refuses_to_send_invitations_for_someone_elses_import_or_a_pending_one(
    client, hr, teacher, harmony
):
    record = services.upload_people_import(csv_of(NINA), filename="people.csv", by=hr)
    client.force_login(teacher)
    assert client.post(f"/people/import/{record.pk}/invitations/").status_code == 404
    client.force_login(hr)
    response = client.post(f"/people/import/{record.pk}/invitations/", follow=True)
    assert "nobody has been invited" in response.content.decode()
    assert mail.outbox == []
