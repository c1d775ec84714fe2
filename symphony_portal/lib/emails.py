"""Sending the portal's emails from templates: emails/<name>_subject.txt, _body.txt and _body.html.

Domain code calls ``send(...)`` after its transaction commits (``transaction.on_commit``), so that a
rolled-back action never emails anyone. Emails carry links, not content: what a report says or who made
it never leaves the portal by email.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse


def absolute_url(path_or_name: str, *args) -> str:
    """A full link for an email: a URL name (with args) or a path, on SITE_URL."""
    path = path_or_name if path_or_name.startswith("/") else reverse(path_or_name, args=args)
    return settings.SITE_URL + path


def render_text(template_name: str, context: dict) -> str:
    """A plain-text template rendered without HTML escaping (it is never shown as HTML)."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def build(name: str, *, to: Iterable[str], context: dict) -> EmailMultiAlternatives:
    """An email rendered from its three templates, ready to send (alone or in a batch)."""
    context = {"site_url": settings.SITE_URL, "trust_name": settings.TRUST_NAME, **context}
    subject = " ".join(render_text(f"emails/{name}_subject.txt", context).split())
    body = render_text(f"emails/{name}_body.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=list(to))
    message.attach_alternative(render_to_string(f"emails/{name}_body.html", context), "text/html")
    return message


def send(name: str, *, to: Iterable[str], context: dict) -> None:
    """Render and send one email now. Raises on failure: mail that must arrive is never sent silently."""
    build(name, to=to, context=context).send(fail_silently=False)


def send_batch(messages: list[EmailMultiAlternatives]) -> int:
    """Send many emails over one SMTP connection; raises if the server cannot be reached."""
    if not messages:
        return 0
    with get_connection(fail_silently=False) as connection:
        return connection.send_messages(messages) or 0
