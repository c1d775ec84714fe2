"""The portal's emails, from templates: emails/<name>_subject.txt, _body.txt and _body.html.

Domain code calls ``send(...)`` inside the transaction of the action that causes the email: it writes one
row per recipient to the outbox (symphony_portal/mail), which a task delivers once the transaction has
committed. A rolled-back action emails nobody; a committed one is delivered, retried or reported to HR,
and no web request waits for a mail server. Emails carry links, not content: what a report says or who
made it never leaves the portal by email.
"""

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse

from symphony_portal.mail import outbox


def absolute_url(path_or_name: str, *args) -> str:
    """A full link for an email: a URL name (with args) or a path, on SITE_URL."""
    path = path_or_name if path_or_name.startswith("/") else reverse(path_or_name, args=args)
    return settings.SITE_URL + path


def render_text(template_name: str, context: dict) -> str:
    """A plain-text template rendered without HTML escaping (it is never shown as HTML)."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


class EmailTemplates:
    """The three templates of one kind of email, looked up once: for building many emails of that kind.

    ``build`` renders exactly what the module's ``build`` renders (which uses it): the subject and the
    text without HTML escaping, the HTML escaped, each from the compiled template the loader keeps.
    """

    def __init__(self, name: str):
        self.name = name
        self.subject = get_template(f"emails/{name}_subject.txt").template
        self.text = get_template(f"emails/{name}_body.txt").template
        self.html = get_template(f"emails/{name}_body.html").template

    def build(self, *, to: Iterable[str], context: dict) -> EmailMultiAlternatives:
        """An email rendered from the three templates, ready to send (alone or in a batch)."""
        context = {"site_url": settings.SITE_URL, "trust_name": settings.TRUST_NAME, **context}
        subject = " ".join(self.subject.render(Context(context, autoescape=False)).split())
        body = self.text.render(Context(context, autoescape=False))
        message = EmailMultiAlternatives(subject=subject, body=body, to=list(to))
        message.attach_alternative(self.html.render(Context(context)), "text/html")
        message.about = self.name  # what the outbox and HR's delivery page call it
        return message


def build(name: str, *, to: Iterable[str], context: dict) -> EmailMultiAlternatives:
    """An email rendered from its three templates, ready to send (alone or in a batch)."""
    return EmailTemplates(name).build(to=to, context=context)


def send(name: str, *, to: Iterable[str], context: dict, dedupe_key: str | None = None) -> int:
    """Queue one templated email (one outbox row per recipient) in the current transaction.

    With ``dedupe_key``, a message already queued under that key for a recipient is not queued again.
    Returns the number of rows written.
    """
    return outbox.queue(build(name, to=to, context=context), about=name, dedupe_key=dedupe_key)


def send_batch(
    messages: Sequence[EmailMultiAlternatives], *, dedupe_keys: Sequence[str | None] | None = None
) -> int:
    """Queue many emails at once (a few INSERTs, whatever their number); returns the rows written."""
    keys = dedupe_keys if dedupe_keys is not None else [None] * len(messages)
    return outbox.queue_all((m, getattr(m, "about", "email"), k) for m, k in zip(messages, keys, strict=True))
