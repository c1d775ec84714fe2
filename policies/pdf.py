"""The policy as a printable PDF: built from the same outline and fingerprint as the reading page.

``render_version_pdf`` is the one way a version becomes a PDF; exports that contain the policy (the
sign-off pack) reuse its templates: templates/policies/pdf/_contents.html and _sections.html.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from symphony_portal.lib.pdf import render_pdf

from .models import PolicyVersion
from .selectors import fingerprint, outline


@dataclass(frozen=True)
class PolicyPDF:
    content: bytes
    filename: str
    fingerprint: str  # of the version's text (not of the file)


def version_pdf_filename(version: PolicyVersion, suffix: str = "") -> str:
    """A download name that says what it is: social-media-policy-2016-2019.pdf (plain ASCII)."""
    parts = [version.policy.slug, slugify(version.label) or str(version.pk)]
    if suffix:
        parts.append(slugify(suffix))
    return "-".join(parts) + ".pdf"


def version_pdf_context(version: PolicyVersion) -> dict:
    """What the PDF templates need: the outline, fingerprint, review state and the current version."""
    sections = outline(version)
    today = timezone.localdate()
    return {
        "TRUST_NAME": settings.TRUST_NAME,
        "policy": version.policy,
        "version": version,
        "sections": sections,
        "fingerprint": fingerprint(version, sections=sections),
        "review": version.review_status(today),
        "today": today,
        "current": PolicyVersion.objects.published().filter(policy_id=version.policy_id).first(),
    }


def render_version_pdf(version: PolicyVersion, *, timeout: float | None = None) -> PolicyPDF:
    """The version as a PDF/A-3b document. Raises PDFRenderError when it cannot be made in time."""
    context = version_pdf_context(version)
    html = render_to_string("policies/pdf/version.html", context)
    return PolicyPDF(
        content=render_pdf(html, timeout=timeout),
        filename=version_pdf_filename(version),
        fingerprint=context["fingerprint"],
    )
