import hashlib
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from policies import permissions as policy_permissions
from policies import services as policy_services
from policies.models import ExportKind, PolicyVersion
from policies.selectors import carried_over_to, fingerprint, outline
from symphony_portal.lib.csv_export import csv_response
from symphony_portal.lib.downloads import ranged_pdf_response
from symphony_portal.trust.models import School

from . import pack, pack_jobs, permissions, services
from .compliance_cache import cached_fragment
from .exports import export_rows
from .models import Acknowledgement, PackJob, statement_for
from .selectors import (
    CENTRAL_TEAM,
    REGISTER_HEADER,
    Scope,
    carry_over_note,
    compliance_of,
    compliance_scope,
    days_since_publication,
    is_expected,
    last_acknowledged_before,
    outstanding_by_version,
    published_versions,
    record_for,
    register_rows,
    round_of,
    round_start,
    trust_summary,
    waiting_for,
)

logger = logging.getLogger(__name__)


@login_required
def my_acknowledgements(request):
    records = Acknowledgement.objects.filter(person=request.user).select_related("version__policy")
    return render(
        request,
        "acknowledgements/acknowledgement_list.html",
        {"records": records, "waiting": waiting_for(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def acknowledge(request, version_pk):
    # Drafts do not exist for this page, whoever asks: only adopted versions are found.
    version = get_object_or_404(PolicyVersion.objects.adopted().select_related("policy"), pk=version_pk)
    if request.method == "POST":
        try:
            record, created = services.acknowledge(version, by=request.user)
        except (services.NotCurrentVersionError, services.NotInAudienceError) as error:
            messages.error(request, error.message)
            return redirect("acknowledgements:acknowledge", version.pk)
        if created:
            messages.success(request, f"Thank you: your acknowledgement of {version} is recorded.")
        else:
            when = timezone.localtime(record.acknowledged_at)
            messages.info(request, f"You had already acknowledged {version} on {when:%-d %B %Y at %H:%M}.")
        return redirect(record)

    existing = record_for(request.user, version)
    current = version if version.is_published else version.policy.versions.published().first()
    previously_acknowledged = None if existing else last_acknowledged_before(request.user, version)
    # Someone the policy is not for reads it, but is not asked to acknowledge it (nor can they).
    asked = existing is None and version.is_published and is_expected(request.user, version)
    sections = outline(version)
    return render(
        request,
        "acknowledgements/acknowledgement_form.html",
        {
            "version": version,
            "policy": version.policy,
            "current": current,
            "existing": existing,
            "sections": sections,
            "fingerprint": fingerprint(version, sections=sections),
            "statement": statement_for(request.user.kind),
            "asked": asked,
            "NOT_IN_AUDIENCE": services.NotInAudienceError.explain(version),
            "review": version.review_status(),
            # This page has its own confirmation: no call to acknowledge from the policy page on top of it.
            "acknowledge_page": True,
            "previously_acknowledged": previously_acknowledged,
            "what_changed_url": version.changes_since_url(previously_acknowledged)
            if previously_acknowledged
            else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def acknowledge_waiting(request):
    """Every policy waiting for this person on one page, each confirmed on its own (its own record)."""
    permissions.check_can_acknowledge(request.user)
    if request.method == "POST":
        # Only plain ids a database column can hold: anything else is ignored, not an error page.
        chosen = {int(pk) for pk in request.POST.getlist("version")[:100] if pk.isdigit() and len(pk) <= 9}
        if not chosen:
            messages.error(request, "Tick the confirmation of at least one policy: nothing was recorded.")
            return redirect("acknowledgements:waiting")
        recorded, already, refused = [], [], []
        for version in PolicyVersion.objects.adopted().select_related("policy").filter(pk__in=chosen):
            try:
                _record, created = services.acknowledge(version, by=request.user)
            except services.NotCurrentVersionError:
                refused.append(version)
                continue
            (recorded if created else already).append(version)
        if recorded:
            names = "; ".join(str(v) for v in recorded)
            messages.success(request, f"Thank you: your acknowledgement of {names} is recorded.")
        if already:
            names = "; ".join(str(v) for v in already)
            messages.info(request, f"You had already acknowledged {names}: nothing was recorded twice.")
        if refused:
            names = "; ".join(str(v) for v in refused)
            messages.error(
                request,
                f"{names} is no longer the current version and was not acknowledged: "
                "please read the current version below.",
            )
        return redirect("acknowledgements:waiting")
    return render(
        request,
        "acknowledgements/acknowledgement_waiting.html",
        {"waiting": waiting_for(request.user), "statement": statement_for(request.user.kind)},
    )


@login_required
def receipt(request, pk):
    record = get_object_or_404(
        Acknowledgement.objects.visible_to(request.user).select_related("person", "version__policy"), pk=pk
    )
    later = carried_over_to([record.version])[record.version.pk]
    return render(
        request,
        "acknowledgements/acknowledgement_detail.html",
        {
            "record": record,
            "carried_over": carry_over_note(record.version, later),
            "carried_reason": "; ".join(v.change_reason for v in later if v.change_reason),
            "round": round_of(record.round_starts_on),
        },
    )


def _version_blocks(scope: Scope, *, with_summary: bool, today) -> list[dict]:
    versions = published_versions()
    by_version = compliance_of(versions, scope, today=today)
    blocks = []
    for version in versions:
        groups = by_version[version.pk]
        blocks.append(
            {
                "version": version,
                "groups": groups,
                "summary": trust_summary(groups) if with_summary else None,
                "days": days_since_publication(version, today),
                "round": round_of(round_start(version, today)),
            }
        )
    return blocks


def _scope_key(scope: Scope) -> str:
    """What a cached fragment's scope is called: the whole trust, or which schools (and the central team)."""
    if scope.whole_trust:
        return "trust"
    schools = ",".join(str(pk) for pk in sorted(s.pk for s in scope.schools))
    return f"schools-{schools}" + ("-central" if scope.central else "")


@login_required
def compliance_overview(request):
    scope = compliance_scope(request.user)
    today = timezone.localdate()

    def counts() -> str:  # rendered without the request: nothing of the reader's can be in it
        blocks = _version_blocks(scope.reloaded(), with_summary=scope.central, today=today)
        return render_to_string("acknowledgements/_compliance_overview_blocks.html", {"blocks": blocks})

    return render(
        request,
        "acknowledgements/compliance_overview.html",
        {"counts": cached_fragment("overview", _scope_key(scope), today, counts), "scope": scope},
    )


def _render_group(request, scope: Scope, name: str, school):
    today = timezone.localdate()

    def counts() -> str:  # rendered without the request: nothing of the reader's can be in it
        fresh = scope.reloaded()  # read after the generation, like everything in the fragment
        if school is not None and not fresh.schools:
            raise Http404("No such school in your compliance pages.")  # gone since it was looked up
        here = fresh.schools[0] if school is not None else None
        versions = published_versions()
        by_version = compliance_of(versions, fresh, today=today)
        people = outstanding_by_version(versions, school=here, today=today)
        blocks = []
        for version in versions:
            (group,) = by_version[version.pk]
            blocks.append(
                {
                    "version": version,
                    "group": group,
                    "days": days_since_publication(version, today),
                    "round": round_of(round_start(version, today)),
                    "people": people[version.pk],
                }
            )
        return render_to_string(
            "acknowledgements/_compliance_group_blocks.html", {"school": here, "blocks": blocks}
        )

    return render(
        request,
        "acknowledgements/compliance_group.html",
        {"name": name, "counts": cached_fragment("group", _scope_key(scope), today, counts)},
    )


@login_required
def compliance_school(request, slug):
    scope = compliance_scope(request.user)
    school = next((s for s in scope.schools if s.slug == slug), None)
    if school is None:  # another school's page: as if it did not exist
        raise Http404("No such school in your compliance pages.")
    return _render_group(request, Scope(schools=[school], central=False), school.name, school)


def _trust_wide_scope(user) -> Scope:
    scope = compliance_scope(user)
    if not scope.central:
        raise Http404("Only the Executive Head Teacher and HR see the whole trust.")
    return scope


@login_required
def compliance_central(request):
    _trust_wide_scope(request.user)
    return _render_group(request, Scope(schools=[], central=True), CENTRAL_TEAM, None)


@login_required
def outstanding_list(request):
    _trust_wide_scope(request.user)
    today = timezone.localdate()
    versions = published_versions()
    people = outstanding_by_version(versions, everyone=True, today=today)
    blocks = [
        {
            "version": version,
            "days": days_since_publication(version, today),
            "round": round_of(round_start(version, today)),
            "people": people[version.pk],
        }
        for version in versions
    ]
    return render(request, "acknowledgements/outstanding_list.html", {"blocks": blocks})


# --- Send reminders now ----------------------------------------------------------------------------------


def _reminders_url(school) -> str:
    if school is None:
        return reverse("acknowledgements:reminders")
    return reverse("acknowledgements:reminders_school", args=[school.slug])


@login_required
@require_http_methods(["GET", "POST"])
def send_reminders(request, slug=None):
    """The preview of "Send reminders now" (how many get one, how many are skipped) and, on POST, the send.

    The same rule as the reminder command (services.plan_reminders); the emails go to the outbox in the
    transaction that records them, and the worker delivers them: the request never waits for a mail server.
    """
    school = None
    if slug is not None:
        scope = compliance_scope(request.user)  # 404 for whoever has no compliance page at all
        school = next((s for s in scope.schools if s.slug == slug), None)
        if school is None:  # another school's: as if it did not exist, like its compliance page
            raise Http404("No such school in your compliance pages.")
    elif request.GET.get("school"):  # the "one school" picker of the whole-trust preview
        permissions.check_can_send_reminders_to_trust(request.user)
        chosen = School.objects.filter(slug=request.GET["school"]).first()
        if chosen is None:
            raise Http404("No such school.")
        return redirect(_reminders_url(chosen))
    if school is None:
        permissions.check_can_send_reminders_to_trust(request.user)
    else:
        permissions.check_can_send_reminders_to_school(request.user, school)
    where = school.name if school else "the whole trust"
    if request.method == "POST":
        plan = services.queue_reminders(school=school, by=request.user)
        if plan.people or plan.heads:
            people = f"{plan.people} reminder{'' if plan.people == 1 else 's'}"
            notes = f" and {plan.heads} note{'' if plan.heads == 1 else 's'} to Heads" if plan.heads else ""
            messages.success(
                request,
                f"{people}{notes} for {where} queued: the portal sends them in the next few minutes.",
            )
        else:
            messages.info(
                request,
                f"Nobody at {where} was due a reminder (everyone outstanding had one in the last "
                f"{settings.ACKNOWLEDGEMENT_REMINDER_DAYS} days): nothing was sent.",
            )
        return redirect(
            "acknowledgements:compliance_school" if school else "acknowledgements:outstanding",
            *([school.slug] if school else []),
        )
    plan = services.plan_reminders(school=school, with_messages=False)
    return render(
        request,
        "acknowledgements/reminders_send.html",
        {
            "plan": plan,
            "school": school,
            "where": where,
            "every": settings.ACKNOWLEDGEMENT_REMINDER_DAYS,
            "after": settings.ACKNOWLEDGEMENT_REMINDERS_BEFORE_HEAD,
            "schools": School.objects.order_by("name") if school is None else [],
            "action": _reminders_url(school),
        },
    )


@login_required
def register_csv(request):
    _trust_wide_scope(request.user)
    filename = f"acknowledgements-register-{timezone.localdate():%Y-%m-%d}.csv"
    return csv_response(filename, REGISTER_HEADER, register_rows(published_versions()))


@login_required
def export_list(request):
    """Every document that left the portal, one row each (made or downloaded), with the packs still stored."""
    policy_permissions.check_can_see_exports(request.user)
    return render(
        request,
        "acknowledgements/export_list.html",
        {"rows": export_rows(), "keep": PackJob.KEEP_PER_VERSION},
    )


# --- The signed-off review pack ---------------------------------------------------------------------------


def _adopted_version(version_pk: int) -> PolicyVersion:
    # Drafts have no pack: a pack signs off what staff were asked to acknowledge.
    return get_object_or_404(
        PolicyVersion.objects.adopted().select_related("policy", "approval_recorded_by"), pk=version_pk
    )


@login_required
def signoff_pack_index(request):
    permissions.check_can_use_signoff_packs(request.user)
    versions = (
        PolicyVersion.objects.adopted().select_related("policy").order_by("policy__title", "-created_at")
    )
    jobs = PackJob.objects.select_related("version__policy", "requested_by")[:10]
    return render(request, "acknowledgements/signoff_pack_index.html", {"versions": versions, "jobs": jobs})


@login_required
def signoff_pack(request, version_pk):
    version = _adopted_version(version_pk)
    permissions.check_can_use_signoff_packs(request.user)
    jobs = list(version.pack_jobs.select_related("requested_by", "export")[:10])
    # A build that has stalled shows as failed here at once (PackJob.shown_state); it is recorded as
    # failed by the next "Prepare the pack".
    working = next((job for job in jobs if job.shown_state in PackJob.UNFINISHED), None)
    return render(
        request,
        "acknowledgements/signoff_pack.html",
        {
            "version": version,
            "policy": version.policy,
            "jobs": jobs,
            "working": working,
            "latest": jobs[0] if jobs else None,
            "filename": pack.pack_filename(version),
            "keep": PackJob.KEEP_PER_VERSION,
        },
    )


@login_required
@require_http_methods(["POST"])
def signoff_pack_prepare(request, version_pk):
    version = _adopted_version(version_pk)
    permissions.check_can_use_signoff_packs(request.user)
    try:
        job, created = pack_jobs.request_pack(version, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("acknowledgements:signoff_pack", version.pk)
    if created:
        messages.success(
            request, f"The sign-off pack of {version} is being made. This page shows when it is ready."
        )
    else:
        asked = timezone.localtime(job.requested_at)
        messages.info(
            request,
            f"The sign-off pack of {version} is already being made (asked for at {asked:%H:%M}): "
            "nothing new was started. This page shows when it is ready.",
        )
    return redirect("acknowledgements:signoff_pack", version.pk)


@login_required
@require_http_methods(["GET", "HEAD"])
def signoff_pack_download(request, job_pk):
    job = get_object_or_404(
        PackJob.objects.downloadable().select_related("version__policy", "export"), pk=job_pk
    )
    permissions.check_can_use_signoff_packs(request.user)
    try:
        with job.file.open("rb") as file:
            content = file.read()
    except FileNotFoundError:
        logger.error("The file of sign-off pack job %s is missing from the private storage", job.pk)
        raise Http404("The file of this pack is no longer on the server: prepare the pack again.") from None
    if hashlib.sha256(content).hexdigest() != job.export.file_sha256:
        logger.error("The file of sign-off pack job %s does not match its export record", job.pk)
        raise Http404("The file of this pack has changed since it was made: prepare the pack again.")
    response, starts_download = ranged_pdf_response(
        request, content, job.export.filename, etag=job.export.file_sha256
    )
    # One record per download: not for HEAD, nor for the later parts of a download fetched in ranges.
    if request.method == "GET" and starts_download:
        policy_services.record_export(
            job.version,
            kind=ExportKind.SIGNOFF_PACK,
            content=content,
            filename=job.export.filename,
            signed=job.export.signed,
            by=request.user,
        )
    return response
