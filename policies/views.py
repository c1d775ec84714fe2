import logging
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from symphony_portal.lib.pdf import PDFRenderError, pdf_response
from symphony_portal.lib.terms import Term
from symphony_portal.trust.models import User
from symphony_portal.uploads import FileSizeCapHandler

from . import diff, importing, pending_imports, permissions, services
from .audience import Audience, describe
from .forms import (
    AddClauseForm,
    ApprovalForm,
    AudienceForm,
    ClauseForm,
    CompareForm,
    ConfirmImportForm,
    NewPolicyForm,
    PublishForm,
    SectionForm,
    StartDraftForm,
    VersionDetailsForm,
    YearlyRoundForm,
)
from .live import live_library
from .models import Clause, ExportKind, Policy, PolicyVersion
from .pdf import render_version_pdf
from .selectors import fingerprint, outline, suggested_next_version

logger = logging.getLogger(__name__)


@login_required
def home(request):
    # The live library (live versions with their policies, audiences and review badges) is the same for
    # everyone: kept per compliance generation and day (policies.live). The panels of later apps take it
    # from the context (``live_versions``, ``live_audiences``) instead of reading it again.
    today = timezone.localdate()
    library = live_library(today)
    return render(
        request,
        "policies/home.html",
        {
            "live_versions": list(library.versions),
            "live_audiences": library.audiences,
            "live_versions_key": library.key,
            "today": today,
        },
    )


def _render_version(
    request, version: PolicyVersion, *, current: PolicyVersion | None, draft: PolicyVersion | None = None
):
    """A version's page. ``draft``: the policy's draft in progress, shown on the live version's page
    ("Review in progress" for everyone; only HR, who can open drafts, get the link to it)."""
    # Loaded only if the page needs it: an adopted version's body comes from the template cache.
    sections = SimpleLazyObject(partial(outline, version))
    previous = version.continues if version.continues_id and not version.is_draft else None
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
            "draft": draft if version.is_published else None,
            "previous": previous,
            "changes_url": version.changes_since_url(previous) if previous else "",
        },
    )


@login_required
def policy_detail(request, slug):
    # The live version and the draft of the next one (a policy has one of each at most) in one query. The
    # version it continues is read only if there is one (its label for "what changed"): joining it cost
    # more than that query, on every reading.
    versions = (
        PolicyVersion.objects.filter(
            policy__slug=slug, status__in=[PolicyVersion.Status.PUBLISHED, PolicyVersion.Status.DRAFT]
        )
        .select_related("policy")
        .order_by()  # told apart by status: the default ordering (by policy title) only cost its joins
    )
    by_status = {v.status: v for v in versions}
    version = by_status.get(PolicyVersion.Status.PUBLISHED)
    if version is None:
        raise Http404("No published version of this policy.")
    return _render_version(request, version, current=version, draft=by_status.get(PolicyVersion.Status.DRAFT))


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
        PolicyVersion.objects.readable_by(request.user).select_related("policy", "continues"),
        policy__slug=slug,
        pk=pk,
    )
    current = PolicyVersion.objects.published().filter(policy=version.policy).first()
    draft = None
    if version.is_published:
        draft = PolicyVersion.objects.filter(policy=version.policy, status=PolicyVersion.Status.DRAFT).first()
    return _render_version(request, version, current=current, draft=draft)


# HR's review of a policy: the draft of the next version ------------------------------------------------


def _draft_for(request, slug: str, pk: int) -> PolicyVersion:
    """The draft, for HR only: everyone else gets "not found", as if it did not exist.

    A change HR post to a draft that was published meanwhile (the other tab, the colleague who was
    quicker) reaches the service, which changes nothing and says who published it, instead of "not found".
    """
    versions = PolicyVersion.objects.readable_by(request.user)
    if not (request.method == "POST" and permissions.can_manage_reviews(request.user)):
        versions = versions.filter(status=PolicyVersion.Status.DRAFT)
    version = get_object_or_404(
        versions.select_related("policy", "continues", "approval_recorded_by"), policy__slug=slug, pk=pk
    )
    permissions.check_can_manage_reviews(request.user)  # readable_by hides drafts already; this says why
    return version


def _back_to_draft(version: PolicyVersion, anchor: str = ""):
    return redirect(version.get_draft_url() + (f"#{anchor}" if anchor else ""))


def _refused(request, version: PolicyVersion, error: ValidationError, anchor: str = ""):
    """Say why a change was refused; if the draft was published meanwhile, go to the published version."""
    messages.error(request, error.messages[0])
    if not PolicyVersion.objects.filter(pk=version.pk, status=PolicyVersion.Status.DRAFT).exists():
        return redirect(version.get_absolute_url())
    return _back_to_draft(version, anchor)


def _numbered_clause(version: PolicyVersion, clause: Clause) -> str:
    section_number = version.sections.filter(position__lt=clause.section.position).count() + 1
    return f"{section_number}.{clause.position}"


@login_required
def yearly_round(request, slug):
    policy = get_object_or_404(
        Policy.objects.filter(versions__status=PolicyVersion.Status.PUBLISHED), slug=slug
    )
    permissions.check_can_manage_reviews(request.user)
    initial = {"yearly": policy.yearly_from is not None, "yearly_from": policy.yearly_from}
    form = YearlyRoundForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.set_yearly_round(
                policy, yearly_from=form.cleaned_data["yearly_from"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if policy.yearly_from:
                start = policy.round_start()
                now = f"; the round open now began on {start:%-d %B %Y}" if start else ""
                done = (
                    f"{policy} is acknowledged again every year from {policy.yearly_from:%-d %B %Y}{now}. "
                    "Acknowledgements of earlier rounds stay in the register."
                )
            else:
                done = f"{policy} is acknowledged once per version, not every year."
            messages.success(request, done)
            return redirect(policy.get_absolute_url())
    return render(request, "policies/policy_yearly_round.html", {"policy": policy, "form": form})


@login_required
def draft_start(request, slug):
    current = get_object_or_404(PolicyVersion.objects.published().select_related("policy"), policy__slug=slug)
    permissions.check_can_manage_reviews(request.user)
    existing = PolicyVersion.objects.filter(policy=current.policy, status=PolicyVersion.Status.DRAFT).first()
    if existing:
        messages.info(request, f"A draft of the next version ({existing.label}) is already in progress.")
        return _back_to_draft(existing)
    suggested = suggested_next_version(current, today=timezone.localdate())
    initial = {
        "label": suggested.label,
        "review_season": suggested.review_term.season,
        "review_year": suggested.review_term.year,
    }
    form = StartDraftForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.start_draft(
                current,
                label=form.cleaned_data["label"],
                review_term=Term(form.cleaned_data["review_season"], form.cleaned_data["review_year"]),
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Draft {draft.label} started from {current.label}: every clause was copied."
            )
            return _back_to_draft(draft)
    return render(
        request,
        "policies/draft_start.html",
        {"policy": current.policy, "current": current, "form": form},
    )


@login_required
def draft_detail(request, slug, pk):
    version = _draft_for(request, slug, pk)
    sections = outline(version)
    comparison = diff.compare(outline(version.continues), sections) if version.continues else None
    return render(
        request,
        "policies/draft_detail.html",
        {
            "policy": version.policy,
            "version": version,
            "sections": sections,
            "comparison": comparison,
            "changes_url": version.changes_since_url(version.continues) if version.continues else "",
            "approval_current": version.has_approval
            and version.approved_fingerprint == fingerprint(version, sections=sections),
        },
    )


@login_required
def draft_edit_details(request, slug, pk):
    version = _draft_for(request, slug, pk)
    form = VersionDetailsForm(request.POST or None, instance=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_version_details(version, **form.cleaned_data, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The version's details were saved.")
            return _back_to_draft(version)
    return _render_draft_form(
        request, version, form, title=f"Details of draft {version.label}", submit="Save details"
    )


def _render_draft_form(request, version, form, *, title, submit, intro="", current_clause=None, back=""):
    return render(
        request,
        "policies/draft_form.html",
        {
            "policy": version.policy,
            "version": version,
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit,
            "current_clause": current_clause,
            "back": back or version.get_draft_url(),
        },
    )


@login_required
def clause_edit(request, slug, pk, clause_pk):
    version = _draft_for(request, slug, pk)
    clause = get_object_or_404(version.clauses.select_related("section"), pk=clause_pk)
    number = _numbered_clause(version, clause)
    initial = {
        "text": clause.text,
        "style": clause.style,
        "section": clause.section,
        "revision": clause.revision,
    }
    form = ClauseForm(request.POST or None, initial=initial, version=version)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.edit_clause(
                clause,
                text=data["text"],
                style=data["style"],
                section=data["section"],
                revision=data["revision"],
                by=request.user,
            )
        except services.EditConflict as error:
            conflict = error.current
            # Keep this person's text; the hidden revision now names the saved wording they have seen.
            form = ClauseForm({**request.POST.dict(), "revision": conflict.revision}, version=version)
            form.is_valid()
            form.add_error(None, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Clause {number} saved.")
            return _back_to_draft(version, f"draft-clause-{clause.pk}")
    return _render_draft_form(
        request,
        version,
        form,
        title=f"Edit clause {number}",
        submit="Save clause",
        current_clause=conflict,
        back=version.get_draft_url() + f"#draft-clause-{clause.pk}",
    )


@login_required
def clause_add(request, slug, pk, section_pk):
    version = _draft_for(request, slug, pk)
    section = get_object_or_404(version.sections, pk=section_pk)
    number = version.sections.filter(position__lt=section.position).count() + 1
    form = AddClauseForm(request.POST or None, section=section, number=number)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            clause = services.add_clause(
                section, text=data["text"], style=data["style"], after=data["after"], by=request.user
            )
        except ValidationError as error:
            return _refused(request, version, error)
        messages.success(request, f"Clause {number}.{clause.position} added.")
        return _back_to_draft(version, f"draft-clause-{clause.pk}")
    heading = section.heading or "the opening section"
    return _render_draft_form(
        request, version, form, title=f"Add a clause to {number}. {heading}", submit="Add clause"
    )


@login_required
def clause_remove(request, slug, pk, clause_pk):
    version = _draft_for(request, slug, pk)
    clause = get_object_or_404(version.clauses.select_related("section"), pk=clause_pk)
    number = _numbered_clause(version, clause)
    if request.method == "POST":
        try:
            services.remove_clause(clause, by=request.user)
        except ValidationError as error:
            return _refused(request, version, error)
        messages.success(request, f"Clause {number} removed. The clauses after it were renumbered.")
        return _back_to_draft(version, f"draft-section-{clause.section_id}")
    return render(
        request,
        "policies/draft_confirm_remove.html",
        {
            "policy": version.policy,
            "version": version,
            "title": f"Remove clause {number}?",
            "quoted": [clause.text],
            "submit": f"Remove clause {number}",
        },
    )


def _move(request, version: PolicyVersion, row, move, *, where, anchor: str):
    """Move a clause or section one place up or down, then say where it is now."""
    direction = request.POST.get("direction")
    if direction not in (services.UP, services.DOWN):
        return HttpResponseBadRequest("Move up or down.")
    try:
        move(row, direction=direction, by=request.user)
    except ValidationError as error:
        return _refused(request, version, error, anchor)
    else:
        messages.success(request, f"{type(row).__name__} moved {direction}: it is now {where(row)}.")
    return _back_to_draft(version, anchor)


@login_required
@require_POST
def clause_move(request, slug, pk, clause_pk):
    version = _draft_for(request, slug, pk)
    clause = get_object_or_404(version.clauses.select_related("section"), pk=clause_pk)
    where = partial(_numbered_clause, version)
    return _move(
        request, version, clause, services.move_clause, where=where, anchor=f"draft-clause-{clause.pk}"
    )


@login_required
def section_add(request, slug, pk):
    version = _draft_for(request, slug, pk)
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            section = services.add_section(version, heading=form.cleaned_data["heading"], by=request.user)
        except ValidationError as error:
            return _refused(request, version, error)
        messages.success(request, f"Section {section.position} added at the end. Add its clauses next.")
        return _back_to_draft(version, f"draft-section-{section.pk}")
    return _render_draft_form(request, version, form, title="Add a section", submit="Add section")


@login_required
def section_edit(request, slug, pk, section_pk):
    version = _draft_for(request, slug, pk)
    section = get_object_or_404(version.sections, pk=section_pk)
    form = SectionForm(request.POST or None, initial={"heading": section.heading})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_section(section, heading=form.cleaned_data["heading"], by=request.user)
        except ValidationError as error:
            return _refused(request, version, error)
        messages.success(request, f"Heading of section {section.position} saved.")
        return _back_to_draft(version, f"draft-section-{section.pk}")
    return _render_draft_form(
        request, version, form, title=f"Edit the heading of section {section.position}", submit="Save heading"
    )


@login_required
def section_remove(request, slug, pk, section_pk):
    version = _draft_for(request, slug, pk)
    section = get_object_or_404(version.sections, pk=section_pk)
    if request.method == "POST":
        try:
            removed = services.remove_section(section, by=request.user)
        except ValidationError as error:
            return _refused(request, version, error)
        messages.success(request, f"Section {section.position} removed with its {removed} clauses.")
        return _back_to_draft(version)
    return render(
        request,
        "policies/draft_confirm_remove.html",
        {
            "policy": version.policy,
            "version": version,
            "title": f"Remove section {section.position}, {section.heading or 'the opening section'}?",
            "intro": "Its clauses are removed with it:",
            "quoted": list(section.clauses.order_by("position").values_list("text", flat=True)),
            "submit": f"Remove section {section.position}",
        },
    )


@login_required
@require_POST
def section_move(request, slug, pk, section_pk):
    version = _draft_for(request, slug, pk)
    section = get_object_or_404(version.sections, pk=section_pk)
    return _move(
        request,
        version,
        section,
        services.move_section,
        where=lambda s: f"section {s.position}",
        anchor=f"draft-section-{section.pk}",
    )


@login_required
def draft_approval(request, slug, pk):
    version = _draft_for(request, slug, pk)
    initial = {
        "approved_by_body": version.approved_by_body or "Board of Trustees",
        "approved_on": version.approved_on,
        "minute_reference": version.approval_minute_reference,
    }
    form = ApprovalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_approval(
                version,
                approved_by_body=data["approved_by_body"],
                approved_on=data["approved_on"],
                minute_reference=data["minute_reference"],
                by=request.user,
            )
        except ValidationError as error:
            return _refused(request, version, error)
        messages.success(
            request,
            f"Approval recorded: {data['approved_by_body']}, {data['approved_on']:%-d %B %Y}. "
            "You can now publish.",
        )
        return _back_to_draft(version)
    return _render_draft_form(
        request,
        version,
        form,
        title=f"Record the approval of {version.label}",
        intro="This records the approval of the text as it is now; if it changes later, record it again.",
        submit="Record approval",
    )


@login_required
def draft_publish(request, slug, pk):
    version = _draft_for(request, slug, pk)
    # The live version it will supersede: a first publication has no choice to make.
    current = PolicyVersion.objects.published().filter(policy_id=version.policy_id).first()
    form = PublishForm(request.POST if request.method == "POST" else None) if current else None
    if request.method == "POST" and (form is None or form.is_valid()):
        choice = form.cleaned_data if form else {}
        try:
            services.publish(
                version, by=request.user, change=choice.get("change"), reason=choice.get("reason", "")
            )
        except ValidationError as error:
            return _refused(request, version, error)
        if choice.get("change") == PolicyVersion.Change.MINOR:
            done = (
                f"{version} is published and frozen, as a minor change: acknowledgements of "
                f"{current.label} carry over. Everyone is being emailed that the policy was updated."
            )
        else:
            done = (
                f"{version} is published and frozen. "
                "Everyone is being emailed that a new version awaits them."
            )
        messages.success(request, done)
        return redirect(version.policy.get_absolute_url())
    sections = outline(version)
    return render(
        request,
        "policies/draft_publish.html",
        {
            "policy": version.policy,
            "version": version,
            "current": current,
            "form": form,
            "comparison": diff.compare(outline(version.continues), sections) if version.continues else None,
            "changes_url": version.changes_since_url(version.continues) if version.continues else "",
            "approval_current": version.has_approval
            and version.approved_fingerprint == fingerprint(version, sections=sections),
            "people": User.objects.active().count(),
        },
    )


@login_required
def compare(request, slug):
    policy = get_object_or_404(Policy, slug=slug)
    versions = PolicyVersion.objects.readable_by(request.user).filter(policy=policy).order_by("-created_at")
    readable = list(versions)
    if not readable:
        raise Http404("No version of this policy can be read yet.")
    if "from" in request.GET or "to" in request.GET:
        form = CompareForm(request.GET, versions=versions)
        if not form.is_valid():
            # A version that does not exist, or that this person may not read: not found, as elsewhere.
            raise Http404("No such version of this policy.")
        older, newer = form.cleaned_data["from"], form.cleaned_data["to"]
    else:
        newer = next((v for v in readable if v.is_published), readable[0])
        older = next((v for v in readable if v.pk == newer.continues_id), None) or next(
            (v for v in readable if v.pk != newer.pk), newer
        )
        form = CompareForm(initial={"from": older.pk, "to": newer.pk}, versions=versions)
    return render(
        request,
        "policies/version_compare.html",
        {
            "policy": policy,
            "form": form,
            "older": older,
            "newer": newer,
            "comparison": diff.compare(outline(older), outline(newer)),
        },
    )


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
    services.record_export(
        version,
        kind=ExportKind.POLICY_PDF,
        content=document.content,
        filename=document.filename,
        by=request.user,
    )
    return pdf_response(document.content, document.filename)


@login_required
def export_list(request):
    """The record of exports moved to the acknowledgements app, which also knows the stored sign-off packs
    (acknowledgements/exports.py); old links and bookmarks land there. HR only, as there."""
    permissions.check_can_see_exports(request.user)
    return redirect("acknowledgements:exports")


# New policies: from scratch, or from a provider's document (previewed before anything is saved) -------


@csrf_exempt  # only so that the size cap is in place before the body is read; CSRF is checked inside
def policy_new(request):
    """HR add a policy: an empty first draft, or a document to preview (stored, nothing created yet)."""
    # After the file-count handler: a document past the cap is swallowed, not written to disk.
    request.upload_handlers.insert(1, FileSizeCapHandler(request, max_bytes=importing.MAX_BYTES))
    return _policy_new(request)


@login_required
@csrf_protect
def _policy_new(request):
    permissions.check_can_add_policies(request.user)
    this_year = timezone.localdate().year
    initial = {
        "label": f"{this_year}-{this_year + 3}",
        "review_season": "autumn",
        "review_year": this_year + 3,
    }
    form = NewPolicyForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and len(request.FILES.getlist("document")) > 1:
        form.add_error("document", "Choose one document; a policy is made from one file.")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        term = Term(data["review_season"], data["review_year"])
        try:
            title, _ = services.check_new_policy_title(data["title"])
        except ValidationError as error:
            form.add_error("title", error)
        else:
            if data["document"]:
                return _preview_upload(request, form, data["document"], title=title)
            try:
                draft = services.create_policy(
                    title=title, label=data["label"], review_term=term, by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"The {draft.policy.title} was added, with draft {draft.label}. Add its sections and "
                    "clauses, then record its approval and publish it.",
                )
                return _back_to_draft(draft)
    return render(request, "policies/policy_new.html", {"form": form})


def _preview_upload(request, form, upload, *, title: str):
    """Check the document now (nothing stored if it is refused), keep it, and show its preview."""
    try:
        content = importing.read_upload(upload)
        importing.read_document(content, filename=upload.name or "")
    except ValidationError as error:
        form.add_error("document", error)
        return render(request, "policies/policy_new.html", {"form": form})
    token = pending_imports.keep(
        request.session,
        content,
        filename=importing.display_name(upload),
        title=title,
        label=form.cleaned_data["label"],
        review_season=form.cleaned_data["review_season"],
        review_year=form.cleaned_data["review_year"],
    )
    return redirect("policies:policy_import_preview", token=token)


@login_required
def policy_import_preview(request, token):
    """The document's sections and clauses and its fidelity check; confirming creates the draft."""
    permissions.check_can_add_policies(request.user)
    pending = pending_imports.find(request.session, token)
    if pending is None:
        raise Http404("No such upload: it was confirmed, discarded or replaced. Upload the document again.")
    if request.method == "POST" and request.POST.get("action") == "discard":
        pending_imports.forget(request.session, token)
        messages.info(request, f"“{pending.filename}” was discarded; nothing was saved.")
        return redirect("policies:policy_new")
    content = pending.read()
    if content is None:
        pending_imports.forget(request.session, token)
        messages.error(request, "The uploaded file could not be read back. Please upload it again.")
        return redirect("policies:policy_new")
    try:
        document = importing.read_document(content, filename=pending.filename)  # the same checks again
    except ValidationError as error:
        pending_imports.forget(request.session, token)
        messages.error(request, error.messages[0])
        return redirect("policies:policy_new")
    fidelity = document.fidelity()
    form = ConfirmImportForm(request.POST or None, missing=len(fidelity.missing))
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.create_policy(
                title=pending.title,
                label=pending.label,
                review_term=Term(pending.review_season, pending.review_year),
                document=document,
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            pending_imports.forget(request.session, token)
            messages.success(
                request,
                f"The {draft.policy.title} was added from “{pending.filename}”: draft {draft.label} has "
                f"{len(document.sections)} sections and {document.clause_count} clauses. Review it, record "
                "its approval and publish it.",
            )
            return _back_to_draft(draft)
    return render(
        request,
        "policies/policy_import_preview.html",
        {"pending": pending, "document": document, "fidelity": fidelity, "form": form},
    )


# --- Who must acknowledge (HR) -------------------------------------------------------------------


def _audience_history(policy: Policy) -> list[dict]:
    """Each recorded change of the audience, newest first: when, who, and who had to acknowledge then."""
    changes, seen = [], set()
    records = policy.history.filter(audience_changed_at__isnull=False).select_related(
        "history_user", "audience_tag"
    )
    for record in records.order_by("-history_date", "-history_id")[:40]:
        if record.audience_changed_at in seen:  # the save and the schools' change: one change
            continue
        seen.add(record.audience_changed_at)
        schools = [row.school.name for row in record.audience_schools.select_related("school")]
        changes.append(
            {
                "when": record.audience_changed_at,
                "who": record.audience_changed_by,
                "audience": describe(record, schools, record.audience_tag),
                "days": record.acknowledge_within_days,
            }
        )
        if len(changes) == 20:
            break
    return changes


def _audience_words(policy: Policy) -> str:
    return describe(policy, [school.name for school in policy.audience_schools.all()], policy.audience_tag)


@login_required
def policy_audience(request, slug):
    policy = get_object_or_404(Policy, slug=slug)
    permissions.check_can_set_audience(request.user)
    audience = Audience.of(policy)
    initial = {
        "kinds": sorted(audience.kinds),
        "all_schools": "yes" if policy.all_schools else "no",
        "schools": list(policy.audience_schools.all()),
        "include_central_team": policy.include_central_team,
        "tag": policy.audience_tag,
        "acknowledge_within_days": policy.acknowledge_within_days,
    }
    form = AudienceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_audience(
                policy,
                kinds=data["kinds"],
                all_schools=data["all_schools"],
                schools=list(data["schools"]),
                include_central_team=data["include_central_team"],
                tag=data["tag"],
                acknowledge_within_days=data["acknowledge_within_days"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            policy.refresh_from_db()
            messages.success(
                request,
                f"Saved: {_audience_words(policy)} must acknowledge the {policy.title}, "
                f"within {policy.acknowledge_within_days} school days.",
            )
            return redirect("policies:policy_audience", policy.slug)
    return render(
        request,
        "policies/policy_audience.html",
        {
            "policy": policy,
            "form": form,
            "current": _audience_words(policy),
            "history": _audience_history(policy),
        },
    )
