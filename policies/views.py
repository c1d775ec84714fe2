import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from symphony_portal.lib.pdf import PDFRenderError, pdf_response

from .models import Policy, PolicyVersion
from .pdf import render_version_pdf
from .selectors import fingerprint, outline

logger = logging.getLogger(__name__)


@login_required
def home(request):
    versions = PolicyVersion.objects.published().select_related("policy").order_by("policy__title")
    return render(request, "policies/home.html", {"versions": versions})


def _render_version(request, version: PolicyVersion, *, current: PolicyVersion | None):
    sections = outline(version)
    return render(
        request,
        "policies/version_detail.html",
        {
            "policy": version.policy,
            "version": version,
            "current": current,
            "sections": sections,
            "fingerprint": fingerprint(version, sections=sections),
            "review": version.review_status(),
        },
    )


@login_required
def policy_detail(request, slug):
    version = get_object_or_404(
        PolicyVersion.objects.published().select_related("policy", "published_by"), policy__slug=slug
    )
    return _render_version(request, version, current=version)


@login_required
def version_list(request, slug):
    policy = get_object_or_404(Policy, slug=slug)
    versions = list(
        PolicyVersion.objects.readable_by(request.user).filter(policy=policy).order_by("-created_at")
    )
    if not versions:
        raise Http404("No version of this policy can be read yet.")
    return render(request, "policies/version_list.html", {"policy": policy, "versions": versions})


@login_required
def version_detail(request, slug, pk):
    version = get_object_or_404(
        PolicyVersion.objects.readable_by(request.user).select_related("policy", "published_by"),
        policy__slug=slug,
        pk=pk,
    )
    current = PolicyVersion.objects.published().filter(policy=version.policy).first()
    return _render_version(request, version, current=current)


@login_required
def version_pdf(request, slug, pk):
    """The version as a PDF to download and print; drafts only for HR, like the page."""
    version = get_object_or_404(
        PolicyVersion.objects.readable_by(request.user).select_related("policy"), policy__slug=slug, pk=pk
    )
    try:
        document = render_version_pdf(version)
    except PDFRenderError as error:
        logger.warning("PDF of %s (version %s) failed: %s", version, version.pk, error)
        messages.error(
            request,
            "The PDF could not be made just now. Please try again in a few minutes; "
            "meanwhile you can read this version here or print this page.",
        )
        return redirect(version.get_absolute_url())
    return pdf_response(document.content, document.filename)
