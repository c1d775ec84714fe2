import pytest
from django.core import mail

from symphony_portal.lib import emails
from symphony_portal.mail.models import OutgoingEmail
from tests.conftest import deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def email_templates(tmp_path, settings):
    folder = tmp_path / "emails"
    folder.mkdir()
    (folder / "hello_subject.txt").write_text("Hello\n {{ name }}\n")
    (folder / "hello_body.txt").write_text("Dear {{ name }}, see {{ site_url }}.")
    (folder / "hello_body.html").write_text("<p>Dear {{ name }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]


def test_it_renders_subject_text_and_html(email_templates, settings):
    emails.send("hello", to=["a@symphony.test"], context={"name": "<Tess>"})
    deliver()
    message = mail.outbox[0]
    assert message.subject == "Hello <Tess>"  # subjects are plain text, folded onto one line
    assert message.body == f"Dear <Tess>, see {settings.SITE_URL}."
    assert message.alternatives[0][0] == "<p>Dear &lt;Tess&gt;</p>"


def test_it_queues_one_row_per_recipient_and_sends_nothing_itself(email_templates):
    assert emails.send("hello", to=["a@symphony.test", "b@symphony.test"], context={"name": "x"}) == 2
    assert mail.outbox == []
    assert sorted(OutgoingEmail.objects.values_list("to", "about", "status")) == [
        ("a@symphony.test", "hello", "queued"),
        ("b@symphony.test", "hello", "queued"),
    ]
    deliver()
    assert sorted(m.to[0] for m in mail.outbox) == ["a@symphony.test", "b@symphony.test"]


def test_it_queues_a_batch_and_skips_keys_already_queued(email_templates):
    batch = [emails.build("hello", to=[f"{n}@symphony.test"], context={"name": n}) for n in "ab"]
    assert emails.send_batch(batch, dedupe_keys=["k", "k"]) == 2
    assert emails.send_batch(batch, dedupe_keys=["k", "k"]) == 0  # same key, same addresses: nothing new
    assert emails.send_batch(batch) == 2  # without keys, every call queues
    assert OutgoingEmail.objects.count() == 4


def test_it_delivers_to_a_real_smtp_server_over_one_connection(email_templates, smtp_server):
    emails.send_batch([emails.build("hello", to=[f"{n}@symphony.test"], context={"name": n}) for n in "ab"])
    run = deliver()
    assert (run.sent, run.failed, run.retrying) == (2, 0, 0)
    assert smtp_server.recipients == ["a@symphony.test", "b@symphony.test"]
    assert smtp_server.connections == 1
    assert deliver().sent == 0  # nothing twice
