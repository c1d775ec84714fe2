import pytest
from django.core import mail

from symphony_portal.lib import emails


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
    message = mail.outbox[0]
    assert message.subject == "Hello <Tess>"  # subjects are plain text, folded onto one line
    assert message.body == f"Dear <Tess>, see {settings.SITE_URL}."
    assert message.alternatives[0][0] == "<p>Dear &lt;Tess&gt;</p>"


def test_it_sends_a_batch_on_one_connection(email_templates):
    sent = emails.send_batch(
        [emails.build("hello", to=[f"{n}@symphony.test"], context={"name": n}) for n in "ab"]
    )
    assert sent == 2 and len(mail.outbox) == 2


def test_it_delivers_to_a_real_smtp_server_and_raises_when_it_is_down(email_templates, smtp_server):
    emails.send_batch([emails.build("hello", to=[f"{n}@symphony.test"], context={"name": n}) for n in "ab"])
    assert smtp_server.recipients == ["a@symphony.test", "b@symphony.test"]
    assert smtp_server.connections == 1
    smtp_server.stop()
    with pytest.raises(OSError):
        emails.send("hello", to=["c@symphony.test"], context={"name": "c"})
